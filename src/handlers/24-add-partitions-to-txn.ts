// AddPartitionsToTxn (key 24), v0-5. v0-3 come from transactional producers: one transaction,
// its partitions added (Ongoing) and written to __transaction_state before the answer. v4+ come
// from partition leaders, batched per transaction: verifyOnly checks a TV1 transactional produce's
// partition is in the transaction (TRANSACTION_ABORTABLE if not), otherwise the partitions of a
// TV2 produce (Produce v12+) are added. A partition the image does not have fails the whole
// transaction's request: UNKNOWN_TOPIC_OR_PARTITION for it, OPERATION_NOT_ATTEMPTED for the rest.
// Before v2 PRODUCER_FENCED is sent as INVALID_PRODUCER_EPOCH.
import type { RequestContext } from './handler.js';
import { AddPartitionsToTxnRequest, type AddPartitionsToTxnRequestAddPartitionsToTxnTopic } from '../protocol/generated/add-partitions-to-txn-request.js';
import { AddPartitionsToTxnResponse, type AddPartitionsToTxnResponseAddPartitionsToTxnTopicResult } from '../protocol/generated/add-partitions-to-txn-response.js';
import { ErrorCode } from '../protocol/errors.js';
import { defineHandler } from './handler.js';
import { authorized, Op, Resource } from './authorize.js';

interface Txn {
  transactionalId: string;
  producerId: number;
  producerEpoch: number;
  verifyOnly: boolean;
  topics: AddPartitionsToTxnRequestAddPartitionsToTxnTopic[];
}

export default defineHandler<AddPartitionsToTxnRequest, AddPartitionsToTxnResponse>({
  apiKey: 24,
  minVersion: 0,
  maxVersion: 5,
  request: AddPartitionsToTxnRequest,
  response: AddPartitionsToTxnResponse,
  async handle(ctx, req) {
    if (ctx.apiVersion < 4) {
      const txn: Txn = {
        transactionalId: req.v3AndBelowTransactionalId ?? '',
        producerId: req.v3AndBelowProducerId ?? -1,
        producerEpoch: req.v3AndBelowProducerEpoch ?? -1,
        verifyOnly: false,
        topics: req.v3AndBelowTopics ?? [],
      };
      return { throttleTimeMs: 0, resultsByTopicV3AndBelow: await handleTxn(ctx, txn) };
    }
    const transactions = req.transactions ?? [];
    const results = await Promise.all(transactions.map(async (t) => ({ transactionalId: t.transactionalId, topicResults: await handleTxn(ctx, t) })));
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, resultsByTransaction: results };
  },
});

async function handleTxn(ctx: RequestContext, txn: Txn): Promise<AddPartitionsToTxnResponseAddPartitionsToTxnTopicResult[]> {
  const partitions = txn.topics.flatMap((t) => t.partitions.map((partition) => ({ topic: t.name, partition })));
  const unknown = new Set<string>();
  for (const p of partitions) {
    const info = ctx.broker.topics.get(p.topic);
    if (!info || p.partition < 0 || p.partition >= info.partitions) unknown.add(`${p.topic}:${p.partition}`);
  }
  let errors: { topic: string; partition: number; errorCode: number }[];
  // WRITE on the transactional id, then on each topic (the rest OPERATION_NOT_ATTEMPTED), as Kafka authorizes.
  const deniedTopics = new Set(partitions.filter((p) => !authorized(ctx, Op.WRITE, Resource.TOPIC, p.topic)).map((p) => p.topic));
  if (!authorized(ctx, Op.WRITE, Resource.TRANSACTIONAL_ID, txn.transactionalId)) {
    errors = partitions.map((p) => ({ ...p, errorCode: ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED }));
  } else if (deniedTopics.size > 0) {
    errors = partitions.map((p) => ({ ...p, errorCode: deniedTopics.has(p.topic) ? ErrorCode.TOPIC_AUTHORIZATION_FAILED : ErrorCode.OPERATION_NOT_ATTEMPTED }));
  } else if (unknown.size > 0) {
    errors = partitions.map((p) => ({ ...p, errorCode: unknown.has(`${p.topic}:${p.partition}`) ? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION : ErrorCode.OPERATION_NOT_ATTEMPTED }));
  } else if (txn.verifyOnly) {
    errors = await ctx.broker.transactions.verifyOrAdd(txn.transactionalId, txn.producerId, txn.producerEpoch, partitions, false);
  } else {
    // v4+ adds come from leaders serving TV2 producers (KIP-890): the client's transaction version is 2.
    const tv = ctx.apiVersion >= 4 ? 2 : 0;
    let code = await ctx.broker.transactions.addPartitions(txn.transactionalId, txn.producerId, txn.producerEpoch, partitions, tv);
    if (ctx.apiVersion < 2 && code === ErrorCode.PRODUCER_FENCED) code = ErrorCode.INVALID_PRODUCER_EPOCH;
    errors = partitions.map((p) => ({ ...p, errorCode: code }));
  }
  const byTopic = new Map<string, AddPartitionsToTxnResponseAddPartitionsToTxnTopicResult>();
  for (const e of errors) {
    let t = byTopic.get(e.topic);
    if (!t) byTopic.set(e.topic, (t = { name: e.topic, resultsByPartition: [] }));
    t.resultsByPartition.push({ partitionIndex: e.partition, partitionErrorCode: e.errorCode });
  }
  return [...byTopic.values()];
}
