import { describe, expect, it } from 'vitest';
import type { RlmEvent } from '../../shared/api';
import type { NodeRow } from '../../shared/domain/node';
import type { RunTotals } from '../../shared/domain/run';
import type { RunSignal } from '../../shared/domain/signals';
import { emptyTotals } from '../../shared/domain/run';
import { counted } from './format';
import { Progress } from './progress';

function fakeStream(isTTY: boolean) {
  const written: string[] = [];
  return { stream: { isTTY, write: (text: string) => written.push(text) }, written };
}

function node(id: number, kind: NodeRow['kind'], depth: number, status: NodeRow['status'] = 'running', purpose: NodeRow['purpose'] = null): NodeRow {
  return {
    id, parentId: null, kind, depth, seq: 0, status, startedAt: 0, endedAt: null, label: '', model: null, purpose,
    inputTokens: null, outputTokens: null, cachedTokens: null, costUsd: null, usageEstimated: false,
    subtree: { pricedCostUsd: 0, unpricedCalls: 0, inputTokens: 0, outputTokens: 0, modelCalls: 0 },
  };
}

const added = (n: NodeRow): RlmEvent => ({ type: 'run.nodeAdded', runId: 'r', node: n });
const updated = (n: NodeRow): RlmEvent => ({ type: 'run.nodeUpdated', runId: 'r', node: n });
const totals = (t: Partial<RunTotals>): RlmEvent => ({ type: 'run.totalsChanged', runId: 'r', totals: { ...emptyTotals(), ...t } });

/** A root that takes two turns; between them a child RLM at depth 1 takes three of its own. */
function playRun(progress: Progress): void {
  progress.onEvent(added(node(1, 'rlm', 0)));
  progress.onEvent(added(node(2, 'llm', 0, 'running', 'turn')));
  progress.onEvent(totals({ modelCalls: 1, inputTokens: 100, outputTokens: 10, costUsd: 0.001, pricedCostUsd: 0.001 }));
  progress.onEvent(added(node(3, 'cell', 0)));
  progress.onEvent(added(node(4, 'rlm', 1)));
  for (const id of [5, 6, 7]) progress.onEvent(added(node(id, 'llm', 1, 'running', 'turn')));
  expect(progress.depth()).toBe(1);
  progress.onEvent(updated(node(4, 'rlm', 1, 'completed')));
  expect(progress.depth()).toBe(0);
  progress.onEvent(added(node(8, 'llm', 0, 'running', 'turn')));
  // The last totals event the subscriber saw is behind the run's real end.
  progress.onEvent(totals({ modelCalls: 4, inputTokens: 400, outputTokens: 40, costUsd: 0.0151, pricedCostUsd: 0.0151 }));
}

const FINAL = { ...emptyTotals(), modelCalls: 5, inputTokens: 500, outputTokens: 50, costUsd: 0.0187, pricedCostUsd: 0.0187, iterations: 5, maxDepthReached: 1, durationMs: 2500 };

