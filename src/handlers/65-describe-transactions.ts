// DescribeTransactions (key 65), v0 (KIP-664): each transactional id's state, producer id/epoch,
// timeout, start time and partitions, from the coordinator of its __transaction_state partition
// (NOT_COORDINATOR elsewhere, TRANSACTIONAL_ID_NOT_FOUND for an unknown id).
import { DescribeTransactionsRequest } from '../protocol/generated/describe-transactions-request.js';
import { DescribeTransactionsResponse } from '../protocol/generated/describe-transactions-response.js';
import { defineHandler } from './handler.js';
import { authorized, Op, Resource } from './authorize.js';
import { ErrorCode } from '../protocol/errors.js';

export default defineHandler<DescribeTransactionsRequest, DescribeTransactionsResponse>({
  apiKey: 65,
  minVersion: 0,
  maxVersion: 0,
  request: DescribeTransactionsRequest,
  response: DescribeTransactionsResponse,
  handle(ctx, req) {
    const denied = (transactionalId: string) => ({ errorCode: ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED, transactionalId, transactionState: '', transactionTimeoutMs: -1, transactionStartTimeMs: -1, producerId: -1, producerEpoch: -1, topics: [] });
    return { throttleTimeMs: 0, transactionStates: req.transactionalIds.map((id) => (authorized(ctx, Op.DESCRIBE, Resource.TRANSACTIONAL_ID, id) ? ctx.broker.transactions.describe(id) : denied(id))) };
  },
});
