// ListTransactions (key 66), v0-2 (KIP-664): the transactional ids this broker coordinates,
// filtered by state names (unknown ones echoed in unknownStateFilters), producer ids, v1's
// duration (running longer than it) and v2's id pattern (KIP-1152: a regular expression the
// whole id must match; INVALID_REGULAR_EXPRESSION when it does not compile). Empty filters match all.
import { ListTransactionsRequest } from '../protocol/generated/list-transactions-request.js';
import { ListTransactionsResponse } from '../protocol/generated/list-transactions-response.js';
import { ErrorCode } from '../protocol/errors.js';
import { defineHandler } from './handler.js';
import { authorized, Op, Resource } from './authorize.js';

export default defineHandler<ListTransactionsRequest, ListTransactionsResponse>({
  apiKey: 66,
  minVersion: 0,
  maxVersion: 2,
  request: ListTransactionsRequest,
  response: ListTransactionsResponse,
  handle(ctx, req) {
    let pattern: RegExp | null = null;
    if (req.transactionalIdPattern) {
      try {
        pattern = new RegExp(`^(?:${req.transactionalIdPattern})$`, 'u');
      } catch {
        return { throttleTimeMs: 0, errorCode: ErrorCode.INVALID_REGULAR_EXPRESSION, unknownStateFilters: [], transactionStates: [] };
      }
    }
    const r = ctx.broker.transactions.list(req.stateFilters, req.producerIdFilters, req.durationFilter ?? -1, pattern);
    // Only the transactional ids the principal may describe are listed.
    r.transactionStates = r.transactionStates.filter((s) => authorized(ctx, Op.DESCRIBE, Resource.TRANSACTIONAL_ID, s.transactionalId));
    return { throttleTimeMs: 0, ...r };
  },
});
