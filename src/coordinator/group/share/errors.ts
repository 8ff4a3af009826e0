// An error a share group API answers with (Kafka's ApiException): the code and Kafka's message.
import { ErrorCode } from '../../../protocol/errors.js';

export class ShareGroupError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

export const groupNotFound = (groupId: string) => new ShareGroupError(ErrorCode.GROUP_ID_NOT_FOUND, `Group ${groupId} not found.`);
export const shareGroupNotFound = (groupId: string) => new ShareGroupError(ErrorCode.GROUP_ID_NOT_FOUND, `Share group ${groupId} not found.`);
export const notShareGroup = (groupId: string) => new ShareGroupError(ErrorCode.GROUP_ID_NOT_FOUND, `Group ${groupId} is not a share group.`);
export const unknownMember = (groupId: string, memberId: string) =>
  new ShareGroupError(ErrorCode.UNKNOWN_MEMBER_ID, `Member ${memberId} is not a member of group ${groupId}.`);
