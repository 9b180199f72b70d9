// The RlmApi served by plain objects under Node: the CLI calls it in-process, the desktop app
// over IPC, browser mode over a WebSocket — all through `call` and `subscribe`, the same way.
// Composition and lifetime only: each slice of the contract has its handlers in its own module
// (`<slice>Handlers.ts`), the runs this process runs are in activeRuns.ts.
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { MethodName, MethodResult, RlmApi, RlmEvent, Unsubscribe } from '../../shared/api';
import { methodSchemas } from '../../shared/api';
import type { AbortSignalLike, CallOptions } from '../../shared/cancellation';
import type { AppCommand } from '../../shared/domain/app';
import type { RunSummary } from '../../shared/domain/run';
import { RlmError } from '../../shared/errors';
import { closeDatabase, openDatabase } from '../store/database';
import { DocumentStore } from '../store/documentStore';
import { ownerCheck } from '../store/ownerCheck';
import { prepareRunDeletion } from '../store/runDeletion';
import { RunRepository } from '../store/runRepository';
import { ActiveRuns, STALE_OWNER_MS } from './activeRuns';
import { appHandlers } from './appHandlers';
import { documentRanges } from '../store/documentRanges';
import { debuggerHandlers } from './debuggerHandlers';
import { documentsHandlers } from './documentsHandlers';
import { EventBus } from './eventBus';
import { fixedSettings } from './fixedSettings';
import type { Handlers } from './handlers';
import { interopHandlers } from './interopHandlers';
import { ModelClients } from './modelClients';
import { nodesHandlers } from './nodesHandlers';
import { RunExports, type ExportDownloads } from './runExports';
import { runsHandlers } from './runsHandlers';
import { isInMemory, type ServiceConfig } from './serviceConfig';
import { settingsHandlers } from './settingsHandlers';
import { Uploads } from './uploads';
import { uploadsHandlers } from './uploadsHandlers';

export type { ServiceConfig };

export class RlmService implements RlmApi {
  readonly store: RunRepository;
  private readonly bus = new EventBus();
  /** Files the page sends; browser mode's server also takes their bytes over HTTP (`receive`). */
  readonly uploads: Uploads;
  /** Browser mode's downloads of exported runs (the browser server streams them). */
  readonly downloads: ExportDownloads;
  private readonly activeRuns: ActiveRuns;
  /** Aborted on close: what still waits on the network (a connection test) gives up. */
  private readonly lifetime = new AbortController();
  private readonly handlers: Handlers<MethodName>;
  private closed = false;

  private constructor(
    config: ServiceConfig,
    private readonly db: ReturnType<typeof openDatabase>,
  ) {
    this.store = new RunRepository(db);
    this.uploads = new Uploads(config.uploadsDir ?? uploadsBeside(config.dbPath), config.uploadLimits);
    const settings = config.settings ?? fixedSettings(config);
    const exports = new RunExports({ db, dbPath: config.dbPath, ...(config.nativeBinding ? { nativeBinding: config.nativeBinding } : {}) });
    this.downloads = exports;
    const { store, uploads, bus } = this;
    const ranges = documentRanges(db);
    this.activeRuns = new ActiveRuns({ store, documents: new DocumentStore(db), ranges, settings, clients: new ModelClients(config.client), uploads, bus, config });
    this.handlers = {
      ...runsHandlers({ store, activeRuns: this.activeRuns, deleteRun: prepareRunDeletion(db), bus }),
      ...nodesHandlers(store),
      ...debuggerHandlers(store, { documents: ranges, launcher: config.launcher, bus }, (params) => this.activeRuns.fork(params)),
      ...settingsHandlers(settings, { timeoutMs: config.connectionTimeoutMs, signal: this.lifetime.signal }),
      ...uploadsHandlers(uploads),
      ...appHandlers(config),
      ...documentsHandlers(db),
      ...interopHandlers({ store, uploads, settings, bus, config, exports, ...(config.chooseExportPath ? { chooseExportPath: config.chooseExportPath } : {}) }),
    };
  }

  /** Opens the database and marks runs whose process died mid-run as interrupted. */
  static open(config: ServiceConfig): RlmService {
    // The engine commits every step: checkpoints go to a worker, in the gaps between bursts (walCheckpointer.ts).
    const db = openDatabase(config.dbPath, { backgroundCheckpoints: true, ...(config.nativeBinding ? { nativeBinding: config.nativeBinding } : {}) });
    try {
      const service = new RlmService(config, db);
      service.store.markInterrupted(ownerCheck({ now: Date.now(), staleMs: STALE_OWNER_MS }), Date.now());
      // A node left `running` inside a run that ended (issue 9) ends with its run.
      service.store.endLeftoverNodes();
      return service;
    } catch (error) {
      // These write (the file busy with another process's long write fails them): the connection
      // and its checkpoint worker must not outlive the failed open, holding the file for good.
      closeDatabase(db);
      throw error;
    }
  }

  async call<M extends MethodName>(method: M, params: unknown, options?: CallOptions): Promise<MethodResult<M>> {
    if (this.closed) throw new RlmError('INTERNAL', 'the service is closed');
    const schema = methodSchemas[method];
    if (!schema) throw new RlmError('INVALID_INPUT', `unknown method ${String(method)}`);
    const parsed = schema.safeParse(params);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new RlmError('INVALID_INPUT', `${method}: ${issue?.path.join('.') || 'params'}: ${issue?.message ?? 'invalid'}`);
    }
    const handler = this.handlers[method] as (params: unknown, signal?: AbortSignalLike) => Promise<MethodResult<M>>;
    return handler(parsed.data, options?.signal);
  }

  subscribe(runId: string | null, listener: (event: RlmEvent) => void): Unsubscribe {
    return this.bus.subscribe(runId, listener);
  }

  /** Passes a command from outside the page (the desktop app's menu) to every subscriber. */
  notify(command: AppCommand): void {
    this.bus.emit({ type: 'app.commanded', runId: null, command });
  }

  /** Resolves when the run ends (at once for a run already over). */
  async waitForRun(runId: string): Promise<RunSummary> {
    return this.activeRuns.waitFor(runId);
  }

  /** Stops every active run, deletes the uploads and closes the database. */
  async close(): Promise<void> {
    if (this.closed) return;
    // Closed first: no run may start on a database about to close.
    this.closed = true;
    this.lifetime.abort();
    await this.activeRuns.stopAll();
    await this.uploads.close().catch(() => undefined);
    closeDatabase(this.db);
  }
}

/** `<folder of the database>/uploads`; under the temp folder for a database in memory. */
function uploadsBeside(dbPath: string): string {
  return isInMemory(dbPath) ? join(tmpdir(), 'rlmscope-uploads') : join(dirname(resolve(dbPath)), 'uploads');
}