describe('Progress', () => {
  it('counts the root turns only, shows the current depth, and ends on the run\'s final totals (not a terminal)', () => {
    let now = 1000;
    const { stream, written } = fakeStream(false);
    const progress = new Progress(stream, { now: () => now });
    playRun(progress);
    now = 3000;
    progress.stop(FINAL);
    progress.stop(FINAL);
    expect(written).toEqual([
      'turn 1 · depth 0 · 0 calls · 0 tokens · $0.00 · 0 ms\n',
      'turn 2 · depth 0 · 1 call · 110 tokens · $0.00100 · 0 ms\n',
      'turn 2 · deepest 1 · 5 calls · 550 tokens · $0.0187 · 2.5 s\n',
    ]);
  });

  it('on a terminal, redraws one line in place and prints the final line once', async () => {
    const { stream, written } = fakeStream(true);
    const progress = new Progress(stream, { redrawMs: 5, now: () => 0 });
    playRun(progress);
    progress.onEvent(added(node(9, 'rlm', 1)));
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(written.at(-1)).toBe('\r\x1b[Kturn 2 · depth 1 · 4 calls · 440 tokens · $0.0151 · 0 ms');
    progress.stop(FINAL);
    progress.stop(FINAL);
    progress.onEvent(totals({ modelCalls: 99 }));
    await new Promise((resolve) => setTimeout(resolve, 30));
    const finals = written.filter((text) => text.includes('$0.0187'));
    expect(finals).toEqual(['turn 2 · deepest 1 · 5 calls · 550 tokens · $0.0187 · 2.5 s\n']);
    expect(written.at(-1)).toBe(finals[0]);
    // No per-turn lines on a terminal: only redraws, the clear before the end, and the end.
    expect(written.filter((text) => text.endsWith('\n'))).toHaveLength(1);
  });

  it('reports a limit on its own line', () => {
    const { stream, written } = fakeStream(false);
    const progress = new Progress(stream);
    progress.onEvent({ type: 'run.limitReached', runId: 'r', reason: 'max-cost', message: 'the cost limit of $0.01 is reached' });
    expect(written).toEqual(['limit reached: the cost limit of $0.01 is reached\n']);
  });

  it('prints each signal once, when it first appears: not again as it changes, nor when withdrawn or back; what it quotes shown, never obeyed', () => {
    const { stream, written } = fakeStream(false);
    const progress = new Progress(stream);
    const duplicates = (copies: number): RunSignal => ({ kind: 'duplicate-subcalls', nodeId: 3, message: `${copies} sub-calls repeated an earlier (model, prompt).`, costUsd: null });
    const forecast: RunSignal = { kind: 'budget-forecast', nodeId: null, message: 'The cost limit is 20 s away.', costUsd: 1 };
    const hostile: RunSignal = { kind: 'answer-discarded', nodeId: 7, message: 'Heuristic: "\x1b]0;owned\x07 42\nsecond line" was set aside.', costUsd: 0 };
    const told = (...signals: RunSignal[]): RlmEvent => ({ type: 'run.signalsChanged', runId: 'r', signals });
    progress.onEvent(told(duplicates(1)));
    progress.onEvent(told(duplicates(2), forecast));
    progress.onEvent(told(duplicates(3)));
    progress.onEvent(told(duplicates(4), forecast, hostile));
    expect(written).toEqual([
      'signal: duplicate-subcalls: 1 sub-calls repeated an earlier (model, prompt). (node #3)\n',
      'signal: budget-forecast: The cost limit is 20 s away.\n',
      'signal: answer-discarded: Heuristic: "␛]0;owned␇ 42 second line" was set aside. (node #7)\n',
    ]);
  });
});

describe('counted', () => {
  it('says "1 call" and "2 calls", with thousands separated', () => {
    expect([counted(1, 'call'), counted(0, 'turn'), counted(1234, 'call')]).toEqual(['1 call', '0 turns', '1,234 calls']);
  });
});

describe('reading a large input', () => {
  it('prints a line per progress event, the last of the stored pass saying what comes next', () => {
    const { stream, written } = fakeStream(false);
    const progress = new Progress(stream);
    const event = (phase: 'checking' | 'storing', doneBytes: number): RlmEvent => ({ type: 'run.inputProgress', runId: 'r', name: 'big\u001b[31m.log', phase, doneBytes, totalBytes: 2 * 1024 ** 3 });
    progress.onEvent(event('checking', 1024 ** 3));
    progress.onEvent(event('storing', 2 * 1024 ** 3));
    expect(written).toEqual([
      'reading big\u241b[31m.log: checked 1.0 GB of 2.0 GB (50%)\n',
      'reading big\u241b[31m.log: stored 2.0 GB of 2.0 GB (100%); the sandbox reads it next\n',
    ]);
  });
});
