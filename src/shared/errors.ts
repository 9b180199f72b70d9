// Errors cross every boundary (IPC, WebSocket, CLI) as plain data with a stable code.

export const ERROR_CODES = [
  'INVALID_INPUT',
  'NOT_FOUND',
  'RUN_NOT_ACTIVE',
  'RUN_ACTIVE',
  'FILE_NOT_FOUND',
  'FILE_UNREADABLE',
  'BINARY_FILE',
  'INPUT_TOO_LARGE',
  'PROVIDER_AUTH',
  'PROVIDER_UNREACHABLE',
  'PROVIDER_ERROR',
  'SANDBOX_FAILED',
  'STORE_FAILED',
  'INTERNAL',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export interface ErrorData {
  code: ErrorCode;
  message: string;
}

export class RlmError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string) {
    super(message);
    this.name = 'RlmError';
    this.code = code;
  }

  toData(): ErrorData {
    return { code: this.code, message: this.message };
  }
}

/** Turns anything thrown into error data; unknown errors keep their message, not their stack. */
export function toErrorData(error: unknown): ErrorData {
  if (error instanceof RlmError) return error.toData();
  if (isErrorData(error)) return { code: error.code, message: error.message };
  const message = error instanceof Error ? error.message : String(error);
  return { code: 'INTERNAL', message };
}

export function isErrorData(value: unknown): value is ErrorData {
  if (typeof value !== 'object' || value === null) return false;
  const { code, message } = value as Record<string, unknown>;
  return typeof message === 'string' && (ERROR_CODES as readonly unknown[]).includes(code);
}

export function fromErrorData(data: ErrorData): RlmError {
  return new RlmError(data.code, data.message);
}
