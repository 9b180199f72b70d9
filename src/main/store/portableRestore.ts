// Restoring a run from a portable file (interop/portable): its documents' chunks as
// documentStore.ts stores them (staged: no documents row yet), then in ONE transaction the
// documents rows, the run, its inputs, nodes and payloads, written only once the whole file has
// been read and checked. A file that fails anywhere, or a restore cancelled part way, leaves the
// database as it was: nothing exists before that transaction, and the staged chunks are dropped.
// The chunks are not in the run's transaction on purpose: a document may be hundreds of MB, and
// a write lock held that long would stall every live run (documentStore.ts commits 4 chunks at a
// time). A *killed* restore (no code runs to clean) leaves no run and no document, only the
// chunks it had staged, with no documents row: invisible, and overwritten by the next put of the
// same bytes (as the chunks of any put killed part way are), but taking space until then.
import { randomBytes } from 'node:crypto';
import { closeSync, openSync, readSync, rmSync, unlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type Database from 'better-sqlite3';
import type { NodePayload, NodeRow } from '../../shared/domain/node';
import { ACTIVE_RUN_STATUSES } from '../../shared/domain/run';
import { RlmError } from '../../shared/errors';
import { isKeepableRunId } from '../interop/portable/format';
import type { PortableItem, PortableRun } from '../interop/portable/readPortable';
import { newRunId } from '../service/runId';
import { DocumentStore, type StagedDocument } from './documentStore';
import { payloadBody, runSettingsJson } from './runRows';
import { prepareStatements, type RunStatements } from './runStatements';
import { guard } from './storeErrors';

export interface RestoreOptions {
  /** Keep the file's run id when no run of this database has it and it is fit to keep (isKeepableRunId); else a new id is made. */
  keepIdIfFree?: boolean;
  /** Makes the id of a run whose own id is taken (tests pass their own). */
  newId?: () => string;
}

export interface RestoredRun {
  runId: string;
  /** The id in the file, which differs from runId when it was taken here. */
  originalRunId: string;
  nodes: number;
  documents: number;
}

interface HeldNode {
  node: NodeRow;
  /** Where its payload's stored text is in the spill file; null when it has none. */
  body: SpilledBody | null;
}

interface SpilledBody {
  at: number;
  bytes: number;
}

/**
 * The nodes' payloads, held on disk until the run's transaction writes them. In memory they were
 * as large as the file inflates to: a 4 MB file of repeated text (40 nodes of 100 MB payloads,
 * which gzip shrinks a thousandfold) ended the process after three minutes with "JavaScript heap
 * out of memory" (`serve` too: one upload took the server and its live runs down). On disk they
 * cost what the run will cost in the database anyway, and a full disk is one clear error.
 * The file sits beside the database (the disk the run is going to) and is unlinked at once where
 * the system allows it, so that a killed restore leaves nothing behind.
 */
class SpilledBodies {
  private readonly path: string;
  private readonly fd: number;
  private size = 0;

  constructor(databaseFile: string) {
    const folder = databaseFile === '' || databaseFile === ':memory:' ? tmpdir() : dirname(databaseFile);
    this.path = join(folder, `.rlmscope-restore-${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
    this.fd = spillIo(() => openSync(this.path, 'wx+'));
    try {
      unlinkSync(this.path);
    } catch {
      // Windows keeps an open file's name: close() removes it.
    }
  }

  put(body: string): SpilledBody {
    const bytes = Buffer.from(body, 'utf8');
    const at = this.size;
    spillIo(() => {
      for (let done = 0; done < bytes.length; ) done += writeSync(this.fd, bytes, done, bytes.length - done, at + done);
    });
    this.size += bytes.length;
    return { at, bytes: bytes.length };
  }

  get(body: SpilledBody): string {
    const bytes = Buffer.allocUnsafe(body.bytes);
    spillIo(() => {
      for (let done = 0; done < body.bytes; ) {
        const read = readSync(this.fd, bytes, done, body.bytes - done, body.at + done);
        if (read === 0) throw new Error('the spill file is shorter than what was written to it');
        done += read;
      }
    });
    return bytes.toString('utf8');
  }

  close(): void {
    closeSync(this.fd);
    rmSync(this.path, { force: true });
  }
}

function spillIo<T>(fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOSPC' ? 'the disk is full' : code ?? (error instanceof Error ? error.message : String(error));
    throw new RlmError('STORE_FAILED', `the run's steps could not be held on disk while it was restored: ${why}`);
  }
}

/** `statements`: the repository's own, prepared once (prepared here for a caller without them). */
export async function restorePortableRun(
  db: Database.Database,
  items: AsyncIterable<PortableItem>,
  options: RestoreOptions = {},
  statements: RunStatements = prepareStatements(db),
): Promise<RestoredRun> {
  const documents = new DocumentStore(db);
  const staged: StagedDocument[] = [];
  let run: PortableRun | null = null;
  const nodes: HeldNode[] = [];
  const used = new Set<string>();
  const bodies = new SpilledBodies(db.name);
  try {
    for await (const item of items) {
      switch (item.kind) {
        case 'header':
          break;
        case 'run':
          run = item.run;
          for (const input of run.inputs) used.add(input.hash);
          break;
        case 'node':
          // Held as stored text: the run is written in one transaction once the file is whole.
          nodes.push({ node: item.node, body: item.payload === null ? null : bodies.put(payloadBody(item.payload)) });
          if (item.node.kind === 'rlm') for (const hash of (item.payload as NodePayload | null)?.documents ?? []) used.add(hash);
          break;
        case 'document': {
          const document = await documents.stageChunks(item.chunks, { hash: item.hash, bytes: item.bytes });
          if (document) staged.push(document);
          break;
        }
        case 'end': {
          if (!run) throw new RlmError('INVALID_INPUT', 'the file holds no run');
          const whole = run;
          const runId = guard('restorePortableRun', () => writeRun(db, statements, whole, nodes, bodies, used, options, documents, staged));
          // A document in the file that the run does not name is not kept.
          for (const document of staged) if (!used.has(document.hash)) documents.dropStaged(document.hash);
          return { runId, originalRunId: run.runId, nodes: nodes.length, documents: used.size };
        }
      }
    }
    throw new RlmError('INVALID_INPUT', 'the file ends before its end record');
  } catch (error) {
    for (const document of staged) documents.dropStaged(document.hash);
    throw error;
  } finally {
    bodies.close();
  }
}

function chooseId(taken: (id: string) => boolean, id: string, options: RestoreOptions): string {
  if ((options.keepIdIfFree ?? true) && isKeepableRunId(id) && !taken(id)) return id;
  const make = options.newId ?? newRunId;
  for (let attempt = 0; attempt < 10; attempt++) {
    const candidate = make();
    if (!taken(candidate)) return candidate;
  }
  throw new RlmError('STORE_FAILED', `no free run id could be made for the restored run ${id}`);
}

/**
 * The run, its inputs, nodes and payloads in one transaction, with the store's own whole-run
 * statements (runStatements.ts). Unlike insertWholeRun, the totals are the file's as they are
 * (its nodes' subtree totals and the run's): rolled up again, sums of costs taken in another
 * order could differ in the last bit, and the restored run must equal the exported one.
 */
function writeRun(
  db: Database.Database,
  s: RunStatements,
  run: PortableRun,
  nodes: readonly HeldNode[],
  bodies: SpilledBodies,
  used: ReadonlySet<string>,
  options: RestoreOptions,
  documents: DocumentStore,
  staged: readonly StagedDocument[],
): string {
  // A run exported while it was running has no owner here: it is restored as what it is now,
  // interrupted at its last sign of life (as markInterrupted would find it).
  const active = ACTIVE_RUN_STATUSES.includes(run.status);
  let lastSign = run.createdAt;
  for (const { node } of nodes) lastSign = Math.max(lastSign, node.endedAt ?? node.startedAt);
  const endedAt = active ? (run.endedAt ?? lastSign) : run.endedAt;
  const taken = db.prepare<[string], number>(`SELECT 1 FROM runs WHERE id = ?`).pluck();
  const hasDocument = db.prepare<[string], number>(`SELECT 1 FROM documents WHERE hash = ?`).pluck();

  // IMMEDIATE: it reads (a free id, the documents) before it writes, and a deferred transaction
  // that does so cannot wait for another process's write in WAL mode (see runDeletion.ts).
  return db.transaction((): string => {
    const runId = chooseId((id) => taken.get(id) !== undefined, run.runId, options);
    for (const document of staged) if (used.has(document.hash)) documents.commitStaged(document);
    // A document this restore found already stored may have been deleted since with the last
    // run that used it: the run would name bytes that are not there.
    for (const hash of used) {
      if (hasDocument.get(hash) === undefined) throw new RlmError('STORE_FAILED', `document ${hash} went missing while the run was restored (deleted with the last run that used it); import the file again`);
    }
    s.insertWholeRun.run({
      id: runId,
      createdAt: run.createdAt,
      endedAt,
      status: active ? 'interrupted' : run.status,
      query: run.query,
      rootModel: run.rootModel,
      subModel: run.subModel,
      baseUrl: run.baseUrl,
      limitsJson: runSettingsJson(run.limits, run.dedupeSubcalls, run.partBytes),
      answer: run.answer,
      stopReason: run.stopReason,
      error: run.error,
      seed: run.seed,
      pricedCostUsd: run.pricedCostUsd,
      unpricedCalls: run.unpricedCalls,
      inputTokens: run.inputTokens,
      outputTokens: run.outputTokens,
      cachedTokens: run.cachedTokens,
      modelCalls: run.modelCalls,
      iterations: run.iterations,
      maxDepthReached: run.maxDepthReached,
      origin: run.origin,
      source: run.source,
      // Its recording travels with it: a native run restored elsewhere stays replayable there.
      recording: run.recording,
      // A fork restored elsewhere still names its parent, which may not be there: the UI says so.
      forkedFromRun: run.forkedFrom?.runId ?? null,
      forkedFromNode: run.forkedFrom?.nodeId ?? null,
      cachedCalls: run.cachedCalls ?? 0,
      signals: run.signals?.length ? JSON.stringify(run.signals) : null,
    });
    run.inputs.forEach((input, ord) => s.insertInput.run({ runId, ord, name: input.name, hash: input.hash, bytes: input.bytes }));
    for (const hash of used) s.insertRunDocument.run({ runId, hash });
    for (const { node, body } of nodes) {
      const interrupted = active && node.status === 'running';
      s.insertWholeNode.run({
        runId,
        id: node.id,
        parentId: node.parentId,
        kind: node.kind,
        depth: node.depth,
        seq: node.seq,
        status: interrupted ? 'interrupted' : node.status,
        startedAt: node.startedAt,
        endedAt: interrupted ? Math.max(node.startedAt, endedAt ?? node.startedAt) : node.endedAt,
        label: node.label,
        model: node.model,
        purpose: node.purpose,
        inputTokens: node.inputTokens,
        outputTokens: node.outputTokens,
        cachedTokens: node.cachedTokens,
        costUsd: node.costUsd,
        estimated: node.usageEstimated ? 1 : 0,
        subPriced: node.subtree.pricedCostUsd,
        subUnpriced: node.subtree.unpricedCalls,
        subInput: node.subtree.inputTokens,
        subOutput: node.subtree.outputTokens,
        subCalls: node.subtree.modelCalls,
        cached: node.cached === true ? 1 : 0,
      });
      if (body !== null) s.putPayload.run({ runId, nodeId: node.id, body: bodies.get(body) });
    }
    return runId;
  }).immediate();
}
