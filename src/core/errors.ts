/**
 * Typed errors shared by the browser, the CLI and the workers.
 *
 * Every error says what went wrong, where, and what to do. `code` is stable and machine-readable;
 * errors cross worker boundaries as plain `{name, code, message, detail}` objects and are rebuilt
 * with `fromSerialized`, so the UI can branch on `code` instead of parsing messages.
 *
 * Errors that can reach a page also carry a `detail`: a stable message id and its parameters
 * (error-messages.ts). The English `message` is built from the same table, so the CLI prints it
 * unchanged, while the app renders the detail from its message table in the chosen language:
 *
 *   throw new TokenSkipError('MODEL_FILE_CORRUPT', {
 *     id: 'fileSizeMismatch',
 *     params: { where: 'onnx/model.onnx', actual: 10, expected: 20 },
 *   });
 */
import { errorText, type ErrorDetail } from './error-messages.ts';

export type { ErrorDetail, ErrorMessageId } from './error-messages.ts';

/** Every code, in one list (the union below is derived from it; tests walk it). */
export const ERROR_CODES = [
  'INVALID_ARGUMENT',
  'EMPTY_INPUT',
  'INPUT_TOO_LARGE',
  'MALFORMED_JSONL',
  'MODEL_NOT_FOUND',
  'MODEL_FILE_MISSING',
  'MODEL_FILE_CORRUPT',
  'MODEL_LOAD_FAILED',
  'MODEL_OUTPUT_INVALID',
  'BACKEND_UNAVAILABLE',
  'DOWNLOAD_FAILED',
  'STORAGE_FULL',
  'CANCELLED',
  'OUTPUT_IN_USE',
  'INTERNAL',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export class TokenSkipError extends Error {
  override name = 'TokenSkipError';
  readonly code: ErrorCode;
  /** The message id and parameters the app renders in its language; absent for CLI-only errors. */
  readonly detail: ErrorDetail | undefined;

  /** `message` is English text, or a detail whose English text becomes the message. */
  constructor(code: ErrorCode, message: string | ErrorDetail, options?: { cause?: unknown }) {
    super(typeof message === 'string' ? message : errorText(message), options);
    this.code = code;
    this.detail = typeof message === 'string' ? undefined : message;
  }

  serialize(): SerializedError {
    return {
      name: this.name,
      code: this.code,
      message: this.message,
      ...(this.detail ? { detail: this.detail } : {}),
    };
  }
}

export interface SerializedError {
  name: string;
  code: ErrorCode;
  message: string;
  detail?: ErrorDetail;
}

export function isSerializedError(value: unknown): value is SerializedError {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as SerializedError).code === 'string' &&
    typeof (value as SerializedError).message === 'string'
  );
}

export function fromSerialized(value: SerializedError): TokenSkipError {
  // The detail (plain data) rebuilds the same English message from the same table.
  return new TokenSkipError(value.code, value.detail ?? value.message);
}

/** Wraps anything thrown into a TokenSkipError, keeping an existing code. */
export function toTokenSkipError(error: unknown, fallback: ErrorCode = 'INTERNAL'): TokenSkipError {
  if (error instanceof TokenSkipError) return error;
  if (isSerializedError(error)) return fromSerialized(error);
  const message = error instanceof Error ? error.message : String(error);
  return new TokenSkipError(fallback, message, { cause: error });
}
