// EndTxn (key 26), v0-5: commits or aborts the producer's transaction. Answered once
// PrepareCommit/PrepareAbort is in __transaction_state; the markers follow in the background
// (CONCURRENT_TRANSACTIONS for the id until they are written). v5 (KIP-890, transaction version 2)
// bumps the producer epoch at every EndTxn and answers with the id/epoch to use next. Before v2
// PRODUCER_FENCED is sent as INVALID_PRODUCER_EPOCH.
import { EndTxnRequest } from '../protocol/generated/end-txn-request.js';
import { EndTxnResponse } from '../protocol/generated/end-txn-response.js';
import { ErrorCode } from '../protocol/errors.js';
import { defineHandler } from './handler.js';
import { authorized, Op, Resource } from './authorize.js';

export default defineHandler<EndTxnRequest, EndTxnResponse>({
  apiKey: 26,
  minVersion: 0,
  maxVersion: 5,
  request: EndTxnRequest,
  response: EndTxnResponse,
  async handle(ctx, req) {
    if (!authorized(ctx, Op.WRITE, Resource.TRANSACTIONAL_ID, req.transactionalId)) {
      return { throttleTimeMs: 0, errorCode: ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED, producerId: -1, producerEpoch: -1 };
    }
    const clientTransactionVersion = ctx.apiVersion >= 5 ? 2 : 0;
    const r = await ctx.broker.transactions.endTxn(req.transactionalId, req.producerId, req.producerEpoch, req.committed, clientTransactionVersion);
    const errorCode = ctx.apiVersion < 2 && r.errorCode === ErrorCode.PRODUCER_FENCED ? ErrorCode.INVALID_PRODUCER_EPOCH : r.errorCode;
    return { throttleTimeMs: 0, errorCode, producerId: r.producerId, producerEpoch: r.producerEpoch };
  },
});
