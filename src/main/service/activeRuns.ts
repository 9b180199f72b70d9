// The runs this process runs: started here, steered here (stop, pause, resume, step), each
// telling other processes by a heartbeat that its owner is alive. A run another process owns
// is active in the database too, but only its owner can steer it.
import { hostname } from 'node:os';
import type { MethodResult, ParsedParams } from '../../shared/api';
import type { RunStatus, RunSummary } from '../../shared/domain/run';
import type { RunLimits } from '../../shared/limits';
import { ACTIVE_RUN_STATUSES } from '../../shared/domain/run';
import { RlmError } from '../../shared/errors';
import type { RunInput } from '../../shared/schemas';
import { Recorder } from '../engine/recorder';
import { RunContext } from '../engine/runContext';
import { resolveInputs } from '../input/resolveInputs';
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
    const { store, documents, settings: source, clients, uploads, bus, config } = this.deps;
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
    const runId = newRunId();
    const settings = {
      runId,
      query: params.query,
      rootModel,
      subModel,
      limits,
      seed: params.seed ?? Math.floor(Math.random() * 2 ** 31),
      providerReportsCost: costCheck.providerReportsCost,
    };
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
        ownerPid: process.pid,
        ownerHost: hostname(),
      });
    } catch (error) {
      // No run took them: the uploads wait for the next try.
      claim.unclaim();
      throw error;
    }
    const recorder = new Recorder(store, runId, (event) => bus.emit(event));
    const context = new RunContext(settings, {
      client: clients.for(resolved.baseUrl, resolved.apiKey),
      prices: resolved.prices,
      launcher: config.launcher,
      recorder,
      documents,
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
      // The sandbox read the uploaded files from their paths until now; the store keeps a copy.
      await claim.release().catch(() => undefined);
    });
    // Waiters see a failure; nobody waiting must not make it an unhandled rejection.
    done.catch(() => undefined);
    this.active.set(runId, { context, done });
    return { runId, warnings: [...costCheck.warnings, ...inputs.warnings] };
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

function uploadIdsOf(inputs: readonly RunInput[]): string[] {
  return inputs.flatMap((input) => (input.kind === 'upload' ? [input.uploadId] : []));
}
