// The broker's counters: topic metrics and request metrics, updated by its listeners per request.
import { BrokerTopicMetrics } from './topic-metrics.js';
import { RequestMetrics } from './request-metrics.js';

export class BrokerMetrics {
  readonly topics: BrokerTopicMetrics;
  readonly requests: RequestMetrics;
  /** When the broker was made (process_start_time_seconds is the process's). */
  readonly startedMs = Date.now();

  constructor(topicName: (topicId: string) => string | undefined, apiName: (apiKey: number) => string) {
    this.topics = new BrokerTopicMetrics(topicName);
    this.requests = new RequestMetrics(this.topics, apiName);
  }
}
