// Produce (key 0), v3-13 (magic v2 record batches only, as Kafka 4). Like Kafka 4 (KAFKA-18659),
// ApiVersions advertises v0-13: librdkafka up to 2.8 only compresses when it sees Produce v0.
// A v0-2 request still closes the connection. A transactional produce needs a transactional id
// (else TRANSACTIONAL_ID_AUTHORIZATION_FAILED, as Kafka) and, for a producer's first batch in a
// partition, the coordinator's word that the partition is in the transaction (v12+, KIP-890: it
// adds it) before it is appended (src/coordinator/transaction/produce-verification.ts). v13 names
// topics by id (KIP-516): an unknown id gets UNKNOWN_TOPIC_ID and the response names topics by id
// too. In a cluster the replica layer decides:
// NOT_LEADER_OR_FOLLOWER (with KIP-951's leader and endpoint, v10+) off the leader,
// NOT_ENOUGH_REPLICAS for acks=all under min.insync.replicas, and acks=all answers once the ISR has
// the write (REQUEST_TIMED_OUT at the request's timeout); a lone node never waits. Validates each partition's
// batches from their headers alone, then appends; every append starts in the same tick so
// offsets follow request order on a connection. acks=0 gets no response.
import { ProduceRequest } from '../protocol/generated/produce-request.js';
import { ProduceResponse } from '../protocol/generated/produce-response.js';
import { ErrorCode } from '../protocol/errors.js';
import { validateBatches, RecordValidationError } from '../protocol/records/validate.js';
import { KafkaError, type AppendResult } from '../storage/types.js';
import { rejectKeylessRecords } from '../storage/compacted-topic.js';
import { transactionalProducer } from '../coordinator/transaction/produce-verification.js';
import { log } from '../log.js';
import { recompress, targetCodec } from './recompress.js';
import { defineHandler } from './handler.js';
import { withProduceQuota } from '../quota/throttled-handlers.js';
import { authorized, Op, Resource } from './authorize.js';

const EMPTY = Buffer.alloc(0);

type PartitionResponse = ProduceResponse['responses'][number]['partitionResponses'][number];

