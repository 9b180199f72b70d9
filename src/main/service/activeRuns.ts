// The runs this process runs: started here, steered here (stop, pause, resume, step), each
// telling other processes by a heartbeat that its owner is alive. A run another process owns
// is active in the database too, but only its owner can steer it.
import { mkdtemp, rm } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MethodResult, ParsedParams } from '../../shared/api';
import type { ForkOrigin, RunStatus, RunSummary } from '../../shared/domain/run';
import type { RunLimits } from '../../shared/limits';
import { ACTIVE_RUN_STATUSES, LEGACY_PART_BYTES, PART_BYTES } from '../../shared/domain/run';
import { RlmError } from '../../shared/errors';
import type { RunInput } from '../../shared/schemas';
import { forkCache, type ForkEdit } from '../debugger/forkCache';
import { replayableRun, rootInputFiles } from '../debugger/replay';
import type { RlmCache } from '../engine/callCache';
import { MAX_WAITING_NOTES, type LiveRlm } from '../engine/liveRlms';
import { Recorder } from '../engine/recorder';
import { RunContext, type RunSettings } from '../engine/runContext';
import { resolveInputs, type ResolvedInputs } from '../input/resolveInputs';
import type { DocumentRanges } from '../store/documentRanges';
import type { DocumentStore } from '../store/documentStore';
import type { RunRepository } from '../store/runRepository';
import { checkCostLimit } from './costLimit';
import type { EventBus } from './eventBus';
import type { SettingsSource } from './fixedSettings';
import type { ModelClients } from './modelClients';
import { executeWithInputs } from './runExecution';
import { newRunId } from './runId';
import { runNotFound } from './runNotFound';
import type { ServiceConfig } from './serviceConfig';
import type { Uploads } from './uploads';

/** A run whose owner has not written a heartbeat for this long is considered gone. */
export const STALE_OWNER_MS = 60_000;
/** How often a live run tells other processes that its owner is alive (well under STALE_OWNER_MS). */
const HEARTBEAT_MS = 5000;

interface ActiveRun {
  context: RunContext;
  done: Promise<RunSummary>;
}

export interface ActiveRunsDeps {
  store: RunRepository;
  documents: DocumentStore;
  /** Where a fork reads its parent's inputs from. */
  ranges: Pick<DocumentRanges, 'sizeFor' | 'chunk'>;
  settings: SettingsSource;
  clients: ModelClients;
  uploads: Uploads;
  bus: EventBus;
  config: Pick<ServiceConfig, 'mode' | 'launcher'>;
}

export class ActiveRuns {
  private readonly active = new Map<string, ActiveRun>();

  constructor(private readonly deps: ActiveRunsDeps) {}

  has(runId: string): boolean {
    return this.active.has(runId);
  }

  async start(params: ParsedParams<'runs.start'>): Promise<MethodResult<'runs.start'>> {
    const { settings: source, uploads, config } = this.deps;
    // Read once, at the start: a settings change mid-run applies to the next run only.
    const resolved = source.resolved();
    // SECURITY: in browser mode the page sends its files (uploads); it may not name paths on this
    // machine. A script injected into the page could otherwise read any file the user can and,
    // with settings.update pointing the provider elsewhere, send it out.
    if (config.mode === 'browser' && params.inputs.some((input) => input.kind === 'path')) {
      throw new RlmError('INVALID_INPUT', 'in browser mode, add files from the page (drop or pick them); paths on the server are not read');
    }
    const limits: RunLimits = { ...resolved.limits, ...params.limits };
    const rootModel = params.rootModel ?? resolved.rootModel;
    const subModel = params.subModel ?? resolved.subModel;
    // Before any request and before the inputs are read: a cost limit that cannot hold is refused.
    const costCheck = checkCostLimit({ limits, rootModel, subModel, prices: resolved.prices, baseUrl: resolved.baseUrl });
    const inputs = await resolveInputs(params.inputs, { upload: (uploadId) => uploads.received(uploadId) });
    const claim = uploads.claim(uploadIdsOf(params.inputs));
    const settings = {
      runId: newRunId(),
      query: params.query,
      rootModel,
      subModel,
      limits,
      seed: params.seed ?? Math.floor(Math.random() * 2 ** 31),
      providerReportsCost: costCheck.providerReportsCost,
      dedupeSubcalls: params.dedupeSubcalls ?? resolved.dedupeSubcalls,
      partBytes: PART_BYTES,
    };
    // No run took them when it cannot be created: the uploads wait for the next try. Once it
    // ran, the sandbox read the uploaded files from their paths; the store keeps a copy.
    const runId = this.launch(settings, inputs, resolved, { onRefused: () => claim.unclaim(), onEnded: () => claim.release() });
    return { runId, warnings: [...costCheck.warnings, ...inputs.warnings] };
  }

