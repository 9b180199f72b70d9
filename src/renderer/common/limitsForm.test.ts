import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../shared/limits';
import { emptyLimitsDraft, LIFTED_LIMITS, limitPlaceholder, limitsDraftFrom, LIMIT_FIELDS, parseLimits } from './limitsForm';

describe('limits form', () => {
  it('has one field per limit of the contract', () => {
    expect(LIMIT_FIELDS.map((f) => f.key).sort()).toEqual(Object.keys(DEFAULT_LIMITS).sort());
  });

  it('overrides only the fields given on a new run', () => {
    const draft = { ...emptyLimitsDraft(), maxIterations: '12', maxCostUsd: '$0.50', maxCalls: 'none' };
    expect(parseLimits(draft, 'override')).toEqual({ limits: { maxIterations: 12, maxCostUsd: 0.5, maxCalls: null }, errors: {} });
  });

  it('reads digit groups but not a decimal comma', () => {
    expect(parseLimits({ ...emptyLimitsDraft(), maxTokens: '1,000,000' }, 'override').limits).toEqual({ maxTokens: 1_000_000 });
    expect(parseLimits({ ...emptyLimitsDraft(), maxTokens: '1 000' }, 'override').limits).toEqual({ maxTokens: 1000 });
    expect(parseLimits({ ...emptyLimitsDraft(), maxCostUsd: '1,5' }, 'override').errors).toEqual({ maxCostUsd: 'must be a number' });
  });

  it('checks each field against the schema ranges', () => {
    const draft = { ...emptyLimitsDraft(), maxIterations: '0', maxDepth: '11', concurrency: '2.5', cellTimeoutMs: 'soon', maxCostUsd: '0' };
    expect(parseLimits(draft, 'override').errors).toEqual({
      maxIterations: 'must be at least 1',
      maxDepth: 'must be at most 10',
      concurrency: 'must be a whole number',
      cellTimeoutMs: 'must be a number',
      maxCostUsd: 'must be more than 0',
    });
  });

  it('refuses to lift a limit that cannot be lifted', () => {
    expect(parseLimits({ ...emptyLimitsDraft(), maxDepth: 'none' }, 'override').errors).toEqual({ maxDepth: 'this limit cannot be lifted' });
  });

  it('round-trips the defaults in full mode, empty meaning no limit', () => {
    const parsed = parseLimits(limitsDraftFrom(DEFAULT_LIMITS), 'full');
    expect(parsed).toEqual({ limits: DEFAULT_LIMITS, errors: {} });
  });

  it('requires the limits that have no null in full mode', () => {
    const { errors } = parseLimits(emptyLimitsDraft(), 'full');
    expect(Object.keys(errors).sort()).toEqual(['cellTimeoutMs', 'concurrency', 'maxDepth', 'maxIterations', 'outputChars']);
    expect(errors.maxIterations).toBe('required');
  });

  it('shows what null means as the placeholder', () => {
    const byKey = Object.fromEntries(LIMIT_FIELDS.map((f) => [f.key, f]));
    expect(limitPlaceholder(byKey.maxTokens!, null)).toBe('no limit');
    expect(limitPlaceholder(byKey.sandboxMemoryMb!, null)).toBe('auto');
    expect(limitPlaceholder(byKey.maxIterations!, 30)).toBe('30');
  });

  it('shows in Settings what an empty field means: no limit, auto, or the default of a limit that must be set', () => {
    expect(LIFTED_LIMITS).toEqual({ ...DEFAULT_LIMITS, maxCalls: null, maxTokens: null, maxCostUsd: null, maxSeconds: null, sandboxMemoryMb: null });
  });

  it('labels the fields as the table of limits does', () => {
    expect(LIMIT_FIELDS.map((f) => f.label)).toEqual(['Max iterations', 'Max depth', 'Max calls', 'Max tokens', 'Max cost (USD)', 'Max seconds', 'Cell timeout (ms)', 'Concurrency', 'Sandbox memory (MB)', 'Output chars per turn']);
  });
});
