import { describe, expect, it } from 'vitest';
import type { RunSignal } from '../../shared/domain/signals';
import { chain, fan } from '../testing/nodeFixtures';
import { flaggedAncestors, indexSignals, NO_SIGNALS, shownMessage, shownSignals, signalCost, signalCount, signalLines } from './signals';
import { buildTree } from './treeModel';

const signal = (patch: Partial<RunSignal> = {}): RunSignal => ({ kind: 'duplicate-subcalls', nodeId: 2, message: 'The same prompt was sent 3 times.', costUsd: 0.0012, ...patch });

describe('run-away signals for the view', () => {
  it('are indexed by node; run-wide ones only in the whole set', () => {
    const a = signal({ nodeId: 2 });
    const b = signal({ kind: 'subcall-explosion', nodeId: 2 });
    const c = signal({ kind: 'repetition', nodeId: 5 });
    const run = signal({ kind: 'budget-forecast', nodeId: null });
    const index = indexSignals([a, run, b, c]);
    expect(index.all).toEqual([a, run, b, c]);
    expect([...index.byNode.keys()]).toEqual([2, 5]);
    expect(index.byNode.get(2)).toEqual([a, b]);
    expect(index.byNode.get(5)).toEqual([c]);
    expect(indexSignals(undefined)).toBe(NO_SIGNALS);
    expect(indexSignals([])).toBe(NO_SIGNALS);
  });

  it('leave the budget forecast out once the run has ended', () => {
    const forecast = signal({ kind: 'budget-forecast', nodeId: null });
    const duplicate = signal();
    expect(shownSignals([forecast, duplicate], true)).toEqual([forecast, duplicate]);
    expect(shownSignals([forecast, duplicate], false)).toEqual([duplicate]);
    expect(shownSignals(undefined, true)).toEqual([]);
  });

  it('mark the ancestors of flagged nodes, for collapsed rows', () => {
    // 1 ─ 2 ─ 3 ─ 4 ─ 5: flags on 3 and 5.
    const tree = buildTree(chain(5));
    const marked = flaggedAncestors(tree, indexSignals([signal({ nodeId: 3 }), signal({ nodeId: 5 }), signal({ kind: 'repetition', nodeId: 5 })]));
    expect([...marked].sort()).toEqual([1, 2, 3, 4]);
    // A flag on a node not (yet) in the tree marks nothing; one on a root has no ancestor.
    expect(flaggedAncestors(buildTree(fan(3)), indexSignals([signal({ nodeId: 99 }), signal({ nodeId: 1 })])).size).toBe(0);
  });

  it('cost one step per node however many flags a deep chain holds, and end on a parent loop', () => {
    const tree = buildTree(chain(20_000));
    const flags = Array.from({ length: 20_000 }, (_, i) => signal({ nodeId: i + 1 }));
    const started = performance.now();
    expect(flaggedAncestors(tree, indexSignals(flags)).size).toBe(19_999);
    expect(performance.now() - started).toBeLessThan(500);
    // Bad data must not hang the page: 2's parent is 3 and 3's parent is 2.
    const loop = buildTree(fan(2));
    loop.nodes.set(2, { ...loop.nodes.get(2)!, parentId: 3 });
    loop.nodes.set(3, { ...loop.nodes.get(3)!, parentId: 2 });
    expect([...flaggedAncestors(loop, indexSignals([signal({ nodeId: 2 })]))].sort()).toEqual([2, 3]);
  });

  it('say their cost in dollars, and nothing when it is unknown', () => {
    expect(signalCost(signal({ costUsd: 0.0012 }))).toBe('$0.00120');
    expect(signalCost(signal({ costUsd: 0 }))).toBe('$0.00');
    expect(signalCost(signal({ costUsd: null }))).toBeNull();
  });

  it('read as lines with their kind, a long message cut', () => {
    expect(signalCount(1)).toBe('1 signal');
    expect(signalCount(1200)).toBe('1,200 signals');
    const lines = signalLines([signal(), signal({ kind: 'answer-discarded', message: `Set aside\n  ${'x'.repeat(5000)}` })]).split('\n');
    expect(lines[0]).toBe('Duplicate sub-calls: The same prompt was sent 3 times.');
    expect(lines[1]).toMatch(/^Answer discarded: Set aside x+…$/);
    expect(lines[1]!.length).toBe(400);
    expect(shownMessage(signal())).toBe('The same prompt was sent 3 times.');
    expect(shownMessage(signal({ message: 'y'.repeat(1_000_000) })).length).toBe(2000);
  });
});
