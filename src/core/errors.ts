/**
 * Typed errors shared by the browser, the CLI and the workers.
 *
 * Every error says what went wrong, where, and what to do. `code` is stable and machine-readable;
 * errors cross worker boundaries as plain `{name, code, message}` objects and are rebuilt with
 * `fromSerialized`, so the UI can branch on `code` instead of parsing messages.
 */

export type ErrorCode =
  | 'INVALID_ARGUMENT'
  | 'EMPTY_INPUT'
  | 'INPUT_TOO_LARGE'
  | 'MALFORMED_JSONL'
  | 'MODEL_NOT_FOUND'
  | 'MODEL_FILE_MISSING'
  | 'MODEL_FILE_CORRUPT'
  | 'MODEL_LOAD_FAILED'
  | 'MODEL_OUTPUT_INVALID'
  | 'BACKEND_UNAVAILABLE'
  | 'DOWNLOAD_FAILED'
  | 'STORAGE_FULL'
  | 'CANCELLED'
  | 'OUTPUT_IN_USE'
  | 'INTERNAL';

export class TokenSkipError extends Error {
  override name = 'TokenSkipError';
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }

  serialize(): SerializedError {
    return { name: this.name, code: this.code, message: this.message };
  }
}

export interface SerializedError {
  name: string;
  code: ErrorCode;
  message: string;
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
  return new TokenSkipError(value.code, value.message);
}

/** Wraps anything thrown into a TokenSkipError, keeping an existing code. */
export function toTokenSkipError(error: unknown, fallback: ErrorCode = 'INTERNAL'): TokenSkipError {
  if (error instanceof TokenSkipError) return error;
  if (isSerializedError(error)) return fromSerialized(error);
  const message = error instanceof Error ? error.message : String(error);
  return new TokenSkipError(fallback, message, { cause: error });
}
