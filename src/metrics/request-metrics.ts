// Kafka's RequestMetrics (kafka.network:type=RequestMetrics,name=RequestsPerSec|TotalTimeMs,
// request=NAME[,version=V]): per API and version the requests answered, per API the total time
// from taking the frame to the response being encoded. Produce and Fetch also feed the topic
// metrics. Called once per request by the listener (network/'s RequestObserver).
import type { RequestObserver } from '../network/api.js';
import type { ProduceRequest } from '../protocol/generated/produce-request.js';
import type { ProduceResponse } from '../protocol/generated/produce-response.js';
import type { FetchRequest } from '../protocol/generated/fetch-request.js';
import type { FetchResponse } from '../protocol/generated/fetch-response.js';
import type { BrokerTopicMetrics } from './topic-metrics.js';
import { TimeReservoir } from './reservoir.js';

export interface ApiRequestStats {
  apiKey: number;
  /** Requests answered, by version. */
  byVersion: Map<number, number>;
  totalTime: TimeReservoir;
}

export class RequestMetrics implements RequestObserver {
  private readonly byApi = new Map<number, ApiRequestStats>();

  constructor(private readonly topics: BrokerTopicMetrics) {}

  completed(apiKey: number, apiVersion: number, request: unknown, response: unknown, totalMs: number): void {
    let s = this.byApi.get(apiKey);
    if (s === undefined) this.byApi.set(apiKey, (s = { apiKey, byVersion: new Map(), totalTime: new TimeReservoir() }));
    s.byVersion.set(apiVersion, (s.byVersion.get(apiVersion) ?? 0) + 1);
    s.totalTime.record(totalMs);
    if (apiKey === 0) this.topics.produce(apiVersion, request as ProduceRequest, response as ProduceResponse | undefined);
    else if (apiKey === 1) this.topics.fetch(apiVersion, request as FetchRequest, response as FetchResponse | undefined);
  }

  apis(): IterableIterator<ApiRequestStats> {
    return this.byApi.values();
  }
}
