// Restoring a run from a portable file (interop/portable): its documents as documentStore.ts
// stores them, then the run, its inputs, nodes and payloads in ONE transaction, written only once
// the whole file has been read and checked. A file that fails anywhere leaves the database as it
// was: the run is never begun, and documents this restore added are taken out again.
import { hostname } from 'node:os';
import type Database from 'better-sqlite3';
import type { NodePayload, NodeRow } from '../../shared/domain/node';
import { ACTIVE_RUN_STATUSES } from '../../shared/domain/run';
import { RlmError } from '../../shared/errors';
import type { PortableItem, PortableRun } from '../interop/portable/readPortable';
import { newRunId } from '../service/runId';
import { DocumentStore } from './documentStore';
import { payloadBody } from './runRows';
import { guard } from './storeErrors';

export interface RestoreOptions {
  /** Keep the file's run id when no run of this database has it (else a new id is made). */
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
  body: string | null;
}

export async function restorePortableRun(db: Database.Database, items: AsyncIterable<PortableItem>, options: RestoreOptions = {}): Promise<RestoredRun> {
  const documents = new DocumentStore(db);
  const added: string[] = [];
  let run: PortableRun | null = null;
  const nodes: HeldNode[] = [];
  const used = new Set<string>();
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
          nodes.push({ node: item.node, body: item.payload === null ? null : payloadBody(item.payload) });
          if (item.node.kind === 'rlm') for (const hash of (item.payload as NodePayload | null)?.documents ?? []) used.add(hash);
          break;
        case 'document': {
          const isNew = !documents.has(item.hash);
          await documents.putChunks(item.chunks, { hash: item.hash, bytes: item.bytes });
          if (isNew) added.push(item.hash);
          break;
        }
        case 'end': {
          if (!run) throw new RlmError('INVALID_INPUT', 'the file holds no run');
          const runId = chooseId(db, run.runId, options);
          guard('restorePortableRun', () => writeRun(db, runId, run!, nodes, used));
          return { runId, originalRunId: run.runId, nodes: nodes.length, documents: used.size };
        }
      }
    }
    throw new RlmError('INVALID_INPUT', 'the file ends before its end record');
  } catch (error) {
    dropAdded(db, added);
    throw error;
  }
}

function chooseId(db: Database.Database, id: string, options: RestoreOptions): string {
  const taken = (candidate: string) => db.prepare<[string], number>(`SELECT 1 FROM runs WHERE id = ?`).pluck().get(candidate) !== undefined;
  if ((options.keepIdIfFree ?? true) && !taken(id)) return id;
  const make = options.newId ?? newRunId;
  for (let attempt = 0; attempt < 10; attempt++) {
    const candidate = make();
    if (!taken(candidate)) return candidate;
  }
  throw new RlmError('STORE_FAILED', `no free run id could be made for the restored run ${id}`);
}

function writeRun(db: Database.Database, runId: string, run: PortableRun, nodes: readonly HeldNode[], used: ReadonlySet<string>): void {
  const insertRun = db.prepare(
    `INSERT INTO runs (id, created_at, ended_at, status, query, root_model, sub_model, base_url, limits_json, answer, stop_reason,
       error, seed, priced_cost_usd, unpriced_calls, input_tokens, output_tokens, cached_tokens, model_calls, iterations,
       max_depth_reached, owner_pid, owner_host, heartbeat_at, origin, source, recording)
     VALUES (@id, @createdAt, @endedAt, @status, @query, @rootModel, @subModel, @baseUrl, @limitsJson, @answer, @stopReason,
       @error, @seed, @pricedCostUsd, @unpricedCalls, @inputTokens, @outputTokens, @cachedTokens, @modelCalls, @iterations,
       @maxDepthReached, @ownerPid, @ownerHost, @heartbeatAt, @origin, @source, @recording)`,
  );
  const insertInput = db.prepare(`INSERT INTO run_inputs (run_id, ord, name, hash, bytes) VALUES (?, ?, ?, ?, ?)`);
  const insertRunDocument = db.prepare(`INSERT OR IGNORE INTO run_documents (run_id, hash) VALUES (?, ?)`);
  const insertNode = db.prepare(
    `INSERT INTO nodes (run_id, id, parent_id, kind, depth, seq, status, started_at, ended_at, label, model, purpose,
       input_tokens, output_tokens, cached_tokens, cost_usd, usage_estimated,
       sub_priced_cost_usd, sub_unpriced_calls, sub_input_tokens, sub_output_tokens, sub_model_calls)
     VALUES (@runId, @id, @parentId, @kind, @depth, @seq, @status, @startedAt, @endedAt, @label, @model, @purpose,
       @inputTokens, @outputTokens, @cachedTokens, @costUsd, @usageEstimated,
       @subPriced, @subUnpriced, @subInput, @subOutput, @subCalls)`,
  );
  const insertPayload = db.prepare(`INSERT INTO node_payloads (run_id, node_id, body) VALUES (?, ?, ?)`);

  // A run exported while it was running has no owner here: it is restored as what it is now,
  // interrupted at its last sign of life (as markInterrupted would find it).
  const active = ACTIVE_RUN_STATUSES.includes(run.status);
  let lastSign = run.createdAt;
  for (const { node } of nodes) lastSign = Math.max(lastSign, node.endedAt ?? node.startedAt);
  const endedAt = active ? (run.endedAt ?? lastSign) : run.endedAt;

  db.transaction(() => {
    insertRun.run({
      id: runId,
      createdAt: run.createdAt,
      endedAt,
      status: active ? 'interrupted' : run.status,
      query: run.query,
      rootModel: run.rootModel,
      subModel: run.subModel,
      baseUrl: run.baseUrl,
      limitsJson: JSON.stringify(run.limits),
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
      ownerPid: process.pid,
      ownerHost: hostname(),
      heartbeatAt: endedAt ?? run.createdAt,
    });
    run.inputs.forEach((input, ord) => insertInput.run(runId, ord, input.name, input.hash, input.bytes));
    for (const hash of used) insertRunDocument.run(runId, hash);
    for (const { node, body } of nodes) {
      const interrupted = active && node.status === 'running';
      insertNode.run({
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
        usageEstimated: node.usageEstimated ? 1 : 0,
        subPriced: node.subtree.pricedCostUsd,
        subUnpriced: node.subtree.unpricedCalls,
        subInput: node.subtree.inputTokens,
        subOutput: node.subtree.outputTokens,
        subCalls: node.subtree.modelCalls,
      });
      if (body !== null) insertPayload.run(runId, node.id, body);
    }
  })();
}

/** Takes out the documents this restore stored, unless a run (another import, meanwhile) uses them. */
function dropAdded(db: Database.Database, hashes: readonly string[]): void {
  if (hashes.length === 0) return;
  const inUse = db.prepare<[string], number>(`SELECT 1 FROM run_documents WHERE hash = ? LIMIT 1`).pluck();
  const dropDocument = db.prepare(`DELETE FROM documents WHERE hash = ?`);
  const dropChunks = db.prepare(`DELETE FROM document_chunks WHERE hash = ?`);
  db.transaction(() => {
    for (const hash of hashes) {
      if (inUse.get(hash) !== undefined) continue;
      dropDocument.run(hash);
      dropChunks.run(hash);
    }
  })();
}
