// The text `show` line of a node: figures that are estimates (no usage reported, or attempts
// given up on counted at the most they can have cost) say so, as the page and `show --json` do.
import { describe, expect, it } from 'vitest';
import type { NodeRow } from '../../shared/domain/node';
import { nodeLine } from './format';

const call = (usageEstimated: boolean): NodeRow => ({
  id: 4,
  parentId: 3,
  kind: 'llm',
  depth: 0,
  seq: 0,
  status: 'stopped',
  startedAt: 0,
  endedAt: 1400,
  label: 'item 0',
  model: 's',
  purpose: 'sub',
  inputTokens: 86,
  outputTokens: 16384,
  cachedTokens: 0,
  costUsd: 0.164,
  usageEstimated,
  subtree: { pricedCostUsd: 0.164, unpricedCalls: 0, inputTokens: 86, outputTokens: 16384, modelCalls: 1 },
});

describe('nodeLine', () => {
  it('marks estimated figures, and only those', () => {
    expect(nodeLine(call(true), 2)).toContain('86→16384 tok $0.164 (estimated)');
    expect(nodeLine(call(false), 2)).not.toContain('estimated');
  });

  it('says a call of unknown usage is unknown, not 0 tokens nor estimated', () => {
    const line = nodeLine({ ...call(true), inputTokens: null, outputTokens: null, cachedTokens: null, costUsd: null }, 0);
    expect(line).toContain('?→? tok (unknown)');
    expect(line).not.toContain('estimated');
    expect(line).not.toContain('0→0');
  });
});
