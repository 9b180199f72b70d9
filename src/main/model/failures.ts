// What went wrong in one attempt at a model call, in terms the retry loop can act on, and the
// RlmError the user sees once retrying is over.
import { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';
import { RlmError } from '../../shared/errors';
import { replyTooLarge } from './replyLimit';
import { isRetryableStatus, type HeaderLookup } from './retry';

export type FailureKind =
  /** The provider answered with an HTTP error status. */
  | 'status'
  /** No connection: refused, DNS, reset before any answer. */
  | 'connection'
  /** The per-attempt timeout ran out. */
  | 'timeout'
  /** The stream stopped before a finish_reason: socket closed mid-reply. */
  | 'cut'
  /** The provider sent an error event inside the stream. */
  | 'stream-error'
  /** The provider sent something that is not the wire format; retrying would not change it. */
  | 'malformed'
  /** The reply passed MAX_REPLY_BYTES (replyLimit.ts): refused, and not asked for again. */
  | 'too-large';

export interface Failure {
  kind: FailureKind;
  retryable: boolean;
  message: string;
  status?: number;
  headers?: HeaderLookup;
  /** A connection failure that proves the request never reached the server (refused, DNS, TLS). */
  neverSent?: boolean;
}

/**
 * Codes in a fetch error's cause chain that mean no connection was made, so no request was sent.
 * Anything else (ECONNRESET, "socket hang up", "terminated") may come after the server took the
 * request: a reply asked for whole arrives only once generated, so a reset while waiting for it
 * — a proxy's idle timeout — may be billed in full.
 */
const NEVER_SENT = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EAI_FAIL',
  'EAI_NONAME',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
  'EADDRNOTAVAIL',
  'UND_ERR_CONNECT_TIMEOUT',
  'CERT_HAS_EXPIRED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

function neverSent(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < 6 && typeof current === 'object' && current !== null; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && NEVER_SENT.has(code)) return true;
    // fetch refuses the ports the Fetch standard blocks (6000, 6665-6669, ...) before connecting.
    if (current instanceof Error && current.message === 'bad port') return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

export interface FailureContext {
  model: string;
  baseUrl: string;
  timeoutMs: number;
  attempts: number;
}

export const timeoutFailure = (): Failure => ({ kind: 'timeout', retryable: true, message: 'timed out' });

export const cutFailure = (message = 'the stream ended before a finish_reason'): Failure => ({
  kind: 'cut',
  retryable: true,
  message,
});

/** Classifies what the openai SDK (or the stream under it) threw. Abort is handled by the caller. */
export function classifyError(error: unknown): Failure {
  const tooLarge = replyTooLarge(error);
  if (tooLarge) return { kind: 'too-large', retryable: false, message: tooLarge.message };
  // Subclasses before their parents: a timeout is a connection error is an APIError.
  if (error instanceof APIConnectionTimeoutError) return timeoutFailure();
  if (error instanceof APIConnectionError) {
    return { kind: 'connection', retryable: true, message: causeCode(error) ?? describe(error), ...(neverSent(error) ? { neverSent: true } : {}) };
  }
  if (error instanceof APIUserAbortError) return cutFailure(describe(error));
  if (error instanceof APIError) {
    const message = providerMessage(error);
    if (typeof error.status === 'number') {
      return { kind: 'status', retryable: isRetryableStatus(error.status), message, status: error.status, headers: error.headers };
    }
    return { kind: 'stream-error', retryable: true, message };
  }
  if (error instanceof SyntaxError) return { kind: 'malformed', retryable: false, message: error.message };
  // Anything else comes from reading the body: undici's "terminated" when the socket closes.
  return cutFailure(describe(error));
}

/** Some OpenAI-compatible servers reject stream_options; such a call is repeated without it. */
export function rejectsStreamOptions(failure: Failure): boolean {
  return failure.kind === 'status' && failure.status === 400 && failure.message.includes('stream_options');
}

/** A server that knows only `max_tokens` rejects the newer name; such a call is repeated with the old one. */
export function rejectsMaxCompletionTokens(failure: Failure): boolean {
  return failure.kind === 'status' && failure.status === 400 && failure.message.includes('max_completion_tokens');
}

/**
 * Statuses a proxy in front of the model answers with when it gave up waiting (502 bad gateway,
 * 504 and Cloudflare's 524 timeouts): the model behind it may have taken the request and may go
 * on generating, and billing, a reply asked for whole.
 */
const GATEWAY_TIMEOUTS = new Set([502, 504, 524]);

/**
 * Whether the provider may have billed a failed attempt. An HTTP error status (429, 500, 503, 400)
 * comes before any generation, except a gateway's timeout, and a connection that never opened reached no model (neverSent); anything
 * that failed after the request was taken (a cut stream, a timeout, an error mid-stream, a reply
 * we could not read) may have been billed for its input and what it generated.
 */
export function mayBeBilled(failure: Failure): boolean {
  if (failure.kind === 'connection') return failure.neverSent !== true;
  if (failure.kind === 'status') return failure.status !== undefined && GATEWAY_TIMEOUTS.has(failure.status);
  return true;
}

/** Short text for onRetry and logs. */
export function failureReason(failure: Failure): string {
  switch (failure.kind) {
    case 'status':
      return `${failure.status} ${failure.message}`;
    case 'connection':
      return `connection failed: ${failure.message}`;
    case 'timeout':
      return 'timed out';
    case 'cut':
      return `reply cut off: ${failure.message}`;
    case 'stream-error':
      return `error in stream: ${failure.message}`;
    case 'malformed':
      return `malformed reply: ${failure.message}`;
    case 'too-large':
      return `reply refused: ${failure.message}`;
  }
}

export function toRlmError(failure: Failure, context: FailureContext): RlmError {
  const { model, baseUrl, timeoutMs, attempts } = context;
  const after = attempts > 1 ? ` (after ${attempts} attempts)` : '';
  switch (failure.kind) {
    case 'status':
      if (failure.status === 401 || failure.status === 403) {
        return new RlmError('PROVIDER_AUTH', `the provider rejected the API key (${failure.status}): ${failure.message}`);
      }
      return new RlmError('PROVIDER_ERROR', `${failure.status} from ${model}: ${failure.message}${after}`);
    case 'connection':
      return new RlmError('PROVIDER_UNREACHABLE', `cannot reach ${baseUrl}: ${failure.message}${after}`);
    case 'timeout':
      return new RlmError('PROVIDER_ERROR', `no complete reply from ${model} within ${timeoutMs} ms${after}`);
    case 'cut':
      return new RlmError('PROVIDER_ERROR', `the reply from ${model} was cut off: ${failure.message}${after}`);
    case 'stream-error':
      return new RlmError('PROVIDER_ERROR', `${model} reported an error: ${failure.message}${after}`);
    case 'malformed':
      return new RlmError('PROVIDER_ERROR', `malformed reply from ${model}: ${failure.message}`);
    case 'too-large':
      return new RlmError('PROVIDER_ERROR', `the reply from ${model} was refused: ${failure.message}, far more than a model writes; the server at ${baseUrl} or a proxy in front of it is misbehaving`);
  }
}

/** The provider's own words, without the SDK's status prefix. */
function providerMessage(error: APIError): string {
  const body = error.error as { message?: unknown } | undefined;
  if (typeof body?.message === 'string' && body.message) return body.message;
  return error.message;
}

/** The errno-style code buried in fetch's cause chain (ECONNREFUSED, ENOTFOUND, ...). */
function causeCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 6 && typeof current === 'object' && current !== null; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? ` (${error.cause.message})` : '';
  return `${error.message}${cause}`;
}