  /**
   * A fork (issue 12, DESIGN §11): the parent run re-run from the start with its recording as a
   * cache and `edit` applied, as a new run. Settings left out are the parent's; the provider and
   * prices are today's. Everything that can refuse the fork (the run, the edit, a cost limit that
   * cannot hold) does so before the run exists.
   */
  async fork(params: ParsedParams<'runs.fork'>): Promise<MethodResult<'runs.fork'>> {
    const { store, settings: source, ranges } = this.deps;
    const parent = replayableRun(store, params.runId, 'fork');
    const edit: ForkEdit | null = params.at !== undefined && params.edit ? { nodeId: params.at, ...params.edit } : null;
    const cache = forkCache(store, parent.runId, edit);
    const resolved = source.resolved();
    const limits: RunLimits = { ...parent.limits, ...params.limits };
    const rootModel = params.rootModel ?? parent.rootModel;
    const subModel = params.subModel ?? parent.subModel;
    const costCheck = checkCostLimit({ limits, rootModel, subModel, prices: resolved.prices, baseUrl: resolved.baseUrl });
    // The parent's inputs, from the store, read by the sandbox as the parent read the user's files.
    const scratch = await mkdtemp(join(tmpdir(), 'rlmscope-fork-'));
    const removeScratch = () => rm(scratch, { recursive: true, force: true });
    let inputs: ResolvedInputs;
    try {
      const root = cache.root ? store.getPayload(parent.runId, cache.root.nodeId) : null;
      const files = await rootInputFiles(ranges, parent, root?.context ?? null, scratch);
      const paths = files.items.map((item) => item.path);
      inputs = { items: files.items, readablePaths: paths, totalBytes: parent.inputs.reduce((sum, input) => sum + input.bytes, 0), asArray: files.asArray, warnings: [] };
    } catch (error) {
      await removeScratch();
      // Another caller deleted the parent meanwhile: say so, not that the store lost a document.
      if (!store.getRun(parent.runId)) throw new RlmError('NOT_FOUND', `run ${parent.runId} was deleted while the fork copied its inputs`);
      throw error;
    }
    const settings = {
      runId: newRunId(),
      query: parent.query,
      rootModel,
      subModel,
      limits,
      seed: params.seed ?? parent.seed,
      providerReportsCost: costCheck.providerReportsCost,
      // The recording answers first; a call it does not have is deduplicated as the parent's were, unless told otherwise.
      dedupeSubcalls: params.dedupeSubcalls ?? parent.dedupeSubcalls ?? false,
      // The recording answers only code that sees the same `context`: the parent's parts, whatever size new runs use.
      partBytes: parent.partBytes ?? LEGACY_PART_BYTES,
    };
    const forkedFrom: ForkOrigin = { runId: parent.runId, nodeId: edit?.nodeId ?? null };
    const onFinished = (recorder: Recorder) => {
      // Never silent: a fork that left the recorded path before its edit ran without it.
      if (edit && !cache.editApplied) recorder.appendNote(ROOT_NODE_ID, editNotReached(edit.nodeId, parent.runId));
    };
    const runId = this.launch(settings, inputs, resolved, { forkedFrom, cache: cache.root, onRefused: removeScratch, onEnded: removeScratch, onFinished });
    return { runId, warnings: costCheck.warnings };
  }