export default withProduceQuota(defineHandler<ProduceRequest, ProduceResponse>({
  apiKey: 0,
  minVersion: 3,
  maxVersion: 13,
  advertisedMinVersion: 0,
  request: ProduceRequest,
  response: ProduceResponse,
  async handle(ctx, req) {
    const broker = ctx.broker;
    const now = Date.now();
    const appendOptions = { now };
    const acksValid = req.acks === 0 || req.acks === 1 || req.acks === -1;
    const byId = ctx.apiVersion >= 13;
    // Cluster mode: leadership, min.insync.replicas and acks=all go through the replica layer.
    const replicas = broker.replicas ?? null;
    const leaderEndpoints = new Map<number, NonNullable<ProduceResponse['nodeEndpoints']>[number]>();
    // Each partition's answer goes straight into its place in the response; one promise waits for the appends.
    let appending = 0;
    let appended: (() => void) | null = null;
    const settled = () => {
      if (--appending === 0 && appended !== null) appended();
    };
    // Transactional records without a transactional id are refused whole, as Kafka's authorization does.
    const txnWithoutId = req.transactionalId === null && req.topicData.some((t) => t.partitionData.some((pd) => transactionalProducer(pd.records) !== null));
    const verifier = req.transactionalId !== null ? (broker.txnVerifier ?? null) : null;
    const txnDenied = req.transactionalId !== null && !authorized(ctx, Op.WRITE, Resource.TRANSACTIONAL_ID, req.transactionalId);
    const responses = req.topicData.map((topic) => {
      const answers: PartitionResponse[] = new Array(topic.partitionData.length);
      // v13+: the topic's name from its id; an id this cluster does not know fails every partition.
      const name = byId ? broker.topics.getById(topic.topicId!)?.name : topic.name;
      topic.partitionData.forEach((pd, i) => {
        if (!acksValid) {
          answers[i] = failure(pd.index, ErrorCode.INVALID_REQUIRED_ACKS, null);
          return;
        }
        if (txnWithoutId || txnDenied) {
          answers[i] = failure(pd.index, ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED, null);
          return;
        }
        if (name !== undefined && !authorized(ctx, Op.WRITE, Resource.TOPIC, name)) {
          answers[i] = failure(pd.index, ErrorCode.TOPIC_AUTHORIZATION_FAILED, null);
          return;
        }
        if (name === undefined) {
          answers[i] = failure(pd.index, ErrorCode.UNKNOWN_TOPIC_ID, null);
          return;
        }
        if (replicas && broker.topics.get(name)?.registrations.has(pd.index)) {
          const c = replicas.checkProduce(name, pd.index, req.acks);
          if (c.errorCode !== ErrorCode.NONE) {
            answers[i] = failure(pd.index, c.errorCode, null);
            if (c.errorCode === ErrorCode.NOT_LEADER_OR_FOLLOWER) {
              // KIP-951: where the leader is, so the client need not refresh its metadata first.
              answers[i].currentLeader = { leaderId: c.leaderId, leaderEpoch: c.leaderEpoch };
              const e = c.leaderId >= 0 ? replicas.endpoint(c.leaderId, ctx.listenerName) : null;
              if (e) leaderEndpoints.set(e.nodeId, e);
            }
            return;
          }
        }
        const partitionLog = broker.partitionLog(name, pd.index);
        if (!partitionLog) {
          answers[i] = failure(pd.index, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, null);
          return;
        }
        // A lone node's acks=all needs no check of min.insync.replicas: Kafka caps it at the
        // partition's replica count (Partition.effectiveMinIsr), and each has one replica, in sync.
        const cfg = partitionLog.config;
        let records: Buffer;
        try {
          const valid = validateBatches(
            pd.records ?? EMPTY,
            cfg.maxMessageBytes,
            now,
            cfg.timestampBeforeMaxMs,
            cfg.timestampAfterMaxMs,
            { timestampType: cfg.timestampType, produceVersion: ctx.apiVersion },
          );
          // Kafka ignores a trailing partial batch; only whole batches are appended.
          records = valid.validBytes === pd.records!.length ? pd.records! : pd.records!.subarray(0, valid.validBytes);
          // A topic compression.type other than "producer" rewrites batches in another codec.
          const codec = targetCodec(cfg.compressionType);
          if (codec) records = recompress(records, codec);
          // Only a compacted topic decodes records: each needs a key (Kafka's LogValidator).
          if (cfg.cleanupPolicy.includes('compact')) rejectKeylessRecords(records, `${name}-${pd.index}`);
        } catch (e) {
          if (!(e instanceof RecordValidationError)) throw e;
          const f = failure(pd.index, e.errorCode, e.responseMessage);
          f.recordErrors = e.recordErrors.map((r) => ({ batchIndex: r.batchIndex, batchIndexErrorMessage: r.message }));
          log.debug(`produce to ${name}-${pd.index} from ${ctx.peer} rejected: ${e.message}`);
          answers[i] = f;
          return;
        }
        appending++;
        const txn = verifier && transactionalProducer(records);
        const append = txn
          ? verifier!.append({ transactionalId: req.transactionalId!, ...txn, topic: name, partition: pd.index, produceVersion: ctx.apiVersion }, partitionLog, () => partitionLog.append(records, appendOptions))
          : partitionLog.append(records, appendOptions);
        append.then(
          (r) => {
            if (replicas && req.acks === -1) {
              // acks=all: answered once the ISR has it (or at the request timeout).
              replicas.awaitReplication(name, pd.index, r.lastOffset + 1, req.timeoutMs).then((code) => {
                answers[i] = code === ErrorCode.NONE ? success(pd.index, r) : failure(pd.index, code, null);
                settled();
              });
              return;
            }
            answers[i] = success(pd.index, r);
            settled();
          },
          (e) => {
            answers[i] = appendFailure(pd.index, e, `${name}-${pd.index}`);
            settled();
          },
        );
      });
      return byId ? { topicId: topic.topicId, partitionResponses: answers } : { name: topic.name, partitionResponses: answers };
    });
    if (appending > 0) await new Promise<void>((resolve) => (appended = resolve));
    if (req.acks === 0) {
      // With no response to carry an error, Kafka closes the connection so the producer refreshes metadata.
      const failed = responses.flatMap((t) => t.partitionResponses.filter((p) => p.errorCode !== ErrorCode.NONE).map((p) => `${t.name ?? t.topicId}-${p.index}: error ${p.errorCode}`));
      if (failed.length > 0) ctx.closeConnection(`acks=0 produce failed (${failed.join(', ')})`);
      return undefined;
    }
    return leaderEndpoints.size > 0 ? { responses, throttleTimeMs: 0, nodeEndpoints: [...leaderEndpoints.values()] } : { responses, throttleTimeMs: 0 };
  },
}));

function success(index: number, r: AppendResult): PartitionResponse {
  return {
    index,
    errorCode: ErrorCode.NONE,
    baseOffset: r.baseOffset,
    logAppendTimeMs: r.logAppendTime,
    logStartOffset: r.logStartOffset,
    recordErrors: [],
    errorMessage: null,
  };
}

function failure(index: number, errorCode: number, message: string | null): PartitionResponse {
  return {
    index,
    errorCode,
    baseOffset: -1,
    logAppendTimeMs: -1,
    logStartOffset: -1,
    recordErrors: [],
    errorMessage: message,
  };
}

function appendFailure(index: number, e: unknown, partition: string): PartitionResponse {
  if (e instanceof KafkaError) return failure(index, e.errorCode, e.message);
  // A storage failure (disk full, I/O error) fails this partition, not the broker.
  log.error(`append to ${partition} failed: ${(e as Error)?.message ?? e}`);
  return failure(index, ErrorCode.KAFKA_STORAGE_ERROR, (e as Error)?.message ?? String(e));
}
