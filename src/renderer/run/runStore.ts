// The state of one open run (one store per RunView): loading, live events batched per animation
// frame, selection, expansion, follow mode and the run controls. React components read it with
// `useStore`; the tree itself lives in the model, outside React (see treeModel.ts).
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { RlmApi, RlmEvent, RunEvent } from '../../shared/api';
import type { InputProgress } from '../../shared/inputProgress';
import type { ReplayDivergence, ReplayResult } from '../../shared/api/debugger';
import { decodeNodeIndex } from '../../shared/nodeIndex';
import type { NodePayload, NodeRow } from '../../shared/domain/node';
import type { RunDetail } from '../../shared/domain/run';
import { describeError, errorText } from '../api/errors';
import { FIRST_PAGE_NODES, restOfIndex } from './indexPages';
import { PayloadCache } from './payloadCache';
import { applyEvents, createModel, isActive, refreshRows, type LimitHit, type RunModel } from './runModel';
import { NO_SIGNALS, type SignalIndex } from './signals';
import { countSteps } from './timeTravel';
import { addToTree, createTreeBuilder, finishTree, revealNode, setAllExpanded, setExpanded, visibleRowOf, type TreeIndex, type VisibleRows } from './treeModel';

export type ControlMethod = 'runs.pause' | 'runs.resume' | 'runs.step' | 'runs.stop';

/** "Replay run" (runs.replay): not asked, going (cells done of total), its result, or why it failed. */
export type ReplayView =
  | { phase: 'idle' }
  | { phase: 'running'; done: number; total: number | null }
  | { phase: 'done'; result: ReplayResult; diverged: ReadonlyMap<number, ReplayDivergence> }
  | { phase: 'failed'; error: string };

export interface RunViewState {
  /** `missing`: no run has this id (never had, or deleted): not an error to retry. */
  phase: 'loading' | 'ready' | 'failed' | 'missing';
  loadError: string | null;
  /** Mutable inside (tree, rows, streams); the versions below say when to re-read it. */
  model: RunModel | null;
  run: RunDetail | null;
  rows: VisibleRows | null;
  /** Bumped once per frame in which nodes or rows changed. */
  treeVersion: number;
  /** Bumped once per frame in which streamed reply text changed. */
  streamsVersion: number;
  limitHit: LimitHit | null;
  /** The run-away signals that hold now (replaced whole, so a new reference means a change). */
  signals: SignalIndex;
  /** The node open in the detail pane (serialisable: an id). */
  selectedId: number | null;
  /** The node the keyboard is on (the tree's aria-activedescendant). */
  activeId: number | null;
  /** Follow mode: keep the newest node in view while the run is going. */
  following: boolean;
  controlPending: ControlMethod | null;
  controlError: string | null;
  /** While a large run's index arrives: the nodes shown so far (not yet live) and the total. */
  nodesLoading: { loaded: number; total: number } | null;
  /** Time travel: the step shown (timeTravel.ts), or null for the run as recorded, following a live run's end. */
  step: number | null;
  replay: ReplayView;
  /** A large input being read before the first step (run.inputProgress), the latest word; null once the run moves on. */
  inputProgress: InputProgress | null;
}

/** Schedules `callback` for the next frame; returns a cancel function. */
export type FrameScheduler = (callback: () => void) => () => void;

export interface RunRepository {
  readonly api: RlmApi;
  readonly runId: string;
  readonly state: StoreApi<RunViewState>;
  readonly payloads: PayloadCache<NodePayload>;
  /** Subscribes, loads, and follows the run; returns the function that stops all of it. */
  start(): () => void;
  select(id: number): void;
  setActive(id: number): void;
  setExpanded(id: number, expanded: boolean): void;
  /** Expands every node, or collapses all but the top level. */
  setAllExpanded(expanded: boolean): void;
  setFollowing(following: boolean): void;
  /** Shows the run as it stood after its k-th event; null, or the last step, for the run as recorded. */
  setStep(step: number | null): void;
  control(method: ControlMethod): Promise<void>;
  /** Re-executes the run from its recording (no model call); a second call while one goes cancels it. */
  replay(): Promise<void>;
}