  /** Creates the run and starts it; returns its id once it is recorded and running. */
  private launch(
    settings: RunSettings,
    inputs: ResolvedInputs,
    resolved: ReturnType<SettingsSource['resolved']>,
    options: {
      forkedFrom?: ForkOrigin;
      cache?: RlmCache | null;
      onRefused: () => unknown;
      /** Once the run has ended, with its recorder (a last note). */
      onFinished?: (recorder: Recorder) => void;
      onEnded: () => Promise<unknown>;
    },
  ): string {
    const { store, documents, clients, bus, config } = this.deps;
    const { runId, limits } = settings;
    try {
      store.createRun({
        runId,
        createdAt: Date.now(),
        query: settings.query,
        rootModel: settings.rootModel,
        subModel: settings.subModel,
        baseUrl: resolved.baseUrl,
        limits,
        seed: settings.seed,
        dedupeSubcalls: settings.dedupeSubcalls ?? false,
        partBytes: settings.partBytes ?? PART_BYTES,
        ownerPid: process.pid,
        ownerHost: hostname(),
        ...(options.forkedFrom ? { forkedFrom: options.forkedFrom } : {}),
      });
    } catch (error) {
      void options.onRefused();
      throw error;
    }
    const recorder = new Recorder(store, runId, (event) => bus.emit(event));
    const context = new RunContext(settings, {
      client: clients.for(resolved.baseUrl, resolved.apiKey),
      prices: resolved.prices,
      launcher: config.launcher,
      recorder,
      documents,
      cache: options.cache ?? null,
    });
    // A failed write (a full disk) stops the run at once: no model call is made that could not be recorded.
    recorder.whenStoreFails((message) => context.stop('error', message));
    const summary = store.getRun(runId);
    if (summary) bus.emit({ type: 'run.started', runId, summary });
    // From the first moment: storing a large input can take longer than STALE_OWNER_MS.
    const heartbeat = setInterval(() => recorder.heartbeat(), HEARTBEAT_MS);
    heartbeat.unref();
    const done = executeWithInputs(context, inputs, store, documents).finally(async () => {
      clearInterval(heartbeat);
      this.active.delete(runId);
      try {
        options.onFinished?.(recorder);
      } catch {
        // a run that ended before its root RLM existed has nowhere to hold a note
      }
      await options.onEnded().catch(() => undefined);
    });
    // Waiters see a failure; nobody waiting must not make it an unhandled rejection.
    done.catch(() => undefined);
    this.active.set(runId, { context, done });
    return runId;
  }

  async stop(runId: string): Promise<{ status: RunStatus }> {
    const active = this.active.get(runId);
    if (!active) return { status: this.inactiveStatus(runId) };
    active.context.stop('user', 'stopped by the user');
    const summary = await active.done;
    return { status: summary.status };
  }

  pause(runId: string): { status: RunStatus } {
    return this.control(runId, (run) => run.pause());
  }

  resume(runId: string): { status: RunStatus } {
    return this.control(runId, (run) => run.resume());
  }

  /** Resume for one step, then pause again. */
  step(runId: string): { status: RunStatus } {
    return this.control(runId, (run) => run.gate.step());
  }

  /**
   * Stops one child RLM of a live run with its subtree (issue 13); the rest of the run goes on.
   * Resolves once that RLM's node has ended. The root is refused: that is the whole run's Stop.
   */
  async stopRlm(runId: string, nodeId: number): Promise<{ stopped: true }> {
    const rlm = this.liveRlm(runId, nodeId, 'stop');
    if (rlm.isRoot) throw new RlmError('INVALID_INPUT', `node ${nodeId} is the root RLM of run ${runId}: use Stop to stop the whole run`);
    await rlm.stopAndWait();
    return { stopped: true };
  }

