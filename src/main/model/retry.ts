// When to retry a model call and how long to wait first. Pure: the clock and the dice are
// parameters so the policy can be tested exactly.

export interface Backoff {
  baseMs: number;
  maxMs: number;
}

/** The part of fetch's Headers this module reads. */
export interface HeaderLookup {
  get(name: string): string | null;
}

export const DEFAULT_BACKOFF: Backoff = { baseMs: 500, maxMs: 8_000 };

/** A provider asking for a longer pause than this is waited for this long, not for minutes. */
export const MAX_RETRY_AFTER_MS = 60_000;

/** 408 timeout, 409 conflict (OpenAI's "try again"), 429 rate limit and every server error. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 409 || status === 429 || status >= 500;
}

/** The wait the provider asked for: retry-after-ms first (OpenAI's), then retry-after in seconds or as an HTTP date. */
export function retryAfterMs(headers: HeaderLookup | undefined, now: number = Date.now()): number | null {
  if (!headers) return null;
  const ms = parseNonNegative(headers.get('retry-after-ms'));
  if (ms !== null) return Math.min(ms, MAX_RETRY_AFTER_MS);
  const value = headers.get('retry-after')?.trim();
  if (!value) return null;
  const seconds = parseNonNegative(value);
  if (seconds !== null) return Math.min(seconds * 1000, MAX_RETRY_AFTER_MS);
  const date = Date.parse(value);
  if (Number.isNaN(date)) return null;
  return Math.min(Math.max(0, date - now), MAX_RETRY_AFTER_MS);
}

/**
 * Exponential backoff after the given failed attempt (1-based), capped at maxMs, with up to 25%
 * taken off at random so that many calls failing together do not retry in lockstep.
 */
export function backoffMs(attempt: number, backoff: Backoff, random: number = Math.random()): number {
  const exponential = Math.min(backoff.maxMs, backoff.baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(exponential * (1 - 0.25 * random));
}

export interface RetryDelayInput {
  /** The attempt that just failed, 1-based. */
  attempt: number;
  headers?: HeaderLookup;
  backoff: Backoff;
  now?: number;
  random?: number;
}

export function retryDelayMs(input: RetryDelayInput): number {
  return retryAfterMs(input.headers, input.now) ?? backoffMs(input.attempt, input.backoff, input.random);
}

function parseNonNegative(value: string | null | undefined): number | null {
  if (value === null || value === undefined || !/^\s*\d+(\.\d+)?\s*$/.test(value)) return null;
  return Number(value);
}