function initialState(): RunViewState {
  return {
    phase: 'loading',
    loadError: null,
    model: null,
    run: null,
    rows: null,
    treeVersion: 0,
    streamsVersion: 0,
    limitHit: null,
    signals: NO_SIGNALS,
    selectedId: null,
    activeId: null,
    following: false,
    controlPending: null,
    controlError: null,
    nodesLoading: null,
    step: null,
    replay: { phase: 'idle' },
    inputProgress: null,
  };
}

export function createRunStore(api: RlmApi, runId: string, scheduleFrame: FrameScheduler = throttledFrames(LIVE_UPDATE_MS)): RunRepository {
  /** The replay this page asked for and still waits on. */
  let replaying: AbortController | null = null;
  const state = createStore<RunViewState>()(initialState);
  const payloads = new PayloadCache<NodePayload>();
  // Each start() is a session; anything that answers for an older one (a fetch outliving a
  // switch of runs, StrictMode's second mount) is dropped.
  let session = 0;
  let queue: RunEvent[] = [];
  let cancelFrame: (() => void) | null = null;

  function flush(): void {
    cancelFrame = null;
    const model = state.getState().model;
    if (!model || queue.length === 0) return;
    const events = queue;
    queue = [];
    const changes = applyEvents(model, events);
    const rebuilt = refreshRows(model);
    const s = state.getState();
    const patch: Partial<RunViewState> = {};
    if (changes.nodes || rebuilt) Object.assign(patch, { treeVersion: s.treeVersion + 1, rows: model.rows });
    // A run opened before its root existed selects the root when it comes.
    const first = model.rows.ids[0];
    if (s.selectedId === null && first !== undefined) Object.assign(patch, { selectedId: first, activeId: s.activeId ?? first });
    if (changes.run) patch.run = model.run;
    if (changes.streams) patch.streamsVersion = s.streamsVersion + 1;
    if (changes.limit) patch.limitHit = model.limitHit;
    if (changes.signals) patch.signals = model.signals;
    if (Object.keys(patch).length > 0) state.setState(patch);
  }

  function enqueue(event: RunEvent): void {
    queue.push(event);
    cancelFrame ??= scheduleFrame(flush);
  }

  async function refreshReplayability(mine: number): Promise<void> {
    const detail = await api.call('runs.get', { runId }).catch(() => null);
    const model = state.getState().model;
    if (mine !== session || !detail || !model) return;
    model.run = { ...model.run, replayable: detail.replayable, replayableWhy: detail.replayableWhy };
    state.setState({ run: model.run });
  }

  function rowsChanged(model: RunModel): void {
    refreshRows(model);
    const s = state.getState();
    // The keyboard's row may have been hidden by a collapse: it moves to the visible ancestor.
    let activeId = s.activeId;
    if (activeId !== null && !model.rows.index.has(activeId)) {
      const row = visibleRowOf(model.tree, model.rows, activeId);
      activeId = row === null ? null : (model.rows.ids[row] ?? null);
    }
    state.setState({ rows: model.rows, treeVersion: s.treeVersion + 1, activeId });
  }

  return {
    api,
    runId,
    state,
    payloads,

    start() {
      const mine = ++session;
      queue = [];
      state.setState(initialState(), true);
      // Subscribe first and hold the events, then read the snapshot: nothing that happens in
      // between is lost, and applying the held events to the snapshot is idempotent.
      let held: RunEvent[] | null = [];
      const unsubscribe = api.subscribe(runId, (event: RlmEvent) => {
        if (mine !== session || event.runId !== runId) return;
        // Replay progress is about this page's request, not the run: it never enters the model.
        if (event.type === 'run.replayProgressed') {
          if (state.getState().replay.phase === 'running') state.setState({ replay: { phase: 'running', done: event.done, total: event.total } });
          return;
        }
        // So is the reading of a large input: it says how far the run is from its first step.
        if (event.type === 'run.inputProgress') {
          const { name, phase, doneBytes, totalBytes } = event;
          state.setState({ inputProgress: { name, phase, doneBytes, totalBytes } });
          return;
        }
        if (held) held.push(event);
        else enqueue(event);
        // Whether it can be re-executed exactly is in the run's detail, not its summary: a run
        // whose RLMs the user stopped or sent notes (issue 13) no longer can.
        if (event.type === 'run.finished') void refreshReplayability(mine);
      });
      // The compact index: for 100,000 nodes, a third of the bytes of `runs.nodes` and one parse.
      // A first page shows the top of the tree at once; the rest follows in pages, and only then
      // are the held events applied and the run followed live (the same snapshot-then-events
      // rule as a run read whole). User-timing marks (rlm.open.*) show where opening goes.
      mark('rlm.open.requested');
      const show = (run: RunDetail, nodes: NodeRow[] | TreeIndex, complete: boolean, loaded: number, total: number) => {
        const model = createModel(run, nodes);
        if (complete) {
          applyEvents(model, held ?? []);
          held = null;
        }
        // A step chosen while the rest of a large run loaded stays chosen.
        const s = state.getState();
        if (s.step !== null) {
          model.step = s.step;
          model.rowsDirty = true;
        }
        refreshRows(model);
        // Kept across the first page and the whole: what the reader did while the rest loaded.
        const keep = (id: number | null) => (id !== null && model.tree.nodes.has(id) ? id : null);
        const root = model.rows.ids[0] ?? null;
        state.setState({
          phase: 'ready',
          model,
          run: model.run,
          rows: model.rows,
          limitHit: model.limitHit,
          signals: model.signals,
          treeVersion: s.treeVersion + 1,
          selectedId: keep(s.selectedId) ?? root,
          activeId: keep(s.activeId) ?? root,
          following: s.phase === 'ready' ? s.following : isActive(model.run.status),
          nodesLoading: complete ? null : { loaded, total },
        });
      };
      const load = async () => {
        const [run, first] = await Promise.all([
          api.call('runs.get', { runId }),
          api.call('runs.nodeIndex', { runId, limit: FIRST_PAGE_NODES }),
        ]);
        if (mine !== session) return;
        mark('rlm.open.received');
        const rest = restOfIndex(api, runId, first);
        const firstNodes = decodeNodeIndex(first);
        mark('rlm.open.decoded');
        show(run, firstNodes, rest === null, firstNodes.length, first.total ?? firstNodes.length);
        mark('rlm.open.built');
        if (rest === null) return;
        const builder = createTreeBuilder();
        addToTree(builder, firstNodes);
        for await (const nodes of rest) {
          if (mine !== session) return;
          addToTree(builder, nodes);
        }
        const tree = finishTree(builder);
        show(state.getState().run ?? run, tree, true, tree.nodes.size, tree.nodes.size);
        mark('rlm.open.complete');
      };
      load().catch((error: unknown) => {
        // A failed call, or an index that does not decode.
        if (mine !== session) return;
        const { code, message } = describeError(error);
        state.setState({ phase: code === 'NOT_FOUND' ? 'missing' : 'failed', loadError: message });
      });
      return () => {
        if (mine === session) session++;
        unsubscribe();
        cancelFrame?.();
        cancelFrame = null;
        queue = [];
      };
    },

    select(id) {
      const model = state.getState().model;
      if (!model || !model.tree.nodes.has(id)) return;
      if (revealNode(model.tree, id)) model.rowsDirty = true;
      if (model.rowsDirty) rowsChanged(model);
      state.setState({ selectedId: id, activeId: id, following: false });
    },

    setActive(id) {
      state.setState({ activeId: id, following: false });
    },

    setExpanded(id, expanded) {
      const model = state.getState().model;
      if (!model || !setExpanded(model.tree, id, expanded)) return;
      model.rowsDirty = true;
      rowsChanged(model);
    },

    setAllExpanded(expanded) {
      const model = state.getState().model;
      if (!model || !setAllExpanded(model.tree, expanded)) return;
      model.rowsDirty = true;
      rowsChanged(model);
    },

    setFollowing(following) {
      if (state.getState().following !== following) state.setState({ following });
    },

    setStep(step) {
      const model = state.getState().model;
      if (!model) return;
      // The index, when built, knows the count: a move of the slider walks no nodes.
      const count = model.steps?.count ?? countSteps(model.tree);
      const next = step === null || step >= count ? null : Math.max(0, Math.floor(step));
      if (next === model.step) return;
      model.step = next;
      model.rowsDirty = true;
      rowsChanged(model);
      // Moving back in time stops following the newest node; coming back to the end resumes it
      // while the run goes.
      state.setState({ step: next, following: next === null ? isActive(model.run.status) : false });
    },

    async replay() {
      if (replaying) {
        replaying.abort();
        return;
      }
      const mine = session;
      const controller = new AbortController();
      replaying = controller;
      state.setState({ replay: { phase: 'running', done: 0, total: null } });
      try {
        const result = await api.call('runs.replay', { runId }, { signal: controller.signal });
        if (mine === session) state.setState({ replay: { phase: 'done', result, diverged: new Map(result.diverged.map((d) => [d.nodeId, d])) } });
      } catch (error) {
        if (mine === session) state.setState({ replay: controller.signal.aborted ? { phase: 'idle' } : { phase: 'failed', error: errorText(error) } });
      } finally {
        if (replaying === controller) replaying = null;
      }
    },

    async control(method) {
      const mine = session;
      state.setState({ controlPending: method, controlError: null });
      try {
        const { status } = await api.call(method, { runId });
        if (mine !== session) return;
        // The engine announces the change too; applying the answer now keeps the buttons honest
        // in between (the reducer ignores the repeat).
        enqueue({ type: 'run.statusChanged', runId, status });
      } catch (error) {
        if (mine === session) state.setState({ controlError: errorText(error) });
      } finally {
        if (mine === session) state.setState({ controlPending: null });
      }
    },
  };
}