  /** Queues a note for one running RLM of a live run: it reads it at its next model turn. */
  noteRlm(runId: string, nodeId: number, text: string): { queued: true } {
    if (!this.liveRlm(runId, nodeId, 'note').note(text)) {
      throw new RlmError('INVALID_INPUT', `RLM node ${nodeId} already has ${MAX_WAITING_NOTES} notes waiting for its next turn: send more once it has read them`);
    }
    return { queued: true };
  }

  /** A going RLM of a run going in this process, or the one-line reason it cannot be steered. */
  private liveRlm(runId: string, nodeId: number, action: 'stop' | 'note'): LiveRlm {
    const verb = action === 'stop' ? 'stop' : 'send a note to';
    const active = this.active.get(runId);
    if (!active) throw new RlmError('RUN_NOT_ACTIVE', `run ${runId} is ${this.inactiveStatus(runId)}, not running: there is no RLM to ${verb}`);
    const stopping = active.context.stopReason;
    if (stopping) throw new RlmError('RUN_NOT_ACTIVE', `run ${runId} is stopping (${stopping.message}): there is no RLM to ${verb}`);
    const rlm = active.context.rlms.get(nodeId);
    if (rlm) return rlm;
    const node = this.deps.store.getNode(runId, nodeId);
    if (!node) throw new RlmError('NOT_FOUND', `run ${runId} has no node ${nodeId}`);
    if (node.kind !== 'rlm') throw new RlmError('INVALID_INPUT', `node ${nodeId} of run ${runId} is a ${node.kind === 'llm' ? 'model call' : 'cell'}, not an RLM`);
    const why = action === 'stop' ? 'there is nothing to stop' : 'it would never read the note';
    throw new RlmError('RUN_NOT_ACTIVE', `RLM node ${nodeId} has already ended (${node.status}): ${why}`);
  }

  /** Resolves when the run ends (at once for a run already over). */
  async waitFor(runId: string): Promise<RunSummary> {
    const active = this.active.get(runId);
    if (active) return active.done;
    return this.deps.store.getRun(runId) ?? runNotFound(runId);
  }

  /** Stops every run this process runs, and waits for each to end. */
  async stopAll(): Promise<void> {
    await Promise.allSettled([...this.active.keys()].map((runId) => this.stop(runId)));
  }

  private control(runId: string, action: (run: RunContext) => void): { status: RunStatus } {
    const active = this.active.get(runId);
    if (!active) throw new RlmError('RUN_NOT_ACTIVE', `run ${runId} is ${this.inactiveStatus(runId)}, not running`);
    action(active.context);
    return { status: active.context.gate.isPaused ? 'paused' : 'running' };
  }

  private inactiveStatus(runId: string): RunStatus {
    const run = this.deps.store.getRun(runId) ?? runNotFound(runId);
    // An active status here means another process runs it; this one cannot control it.
    if (ACTIVE_RUN_STATUSES.includes(run.status)) {
      throw new RlmError('RUN_NOT_ACTIVE', `run ${runId} is running in another process (pid of its owner is in the database)`);
    }
    return run.status;
  }
}

/** A run's root RLM is its first node. */
const ROOT_NODE_ID = 1;

/** The note on a fork's root RLM when the fork never reached its edit. */
export function editNotReached(nodeId: number, parentRunId: string): string {
  return `this fork never reached its edit (node ${nodeId} of run ${parentRunId}): it left the recorded path before that step, so it ran without the edit`;
}

function uploadIdsOf(inputs: readonly RunInput[]): string[] {
  return inputs.flatMap((input) => (input.kind === 'upload' ? [input.uploadId] : []));
}
