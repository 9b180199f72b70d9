// The RlmApi served by plain objects under Node: the CLI calls it in-process, the desktop app
// over IPC, browser mode over a WebSocket — all through `call` and `subscribe`, the same way.
import { hostname } from 'node:os';
import type { MethodName, MethodResult, ParsedParams, RlmApi, RlmEvent, Unsubscribe } from '../../shared/api';
import { methodSchemas } from '../../shared/api';
import type { RunLimits, RunStatus, RunSummary } from '../../shared/domain';
import { ACTIVE_RUN_STATUSES, DEFAULT_LIMITS } from '../../shared/domain';
import { RlmError } from '../../shared/errors';
import { Recorder } from '../engine/recorder';
import { RunContext, type ModelCaller } from '../engine/runContext';
import { executeRun } from '../engine/runner';
import { resolveInputs, type ResolvedInputs } from '../input/resolveInputs';
import { ModelClient, type ModelClientOptions } from '../model/modelClient';
import { PriceTable } from '../model/prices';
import type { SandboxLauncher } from '../sandbox/launcher';
import { openDatabase } from '../store/database';
import { DocumentStore } from '../store/documentStore';
import { ownerCheck } from '../store/ownerCheck';
import { RunStore } from '../store/runStore';
import { EventBus } from './eventBus';
import { newRunId } from './runId';

export interface ServiceConfig {
  dbPath: string;
  /** better-sqlite3 built for Electron's ABI (the desktop app); Node's build otherwise. */
  nativeBinding?: string;
  baseUrl: string;
  apiKey?: string;
  rootModel: string;
  subModel: string;
  limits?: Partial<RunLimits>;
  prices?: PriceTable;
  launcher: SandboxLauncher;
  /** Timeouts and retry back-off of model calls. */
  client?: Partial<Omit<ModelClientOptions, 'baseUrl' | 'apiKey'>>;
}

interface ActiveRun {
  context: RunContext;
  done: Promise<RunSummary>;
}

/** A run whose owner has not written a heartbeat for this long is considered gone. */
const STALE_OWNER_MS = 60_000;
/** How often a live run tells other processes that its owner is alive (well under STALE_OWNER_MS). */
const HEARTBEAT_MS = 5000;
/** The largest string V8 holds (about 512 Mi characters): a larger file arrives in parts. */
const PART_BYTES = 2 ** 29 - 24;

type Handlers = { [M in MethodName]: (params: ParsedParams<M>) => Promise<MethodResult<M>> };

export class RlmService implements RlmApi {
  readonly store: RunStore;
  private readonly documents: DocumentStore;
  private readonly bus = new EventBus();
  private readonly active = new Map<string, ActiveRun>();
  private readonly client: ModelCaller;
  private readonly prices: PriceTable;
  private readonly handlers: Handlers;
  private closed = false;

  private constructor(
    private readonly config: ServiceConfig,
    private readonly db: ReturnType<typeof openDatabase>,
  ) {
    this.store = new RunStore(db);
    this.documents = new DocumentStore(db);
    this.prices = config.prices ?? PriceTable.withDefaults();
    this.client = new ModelClient({ baseUrl: config.baseUrl, apiKey: config.apiKey, ...config.client });
    this.handlers = {
      'runs.start': (p) => this.start(p),
      'runs.list': async (p) => this.store.listRuns(p),
      'runs.get': async ({ runId }) => this.store.getRun(runId) ?? notFound(runId),
      'runs.nodes': async ({ runId }) => {
        if (!this.store.getRun(runId)) notFound(runId);
        return this.store.getNodes(runId);
      },
      'nodes.get': async ({ runId, nodeId }) => {
        const payload = this.store.getPayload(runId, nodeId);
        if (!payload) throw new RlmError('NOT_FOUND', `run ${runId} has no node ${nodeId}`);
        return payload;
      },
      'runs.stop': (p) => this.stop(p.runId),
      'runs.pause': async ({ runId }) => this.control(runId, (run) => run.pause()),
      'runs.resume': async ({ runId }) => this.control(runId, (run) => run.resume()),
      'runs.step': async ({ runId }) => this.control(runId, (run) => run.gate.step()),
    };
  }

  /** Opens the database and marks runs whose process died mid-run as interrupted. */
  static open(config: ServiceConfig): RlmService {
    const db = openDatabase(config.dbPath, config.nativeBinding ? { nativeBinding: config.nativeBinding } : {});
    const service = new RlmService(config, db);
    service.store.markInterrupted(ownerCheck({ now: Date.now(), staleMs: STALE_OWNER_MS }), Date.now());
    return service;
  }