/**
 * Live events are applied at most this often. A run making hundreds of sub-calls a second would
 * otherwise re-render the tree, the meter and the follow scroll on every frame (measured: the
 * page's main thread 70% busy at 300 events/s, frames dropped); ten updates a second read as live
 * and leave the frames to scrolling and typing.
 */
export const LIVE_UPDATE_MS = 100;

/** Animation frames, no sooner than `minIntervalMs` after the previous one ran. */
export function throttledFrames(minIntervalMs: number, frame: FrameScheduler = animationFrame, now = () => performance.now()): FrameScheduler {
  let last = Number.NEGATIVE_INFINITY;
  return (callback) => {
    let cancel: (() => void) | null = null;
    const schedule = () => {
      cancel = frame(() => {
        last = now();
        callback();
      });
    };
    const wait = last + minIntervalMs - now();
    if (wait <= 0) {
      schedule();
      return () => cancel?.();
    }
    const timer = setTimeout(schedule, wait);
    return () => {
      clearTimeout(timer);
      cancel?.();
    };
  };
}

function mark(name: string): void {
  if (typeof performance !== 'undefined' && typeof performance.mark === 'function') performance.mark(name);
}

function animationFrame(callback: () => void): () => void {
  // A hidden page gets no animation frames; its events still have to be applied.
  if (typeof document !== 'undefined' && document.hidden) {
    const timer = setTimeout(callback, 250);
    return () => clearTimeout(timer);
  }
  const handle = requestAnimationFrame(callback);
  return () => cancelAnimationFrame(handle);
}
