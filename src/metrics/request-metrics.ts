// Kafka's RequestMetrics (kafka.network:type=RequestMetrics,name=RequestsPerSec|TotalTimeMs,
// request=NAME[,version=V]): per request name and version the requests answered, per name the
// total time from taking the frame to the response being encoded, in whole ms as Kafka rounds it.
// Fetch counts under "Fetch" and "FetchConsumer"/"FetchFollower", a verify-only AddPartitionsToTxn
// under "AddPartitionsToTxnVerification" (Kafka's RequestChannel). Produce and Fetch also feed the
// topic metrics. Called once per request by the listener (network/'s RequestObserver).
import type { RequestObserver } from '../network/api.js';
import type { ProduceRequest } from '../protocol/generated/produce-request.js';
import type { ProduceResponse } from '../protocol/generated/produce-response.js';
import type { FetchRequest } from '../protocol/generated/fetch-request.js';
import type { FetchResponse } from '../protocol/generated/fetch-response.js';
import type { AddPartitionsToTxnRequest } from '../protocol/generated/add-partitions-to-txn-request.js';
import type { BrokerTopicMetrics } from './topic-metrics.js';
import { TimeReservoir } from './reservoir.js';
import { countErrors } from './error-counts.js';

const FETCH = 1;
const METADATA = 3;
const ADD_PARTITIONS_TO_TXN = 24;
/** AddPartitionsToTxn versions above this are brokers' verification requests (KIP-890). */
const ADD_PARTITIONS_LAST_CLIENT_VERSION = 3;

export interface RequestStats {
  /** Kafka's request name ("Produce", "FetchConsumer"). */
  name: string;
  /** Requests answered, by version. */
  byVersion: Map<number, number>;
  totalTime: TimeReservoir;
  /** Error codes in its responses (ErrorsPerSec, NONE included), under the API's own name only. */
  errors: Map<number, number>;
}

export class RequestMetrics implements RequestObserver {
  private readonly byName = new Map<string, RequestStats>();

  constructor(
    private readonly topics: BrokerTopicMetrics,
    /** Kafka's name of an API ("Produce", "ApiVersions"). */
    private readonly apiName: (apiKey: number) => string,
  ) {}

  completed(apiKey: number, apiVersion: number, request: unknown, response: unknown, totalMs: number): void {
    const ms = Math.round(totalMs);
    // Kafka's updateErrorMetrics: under the API's name (Fetch, AddPartitionsToTxn), whatever the request names.
    // Metadata's errorCounts are its topics' and partitions' (not the v13+ top-level error).
    if (response !== undefined) countErrors(response, this.stats(this.apiName(apiKey)).errors, apiKey === METADATA);
    if (apiKey === FETCH) {
      const req = request as FetchRequest;
      const replicaId = apiVersion >= 15 ? (req.replicaState?.replicaId ?? -1) : (req.replicaId ?? -1);
      this.record(replicaId >= 0 ? 'FetchFollower' : 'FetchConsumer', apiVersion, ms);
      this.record('Fetch', apiVersion, ms);
      this.topics.fetch(apiVersion, req, response as FetchResponse | undefined);
      return;
    }
    if (apiKey === ADD_PARTITIONS_TO_TXN && apiVersion > ADD_PARTITIONS_LAST_CLIENT_VERSION && ((request as AddPartitionsToTxnRequest).transactions ?? []).every((x) => x.verifyOnly)) {
      this.record('AddPartitionsToTxnVerification', apiVersion, ms);
      return;
    }
    this.record(this.apiName(apiKey), apiVersion, ms);
    if (apiKey === 0) this.topics.produce(apiVersion, request as ProduceRequest, response as ProduceResponse | undefined);
  }

  private stats(name: string): RequestStats {
    let s = this.byName.get(name);
    if (s === undefined) this.byName.set(name, (s = { name, byVersion: new Map(), totalTime: new TimeReservoir(), errors: new Map() }));
    return s;
  }

  private record(name: string, apiVersion: number, ms: number): void {
    const s = this.stats(name);
    s.byVersion.set(apiVersion, (s.byVersion.get(apiVersion) ?? 0) + 1);
    s.totalTime.record(ms);
  }

  requests(): IterableIterator<RequestStats> {
    return this.byName.values();
  }
}