  async call<M extends MethodName>(method: M, params: unknown): Promise<MethodResult<M>> {
    if (this.closed) throw new RlmError('INTERNAL', 'the service is closed');
    const schema = methodSchemas[method];
    if (!schema) throw new RlmError('INVALID_INPUT', `unknown method ${String(method)}`);
    const parsed = schema.safeParse(params);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new RlmError('INVALID_INPUT', `${method}: ${issue?.path.join('.') || 'params'}: ${issue?.message ?? 'invalid'}`);
    }
    const handler = this.handlers[method] as (params: unknown) => Promise<MethodResult<M>>;
    return handler(parsed.data);
  }

  subscribe(runId: string | null, listener: (event: RlmEvent) => void): Unsubscribe {
    return this.bus.subscribe(runId, listener);
  }

  /** Resolves when the run ends (at once for a run already over). */
  async waitForRun(runId: string): Promise<RunSummary> {
    const active = this.active.get(runId);
    if (active) return active.done;
    const run = this.store.getRun(runId);
    if (!run) notFound(runId);
    return run;
  }

  /** Stops every active run and closes the database. */
  async close(): Promise<void> {
    if (this.closed) return;
    // Closed first: no run may start on a database about to close.
    this.closed = true;
    await Promise.allSettled([...this.active.keys()].map((runId) => this.stop(runId)));
    this.db.close();
  }

  private async start(params: ParsedParams<'runs.start'>): Promise<MethodResult<'runs.start'>> {
    const inputs = await resolveInputs(params.inputs);
    const runId = newRunId();
    const limits: RunLimits = { ...DEFAULT_LIMITS, ...this.config.limits, ...params.limits };
    const settings = {
      runId,
      query: params.query,
      rootModel: params.rootModel ?? this.config.rootModel,
      subModel: params.subModel ?? this.config.subModel,
      limits,
      seed: params.seed ?? Math.floor(Math.random() * 2 ** 31),
    };
    this.store.createRun({
      runId,
      createdAt: Date.now(),
      query: settings.query,
      rootModel: settings.rootModel,
      subModel: settings.subModel,
      baseUrl: this.config.baseUrl,
      limits,
      seed: settings.seed,
      ownerPid: process.pid,
      ownerHost: hostname(),
    });
    const recorder = new Recorder(this.store, runId, (event) => this.bus.emit(event));
    const context = new RunContext(settings, {
      client: this.client,
      prices: this.prices,
      launcher: this.config.launcher,
      recorder,
      documents: this.documents,
    });
    const summary = this.store.getRun(runId);
    if (summary) this.bus.emit({ type: 'run.started', runId, summary });
    // From the first moment: storing a large input can take longer than STALE_OWNER_MS.
    const heartbeat = setInterval(() => recorder.heartbeat(), HEARTBEAT_MS);
    heartbeat.unref();
    const done = this.execute(context, inputs).finally(() => {
      clearInterval(heartbeat);
      this.active.delete(runId);
    });
    // Waiters see a failure; nobody waiting must not make it an unhandled rejection.
    done.catch(() => undefined);
    this.active.set(runId, { context, done });
    return { runId, warnings: inputs.warnings };
  }

  private async execute(context: RunContext, inputs: ResolvedInputs): Promise<RunSummary> {
    const { runId } = context.settings;
    const documents: string[] = [];
    try {
      // The inputs are stored once, by content, before the first step: a run can be replayed.
      for (const [ord, item] of inputs.items.entries()) {
        const stored = 'path' in item ? await this.documents.putFile(item.path, item.name) : this.documents.putText(item.text);
        this.store.addInput(runId, ord, { name: item.name, hash: stored.hash, bytes: stored.bytes });
        documents.push(stored.hash);
      }
    } catch (error) {
      return context.deps.recorder.finishRun({ status: 'failed', answer: null, stopReason: 'error', error: (error as Error).message });
    }
    return executeRun(context, {
      context: inputs.items.length === 0 ? { kind: 'none' } : {
        kind: 'items',
        items: inputs.items.map((item) => ('path' in item ? { name: item.name, path: item.path } : { name: item.name, text: item.text })),
        asArray: inputs.asArray,
        partBytes: PART_BYTES,
      },
      readablePaths: inputs.readablePaths,
      contextBytes: inputs.totalBytes,
      documents,
    });
  }

  private async stop(runId: string): Promise<{ status: RunStatus }> {
    const active = this.active.get(runId);
    if (!active) return { status: this.inactiveStatus(runId) };
    active.context.stop('user', 'stopped by the user');
    const summary = await active.done;
    return { status: summary.status };
  }

  private control(runId: string, action: (run: RunContext) => void): { status: RunStatus } {
    const active = this.active.get(runId);
    if (!active) throw new RlmError('RUN_NOT_ACTIVE', `run ${runId} is ${this.inactiveStatus(runId)}, not running`);
    action(active.context);
    return { status: active.context.gate.isPaused ? 'paused' : 'running' };
  }

  private inactiveStatus(runId: string): RunStatus {
    const run = this.store.getRun(runId) ?? notFound(runId);
    // An active status here means another process runs it; this one cannot control it.
    if (ACTIVE_RUN_STATUSES.includes(run.status)) {
      throw new RlmError('RUN_NOT_ACTIVE', `run ${runId} is running in another process (pid of its owner is in the database)`);
    }
    return run.status;
  }
}

function notFound(runId: string): never {
  throw new RlmError('NOT_FOUND', `no run ${runId}`);
}
