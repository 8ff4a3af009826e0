// The errors a consumer group API answers with, carrying Kafka's message (the response's ErrorMessage).
import { ErrorCode } from '../../../protocol/errors.js';

export class GroupApiError extends Error {
  constructor(
    readonly errorCode: number,
    message: string,
  ) {
    super(message);
  }
}

export class FencedMemberEpochError extends GroupApiError {
  constructor(message: string) {
    super(ErrorCode.FENCED_MEMBER_EPOCH, message);
  }
}

export const invalidRequest = (message: string) => new GroupApiError(ErrorCode.INVALID_REQUEST, message);
