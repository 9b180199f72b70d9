import { describe, expect, it } from 'vitest';
import type { RunEvent } from '../../shared/api';
import { emptyTotals } from '../../shared/domain/run';
import { applyEvents, createModel, refreshRows } from './runModel';
import { flatten } from './treeModel';
import type { RunSignal } from '../../shared/domain/signals';
import { node, runDetail } from '../testing/nodeFixtures';

const runId = 'run-1';

describe('applying events', () => {
  it('is idempotent against the snapshot: repeated adds update, unknown updates add', () => {
    const model = createModel(runDetail(), [node(1, null, 0, { status: 'running' }), node(2, 1, 0, { status: 'running' })]);
    const events: RunEvent[] = [
      { type: 'run.nodeAdded', runId, node: node(2, 1, 0, { status: 'running' }) },
      { type: 'run.nodeUpdated', runId, node: node(3, 1, 1, { status: 'running' }) },
      { type: 'run.nodeAdded', runId, node: node(3, 1, 1, { status: 'running' }) },
    ];
    const changes = applyEvents(model, events);
    refreshRows(model);
    expect(changes.nodes).toBe(true);
    expect(model.rows.ids).toEqual([1, 2, 3]);
    expect(model.tree.nodes.size).toBe(3);
  });

  it('keeps the rows equal to a full rebuild after any mix of adds', () => {
    const model = createModel(runDetail(), [node(1, null)]);
    const events: RunEvent[] = [];
    // Two cells, calls going to both in turn (parallel children): some adds land mid-list.
    events.push({ type: 'run.nodeAdded', runId, node: node(2, 1, 0) });
    events.push({ type: 'run.nodeAdded', runId, node: node(3, 1, 1) });
    for (let i = 0; i < 20; i++) events.push({ type: 'run.nodeAdded', runId, node: node(4 + i, i % 2 === 0 ? 2 : 3, Math.floor(i / 2)) });
    for (const event of events) {
      applyEvents(model, [event]);
      refreshRows(model);
      expect(model.rows.ids).toEqual(flatten(model.tree).ids);
      expect(model.rows.levels).toEqual(flatten(model.tree).levels);
    }
  });

  it('never moves an ended run back to running, nor totals backwards', () => {
    const model = createModel(runDetail({ status: 'completed', modelCalls: 5 }), []);
    applyEvents(model, [
      { type: 'run.statusChanged', runId, status: 'running' },
      { type: 'run.totalsChanged', runId, totals: { ...emptyTotals(), modelCalls: 3 } },
    ]);
    expect(model.run.status).toBe('completed');
    expect(model.run.modelCalls).toBe(5);
  });

  it('follows status, totals, limits and the end of the run', () => {
    const model = createModel(runDetail(), []);
    const changes = applyEvents(model, [
      { type: 'run.statusChanged', runId, status: 'paused' },
      { type: 'run.totalsChanged', runId, totals: { ...emptyTotals(), modelCalls: 7, costUsd: 0.5, pricedCostUsd: 0.5 } },
      { type: 'run.limitReached', runId, reason: 'max-cost', message: 'cost limit of $0.50 reached' },
    ]);
    expect(changes).toEqual({ nodes: false, run: true, streams: false, limit: true, signals: false });
    expect(model.run.status).toBe('paused');
    expect(model.run.modelCalls).toBe(7);
    expect(model.limitHit?.reason).toBe('max-cost');
    const summary = { ...runDetail(), status: 'stopped' as const, stopReason: 'max-cost' as const, endedAt: 9000, durationMs: 8000 };
    applyEvents(model, [{ type: 'run.finished', runId, summary }]);
    expect(model.run.status).toBe('stopped');
    expect(model.run.stopReason).toBe('max-cost');
  });

  it('streams reply text, restarts it on reset, and drops it when the call ends', () => {
    const model = createModel(runDetail(), [node(1, null, 0, { status: 'running' })]);
    applyEvents(model, [
      { type: 'run.nodeAdded', runId, node: node(2, 1, 0, { status: 'running' }) },
      { type: 'run.replyStreamed', runId, nodeId: 2, delta: 'Hel' },
      { type: 'run.replyStreamed', runId, nodeId: 2, delta: 'lo' },
    ]);
    expect(model.streams.get(2)).toEqual({ text: 'Hello', partial: false });
    applyEvents(model, [
      { type: 'run.replyStreamed', runId, nodeId: 2, delta: '', reset: true },
      { type: 'run.replyStreamed', runId, nodeId: 2, delta: 'Hi' },
    ]);
    expect(model.streams.get(2)?.text).toBe('Hi');
    const changes = applyEvents(model, [{ type: 'run.nodeUpdated', runId, node: node(2, 1, 0, { status: 'completed' }) }]);
    expect(changes.streams).toBe(true);
    expect(model.streams.has(2)).toBe(false);
  });

  it('marks a stream whose start this page missed as partial', () => {
    // Node 2 was in the snapshot, running: its first deltas went out before we subscribed.
    const model = createModel(runDetail(), [node(1, null, 0, { status: 'running' }), node(2, 1, 0, { status: 'running' })]);
    applyEvents(model, [{ type: 'run.replyStreamed', runId, nodeId: 2, delta: 'rest' }]);
    expect(model.streams.get(2)).toEqual({ text: 'rest', partial: true });
  });

  describe('run-away signals', () => {
    const duplicate: RunSignal = { kind: 'duplicate-subcalls', nodeId: 3, message: '2 copies of one prompt', costUsd: 0.002 };
    const forecast: RunSignal = { kind: 'budget-forecast', nodeId: null, message: 'cost limit in 30 s', costUsd: null };

    it("start from the summary's set, indexed by node", () => {
      const model = createModel(runDetail({ signals: [duplicate, forecast] }), []);
      expect(model.signals.all).toEqual([duplicate, forecast]);
      expect(model.signals.byNode.get(3)).toEqual([duplicate]);
      expect(model.signals.byNode.size).toBe(1);
    });

    it('are replaced whole by each run.signalsChanged while the run goes, withdrawn ones included', () => {
      const model = createModel(runDetail({ signals: [duplicate] }), []);
      const grown = { ...duplicate, message: '3 copies of one prompt', costUsd: 0.004 };
      let changes = applyEvents(model, [
        { type: 'run.signalsChanged', runId, signals: [duplicate, forecast] },
        { type: 'run.signalsChanged', runId, signals: [grown] },
      ]);
      expect(changes.signals).toBe(true);
      expect(model.signals.all).toEqual([grown]);
      expect(model.signals.byNode.get(3)).toEqual([grown]);
      changes = applyEvents(model, [{ type: 'run.signalsChanged', runId, signals: [] }]);
      expect(changes.signals).toBe(true);
      expect(model.signals.all).toEqual([]);
      expect(model.signals.byNode.size).toBe(0);
    });

    it('of an ended run stay as it ended: an older set held while it loaded does not replace them', () => {
      const model = createModel(runDetail({ status: 'completed', signals: [duplicate] }), []);
      const changes = applyEvents(model, [{ type: 'run.signalsChanged', runId, signals: [duplicate, forecast] }]);
      expect(changes.signals).toBe(false);
      expect(model.signals.all).toEqual([duplicate]);
    });

    it("take the final set from run.finished, and keep theirs when its summary has none", () => {
      const model = createModel(runDetail({ signals: [duplicate, forecast] }), []);
      const ended = { ...runDetail(), status: 'completed' as const, endedAt: 9000, durationMs: 8000 };
      applyEvents(model, [{ type: 'run.finished', runId, summary: { ...ended, signals: [duplicate] } }]);
      expect(model.signals.all).toEqual([duplicate]);
      const changes = applyEvents(model, [{ type: 'run.finished', runId, summary: ended }]);
      expect(changes.signals).toBe(false);
      expect(model.signals.all).toEqual([duplicate]);
    });

    it('are not taken from a summary merged in later (run.started predates them)', () => {
      const model = createModel(runDetail({ signals: [duplicate] }), []);
      applyEvents(model, [{ type: 'run.started', runId, summary: { ...runDetail(), signals: [] } }]);
      expect(model.signals.all).toEqual([duplicate]);
    });
  });
});
