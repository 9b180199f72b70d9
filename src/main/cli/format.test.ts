// The text `show` line of a node: figures that are estimates (no usage reported, or attempts
// given up on counted at the most they can have cost) say so, as the page and `show --json` do.
// A fork (issue 12) says where it comes from, and which of its calls its parent's recording answered.
import { describe, expect, it } from 'vitest';
import type { NodeRow } from '../../shared/domain/node';
import type { RunSummary } from '../../shared/domain/run';
import { forkLine, nodeJson, nodeLine, runLine, summaryJson, terminalSafe } from './format';

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

const cachedCall: NodeRow = { ...call(false), status: 'completed', cached: true, inputTokens: null, outputTokens: null, cachedTokens: null, costUsd: null, subtree: { pricedCostUsd: 0, unpricedCalls: 0, inputTokens: 0, outputTokens: 0, modelCalls: 0 } };

const summary = (over: Partial<RunSummary> = {}): RunSummary => ({
  runId: 'r-fork', status: 'completed', answer: '42', stopReason: null, error: null, query: 'how many?', rootModel: 'm', subModel: 's',
  createdAt: 1_000, endedAt: 2_000, durationMs: 1_000, costUsd: 0.5, pricedCostUsd: 0.5, unpricedCalls: 0, inputTokens: 10, outputTokens: 2,
  cachedTokens: 0, modelCalls: 1, iterations: 2, maxDepthReached: 0, ...over,
});

describe('a fork on the terminal', () => {
  it('tags a call answered from the parent\'s recording after its status, with no tokens or cost', () => {
    const line = nodeLine(cachedCall, 1);
    expect(line).toMatch(/^ {2}#4 llm:sub \[completed\] \[cached\] s 1\.4 s {2}item 0$/);
    expect(nodeLine(call(false), 1)).not.toContain('[cached]');
  });

  it('marks cached nodes in show --json, and only those; names the edit a node made', () => {
    expect(nodeJson(cachedCall, { text: 'recorded' })).toMatchObject({ cached: true, inputTokens: 0, outputTokens: 0, costUsd: null, text: 'recorded' });
    expect(nodeJson(call(false), { text: 'live' })).not.toHaveProperty('cached');
    expect(nodeJson({ ...call(false), kind: 'cell', purpose: null }, { code: 'x', forkEdit: { nodeId: 9 } })).toMatchObject({ forkEdit: { nodeId: 9 } });
    expect(nodeJson({ ...call(false), kind: 'cell', purpose: null }, { code: 'x' })).not.toHaveProperty('forkEdit');
  });

  it('puts forkedFrom (or null) and cachedCalls in the run\'s JSON', () => {
    expect(summaryJson(summary({ forkedFrom: { runId: 'r-parent', nodeId: 7 }, cachedCalls: 3 }))).toMatchObject({ forkedFrom: { runId: 'r-parent', nodeId: 7 }, cachedCalls: 3, modelCalls: 1 });
    expect(summaryJson(summary({ forkedFrom: { runId: 'r-parent', nodeId: null } }))).toMatchObject({ forkedFrom: { runId: 'r-parent', nodeId: null }, cachedCalls: 0 });
    // A summary built by hand without them is no fork.
    expect(summaryJson(summary())).toMatchObject({ forkedFrom: null, cachedCalls: 0 });
    expect(JSON.parse(JSON.stringify(summaryJson(summary())))).toHaveProperty('forkedFrom', null);
  });

  it('says in show\'s header where a fork comes from, and tags it in the runs list', () => {
    expect(forkLine(summary({ forkedFrom: { runId: 'r-parent', nodeId: 7 }, cachedCalls: 3 }))).toBe('forked from r-parent at node 7 (3 calls answered from its recording)');
    expect(forkLine(summary({ forkedFrom: { runId: 'r-parent', nodeId: 7 }, cachedCalls: 0 }))).toBe('forked from r-parent at node 7');
    expect(forkLine(summary({ forkedFrom: { runId: 'r-parent', nodeId: null }, cachedCalls: 1 }))).toBe('forked from r-parent with other settings (1 call answered from its recording)');
    expect(forkLine(summary({ forkedFrom: null }))).toBeNull();
    expect(runLine(summary({ forkedFrom: { runId: 'r-parent', nodeId: 7 } }))).toContain('  [fork] how many?');
    expect(runLine(summary())).not.toContain('[fork]');
  });
});

describe('terminalSafe', () => {
  it('shows escape sequences instead of obeying them, and keeps newlines and tabs', () => {
    expect(terminalSafe('a\u001b[2Jb\r\nc\td\u009b')).toBe('a\u241b[2Jb\nc\td\ufffd');
  });

  it('neutralises every bidirectional control, so a line cannot be reordered on screen', () => {
    const controls = ['\u061c', '\u200e', '\u200f', '\u202a', '\u202b', '\u202c', '\u202d', '\u202e', '\u2066', '\u2067', '\u2068', '\u2069'];
    for (const c of controls) expect(terminalSafe(`ok${c}evil`)).toBe('ok\ufffdevil');
  });

  it('keeps right-to-left text itself', () => {
    expect(terminalSafe('שלום مرحبا')).toBe('שלום مرحبا');
  });
});
