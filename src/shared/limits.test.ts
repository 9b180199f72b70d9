import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS, describeDefault, LIMIT_KEYS, LIMITS, limitSpec } from './limits';
import { runLimitsSchema } from './limitsSchema';

describe('the table of limits', () => {
  it('gives each limit its own kebab-case flag', () => {
    const flags = LIMIT_KEYS.map((key) => limitSpec(key).flag);
    expect(new Set(flags).size).toBe(flags.length);
    for (const flag of flags) expect(flag).toMatch(/^--[a-z]+(-[a-z]+)*$/);
  });

  it('has defaults its own schema accepts, null only where a limit may be null', () => {
    expect(runLimitsSchema.parse(DEFAULT_LIMITS)).toEqual(DEFAULT_LIMITS);
    for (const key of LIMIT_KEYS) if (DEFAULT_LIMITS[key] === null) expect(limitSpec(key).nullMeans, key).toBeDefined();
  });

  it('keeps the defaults a run has always had', () => {
    expect(DEFAULT_LIMITS).toEqual({
      maxIterations: 30,
      maxDepth: 1,
      maxCalls: 1000,
      maxTokens: null,
      maxCostUsd: null,
      maxSeconds: 3600,
      cellTimeoutMs: 30_000,
      sandboxMemoryMb: null,
      concurrency: 8,
      outputChars: 20_000,
    });
  });

  it('derives each field of the schema from its range', () => {
    for (const key of LIMIT_KEYS) {
      const spec = limitSpec(key);
      const field = runLimitsSchema.shape[key];
      expect(field.safeParse(spec.max).success, key).toBe(true);
      expect(field.safeParse(spec.max + 1).success, key).toBe(false);
      // Whole numbers from min inclusive; other numbers above min.
      expect(field.safeParse(spec.min).success, key).toBe(spec.int);
      expect(field.safeParse(spec.min + 0.5).success, key).toBe(!spec.int);
      expect(field.safeParse(spec.min - 1).success, key).toBe(false);
      expect(field.safeParse(null).success, key).toBe(spec.nullMeans !== undefined);
    }
  });

  it('says each default in words: the number, what auto comes to, or none', () => {
    expect(describeDefault(LIMITS.maxIterations)).toBe('30');
    expect(describeDefault(LIMITS.maxCostUsd)).toBeNull();
    expect(describeDefault(LIMITS.sandboxMemoryMb)).toBe('2048 or 3× the input, whichever is larger');
  });
});
