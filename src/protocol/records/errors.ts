// The error that carries a Kafka error code out of the record layer.
import { ErrorCode } from '../errors.js';

export const {
  UNKNOWN_SERVER_ERROR,
  CORRUPT_MESSAGE,
  MESSAGE_TOO_LARGE,
  INVALID_TIMESTAMP,
  UNSUPPORTED_COMPRESSION_TYPE,
  INVALID_RECORD,
} = ErrorCode;

/** A record that Kafka's validator would name in the produce response's record_errors. */
export interface RecordError {
  batchIndex: number;
  message: string | null;
}

export class RecordValidationError extends Error {
  override readonly name = 'RecordValidationError';
  readonly errorCode: number;
  /** The records Kafka names in the produce response's record_errors. */
  readonly recordErrors: RecordError[];
  /**
   * The produce response's error_message: Kafka sets it only for per-record refusals
   * (RecordValidationException) and leaves it null for whole-batch ones.
   */
  readonly responseMessage: string | null;

  constructor(errorCode: number, message: string, recordErrors: RecordError[] = [], perRecord = false) {
    super(message);
    this.errorCode = errorCode;
    this.recordErrors = recordErrors;
    this.responseMessage = perRecord ? message : null;
  }
}
