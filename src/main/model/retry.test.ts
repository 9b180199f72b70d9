import { describe, expect, it } from 'vitest';
import { backoffMs, isRetryableStatus, MAX_RETRY_AFTER_MS, retryAfterMs, retryDelayMs } from './retry';

const headers = (values: Record<string, string>): Headers => new Headers(values);
const backoff = { baseMs: 500, maxMs: 8000 };

describe('isRetryableStatus', () => {
  it('retries rate limits, timeouts, conflicts and server errors only', () => {
    expect([408, 409, 429, 500, 502, 503, 529].every(isRetryableStatus)).toBe(true);
    expect([400, 401, 403, 404, 422].some(isRetryableStatus)).toBe(false);
  });
});

describe('retryAfterMs', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');

  it('prefers retry-after-ms over retry-after', () => {
    expect(retryAfterMs(headers({ 'retry-after-ms': '250', 'retry-after': '9' }), now)).toBe(250);
  });

  it('reads retry-after as seconds, fractions included', () => {
    expect(retryAfterMs(headers({ 'retry-after': '2' }), now)).toBe(2000);
    expect(retryAfterMs(headers({ 'retry-after': '0.5' }), now)).toBe(500);
  });

  it('reads retry-after as an HTTP date relative to now, never negative', () => {
    expect(retryAfterMs(headers({ 'retry-after': 'Thu, 01 Jan 2026 00:00:07 GMT' }), now)).toBe(7000);
    expect(retryAfterMs(headers({ 'retry-after': 'Wed, 31 Dec 2025 23:00:00 GMT' }), now)).toBe(0);
  });

  it('caps what the provider asks for at 60 s', () => {
    expect(retryAfterMs(headers({ 'retry-after': '3600' }), now)).toBe(MAX_RETRY_AFTER_MS);
    expect(retryAfterMs(headers({ 'retry-after-ms': '999999' }), now)).toBe(MAX_RETRY_AFTER_MS);
  });

  it('ignores missing and unreadable headers', () => {
    expect(retryAfterMs(undefined, now)).toBeNull();
    expect(retryAfterMs(headers({}), now)).toBeNull();
    expect(retryAfterMs(headers({ 'retry-after': 'soon' }), now)).toBeNull();
    expect(retryAfterMs(headers({ 'retry-after-ms': '-5', 'retry-after': '1' }), now)).toBe(1000);
  });
});

describe('backoffMs', () => {
  it('doubles per attempt up to the cap', () => {
    expect([1, 2, 3, 4, 5, 6].map((a) => backoffMs(a, backoff, 0))).toEqual([500, 1000, 2000, 4000, 8000, 8000]);
  });

  it('takes up to a quarter off at random, never adding', () => {
    expect(backoffMs(1, backoff, 1)).toBe(375);
    expect(backoffMs(3, backoff, 0.5)).toBe(1750);
    for (let i = 0; i < 100; i++) {
      const d = backoffMs(2, backoff);
      expect(d).toBeGreaterThanOrEqual(750);
      expect(d).toBeLessThanOrEqual(1000);
    }
  });
});

describe('retryDelayMs', () => {
  it('uses the header when there is one, backoff otherwise', () => {
    expect(retryDelayMs({ attempt: 3, headers: headers({ 'retry-after-ms': '50' }), backoff, random: 0 })).toBe(50);
    expect(retryDelayMs({ attempt: 3, headers: headers({}), backoff, random: 0 })).toBe(2000);
    expect(retryDelayMs({ attempt: 1, backoff: { baseMs: 10, maxMs: 20 }, random: 0 })).toBe(10);
  });
});
