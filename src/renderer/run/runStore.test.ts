import { describe, expect, it, vi } from 'vitest';
import type { MethodName, RlmApi, RlmEvent } from '../../shared/api';
import type { ErrorData } from '../../shared/errors';
import { encodeNodeIndex } from '../../shared/nodeIndex';
import { FIRST_PAGE_NODES, PAGE_NODES } from './indexPages';
import { createRunStore, throttledFrames } from './runStore';
import { node, runDetail } from '../testing/nodeFixtures';

interface Deferred {
  method: MethodName;
  params: unknown;
  resolve(value: unknown): void;
  reject(error: ErrorData): void;
}

/** An RlmApi whose calls wait until the test answers them, and whose events the test sends. */
function fakeApi() {
  const calls: Deferred[] = [];
  const listeners = new Set<(event: RlmEvent) => void>();
  const api: RlmApi = {
    call(method, params) {
      return new Promise((resolve, reject) => calls.push({ method, params, resolve: resolve as (v: unknown) => void, reject }));
    },
    subscribe(_runId, listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
  const answer = (method: MethodName, value: unknown) => {
    const call = calls.find((c) => c.method === method);
    if (!call) throw new Error(`no pending ${method}`);
    calls.splice(calls.indexOf(call), 1);
    call.resolve(value);
  };
  const emit = (event: RlmEvent) => {
    for (const listener of [...listeners]) listener(event);
  };
  return { api, calls, listeners, answer, emit };
}

/** Frames run when the test says so. */
function manualFrames() {
  let pending: (() => void) | null = null;
  return {
    schedule: (callback: () => void) => {
      pending = callback;
      return () => {
        pending = null;
      };
    },
    run: () => {
      const callback = pending;
      pending = null;
      callback?.();
    },
    get scheduled() {
      return pending !== null;
    },
  };
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('the run store', () => {
  it('subscribes before loading and applies what happened meanwhile', async () => {
    const { api, answer, emit, listeners } = fakeApi();
    const frames = manualFrames();
    const store = createRunStore(api, 'run-1', frames.schedule);
    const stop = store.start();
    expect(listeners.size).toBe(1);
    // Node 3 is created while the snapshot is being read; node 2 finishes meanwhile too.
    emit({ type: 'run.nodeAdded', runId: 'run-1', node: node(3, 1, 1, { status: 'running' }) });
    emit({ type: 'run.nodeUpdated', runId: 'run-1', node: node(2, 1, 0, { status: 'completed' }) });
    answer('runs.get', runDetail());
    answer('runs.nodeIndex', encodeNodeIndex([node(1, null, 0, { status: 'running' }), node(2, 1, 0, { status: 'running' })]));
    await tick();
    const s = store.state.getState();
    expect(s.phase).toBe('ready');
    expect(s.rows?.ids).toEqual([1, 2, 3]);
    expect(s.model?.tree.nodes.get(2)?.status).toBe('completed');
    expect(s.selectedId).toBe(1);
    expect(s.following).toBe(true);
    stop();
    expect(listeners.size).toBe(0);
  });

  it('shows the first page of a large run at once, then the whole, then goes live', async () => {
    const { api, calls, answer, emit } = fakeApi();
    const frames = manualFrames();
    const store = createRunStore(api, 'run-1', frames.schedule);
    store.start();
    const first = calls.find((c) => c.method === 'runs.nodeIndex');
    expect(first?.params).toMatchObject({ runId: 'run-1', limit: FIRST_PAGE_NODES });
    answer('runs.get', runDetail());
    answer('runs.nodeIndex', encodeNodeIndex([node(1, null, 0, { status: 'running' }), node(2, 1, 0)], { complete: false, total: 4 }));
    await tick();
    let s = store.state.getState();
    expect(s.phase).toBe('ready');
    expect(s.rows?.ids).toEqual([1, 2]);
    expect(s.nodesLoading).toEqual({ loaded: 2, total: 4 });
    // The reader moves while the rest loads; an event comes, and waits for the whole snapshot.
    store.select(2);
    emit({ type: 'run.nodeAdded', runId: 'run-1', node: node(5, 1, 3, { status: 'running' }) });
    frames.run();
    expect(store.state.getState().rows?.ids).toEqual([1, 2]);
    const rest = calls.find((c) => c.method === 'runs.nodeIndex');
    expect(rest?.params).toMatchObject({ runId: 'run-1', afterId: 2 });
    answer('runs.nodeIndex', encodeNodeIndex([node(3, 1, 1), node(4, 1, 2)]));
    await tick();
    s = store.state.getState();
    expect(s.rows?.ids).toEqual([1, 2, 3, 4, 5]);
    expect(s.nodesLoading).toBeNull();
    expect(s.selectedId).toBe(2);
    // Live from now on.
    emit({ type: 'run.nodeAdded', runId: 'run-1', node: node(6, 1, 4) });
    frames.run();
    expect(store.state.getState().rows?.ids).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('asks for each later page as the one before arrives, and builds the tree from them all', async () => {
    const { api, calls, answer } = fakeApi();
    const store = createRunStore(api, 'run-1', manualFrames().schedule);
    store.start();
    answer('runs.get', runDetail());
    answer('runs.nodeIndex', encodeNodeIndex([node(1, null, 0), node(2, 1, 0)], { complete: false, total: 6 }));
    await tick();
    expect(calls.find((c) => c.method === 'runs.nodeIndex')?.params).toMatchObject({ afterId: 2, limit: PAGE_NODES });
    // A page holding a node whose parent comes in the next page (an index out of creation order).
    answer('runs.nodeIndex', encodeNodeIndex([node(3, 1, 2), node(4, 6, 0)], { complete: false, total: null }));
    await tick();
    // The next page is asked for before this one is read; nothing is shown until the last.
    const pending = calls.filter((c) => c.method === 'runs.nodeIndex');
    expect(pending.map((c) => c.params)).toEqual([expect.objectContaining({ afterId: 4, limit: PAGE_NODES })]);
    expect(store.state.getState().rows?.ids).toEqual([1, 2]);
    answer('runs.nodeIndex', encodeNodeIndex([node(5, 1, 1), node(6, 1, 3)], { complete: true, total: null }));
    await tick();
    const s = store.state.getState();
    expect(s.nodesLoading).toBeNull();
    expect(s.rows?.ids).toEqual([1, 2, 5, 3, 6, 4]);
    expect(s.rows?.levels).toEqual([0, 1, 1, 1, 1, 2]);
    expect(calls.filter((c) => c.method === 'runs.nodeIndex')).toHaveLength(0);
  });

  it('drops the pages still coming when the view closes, and a page that fails says why', async () => {
    const { api, calls, answer } = fakeApi();
    const store = createRunStore(api, 'run-1', manualFrames().schedule);
    const stop = store.start();
    answer('runs.get', runDetail());
    answer('runs.nodeIndex', encodeNodeIndex([node(1, null, 0)], { complete: false, total: 3 }));
    await tick();
    stop();
    answer('runs.nodeIndex', encodeNodeIndex([node(2, 1, 0), node(3, 1, 1)]));
    await tick();
    expect(store.state.getState().model?.tree.nodes.size).toBe(1);
    expect(calls.filter((c) => c.method === 'runs.nodeIndex')).toHaveLength(0);

    store.start();
    answer('runs.get', runDetail());
    answer('runs.nodeIndex', encodeNodeIndex([node(1, null, 0)], { complete: false, total: 3 }));
    await tick();
    answer('runs.nodeIndex', { ...encodeNodeIndex([]), bytes: new TextEncoder().encode('[[0]]'), lastId: 3 });
    await tick();
    expect(store.state.getState()).toMatchObject({ phase: 'failed', loadError: expect.stringMatching(/node 0 of the index is damaged/) });
  });

  it("holds the run's signals: the summary's when opened, then each set pushed, once per frame", async () => {
    const { api, answer, emit } = fakeApi();
    const frames = manualFrames();
    const store = createRunStore(api, 'run-1', frames.schedule);
    store.start();
    const first = { kind: 'duplicate-subcalls' as const, nodeId: 1, message: 'The same prompt twice.', costUsd: 0.001 };
    answer('runs.get', runDetail({ signals: [first] }));
    answer('runs.nodeIndex', encodeNodeIndex([node(1, null, 0, { status: 'running' })]));
    await tick();
    const opened = store.state.getState().signals;
    expect(opened.byNode.get(1)).toEqual([first]);
    const treeVersion = store.state.getState().treeVersion;
    const grown = { ...first, message: 'The same prompt 3 times.' };
    emit({ type: 'run.signalsChanged', runId: 'run-1', signals: [first] });
    emit({ type: 'run.signalsChanged', runId: 'run-1', signals: [grown] });
    expect(store.state.getState().signals).toBe(opened);
    frames.run();
    const s = store.state.getState();
    expect(s.signals.all).toEqual([grown]);
    // Nothing else re-renders for it: the tree's version is the same.
    expect(s.treeVersion).toBe(treeVersion);
  });

  it('applies live events once per frame', async () => {
    const { api, answer, emit } = fakeApi();
    const frames = manualFrames();
    const store = createRunStore(api, 'run-1', frames.schedule);
    store.start();
    answer('runs.get', runDetail());
    answer('runs.nodeIndex', encodeNodeIndex([node(1, null, 0, { status: 'running' })]));
    await tick();
    const version = store.state.getState().treeVersion;
    for (let i = 0; i < 50; i++) emit({ type: 'run.nodeAdded', runId: 'run-1', node: node(2 + i, 1, i, { status: 'running' }) });
    emit({ type: 'run.nodeAdded', runId: 'other-run', node: node(999, 1, 99) });
    expect(store.state.getState().treeVersion).toBe(version);
    frames.run();
    const s = store.state.getState();
    expect(s.treeVersion).toBe(version + 1);
    expect(s.rows?.ids.length).toBe(51);
    expect(frames.scheduled).toBe(false);
  });

  it('selects the root when it arrives after the run was opened', async () => {
    const { api, answer, emit } = fakeApi();
    const frames = manualFrames();
    const store = createRunStore(api, 'run-1', frames.schedule);
    store.start();
    answer('runs.get', runDetail());
    answer('runs.nodeIndex', encodeNodeIndex([]));
    await tick();
    expect(store.state.getState().selectedId).toBeNull();
    emit({ type: 'run.nodeAdded', runId: 'run-1', node: node(1, null, 0, { status: 'running' }) });
    frames.run();
    expect(store.state.getState()).toMatchObject({ selectedId: 1, activeId: 1 });
  });

  it('drops answers that arrive after it was stopped (a quick switch of runs)', async () => {
    const { api, answer } = fakeApi();
    const store = createRunStore(api, 'run-1', manualFrames().schedule);
    const stop = store.start();
    stop();
    answer('runs.get', runDetail());
    answer('runs.nodeIndex', encodeNodeIndex([node(1, null)]));
    await tick();
    expect(store.state.getState().phase).toBe('loading');
    expect(store.state.getState().model).toBeNull();
  });

  it('shows why a run could not be loaded', async () => {
    const { api, calls } = fakeApi();
    const store = createRunStore(api, 'r-1', manualFrames().schedule);
    store.start();
    calls[0]?.reject({ code: 'STORE_FAILED', message: 'database is locked' });
    await tick();
    expect(store.state.getState()).toMatchObject({ phase: 'failed', loadError: 'database is locked' });
  });

  it('tells a run that does not exist from one that failed to load', async () => {
    const { api, calls } = fakeApi();
    const store = createRunStore(api, 'nope', manualFrames().schedule);
    store.start();
    calls[0]?.reject({ code: 'NOT_FOUND', message: 'no run nope' });
    await tick();
    expect(store.state.getState()).toMatchObject({ phase: 'missing', loadError: 'no run nope' });
  });

  it('reports a control that failed, and applies one that worked', async () => {
    const { api, answer, calls } = fakeApi();
    const frames = manualFrames();
    const store = createRunStore(api, 'run-1', frames.schedule);
    store.start();
    answer('runs.get', runDetail());
    answer('runs.nodeIndex', encodeNodeIndex([node(1, null, 0, { status: 'running' })]));
    await tick();
    const paused = store.control('runs.pause');
    expect(store.state.getState().controlPending).toBe('runs.pause');
    answer('runs.pause', { status: 'paused' });
    await paused;
    frames.run();
    expect(store.state.getState()).toMatchObject({ controlPending: null, controlError: null });
    expect(store.state.getState().run?.status).toBe('paused');
    const step = store.control('runs.step');
    calls.find((c) => c.method === 'runs.step')?.reject({ code: 'RUN_NOT_ACTIVE', message: 'run run-1 is completed, not running' });
    await step;
    expect(store.state.getState().controlError).toBe('run run-1 is completed, not running');
  });

  it('reveals a selected node hidden in a collapsed parent, and stops following', async () => {
    const { api, answer } = fakeApi();
    const store = createRunStore(api, 'run-1', manualFrames().schedule);
    store.start();
    answer('runs.get', runDetail());
    answer('runs.nodeIndex', encodeNodeIndex([node(1, null, 0, { status: 'running' }), node(2, 1, 0), node(3, 2, 0)]));
    await tick();
    store.setExpanded(2, false);
    expect(store.state.getState().rows?.ids).toEqual([1, 2]);
    store.select(3);
    const s = store.state.getState();
    expect(s.rows?.ids).toEqual([1, 2, 3]);
    expect(s).toMatchObject({ selectedId: 3, activeId: 3, following: false });
  });

  it('moves the keyboard to the parent when a collapse hides its row', async () => {
    const { api, answer } = fakeApi();
    const store = createRunStore(api, 'run-1', manualFrames().schedule);
    store.start();
    answer('runs.get', runDetail());
    answer('runs.nodeIndex', encodeNodeIndex([node(1, null), node(2, 1, 0), node(3, 2, 0)]));
    await tick();
    store.setActive(3);
    store.setExpanded(2, false);
    expect(store.state.getState().activeId).toBe(2);
  });
});

describe('throttledFrames', () => {
  it('runs the first batch on the next frame and later ones no sooner than the interval', () => {
    vi.useFakeTimers();
    try {
      let clock = 1000;
      const frames: (() => void)[] = [];
      const frame = (callback: () => void) => {
        frames.push(callback);
        return () => undefined;
      };
      const schedule = throttledFrames(100, frame, () => clock);
      const ran: number[] = [];
      schedule(() => ran.push(clock));
      expect(frames).toHaveLength(1);
      frames.shift()?.();
      expect(ran).toEqual([1000]);
      // 16 ms later: too soon, it waits for the interval, then for a frame.
      clock += 16;
      const cancel = schedule(() => ran.push(clock));
      expect(frames).toHaveLength(0);
      vi.advanceTimersByTime(83);
      expect(frames).toHaveLength(0);
      vi.advanceTimersByTime(1);
      expect(frames).toHaveLength(1);
      clock += 84;
      frames.shift()?.();
      expect(ran).toEqual([1000, 1100]);
      cancel();
      // A cancelled wait never reaches a frame.
      clock += 10;
      schedule(() => ran.push(clock))();
      vi.advanceTimersByTime(200);
      expect(frames).toHaveLength(0);
    } finally {
      vi.useRealTimers();
    }
  });
});
