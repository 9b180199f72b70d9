// Deleting a finished run: its row, and with it (ON DELETE CASCADE) its nodes, payloads, inputs
// and document references; then the documents that no other run uses. One transaction: a crash
// leaves either the whole run or none of it, never a run whose documents are gone.
import type Database from 'better-sqlite3';
import { ACTIVE_RUN_STATUSES, type RunStatus } from '../../shared/domain/run';
import { RlmError } from '../../shared/errors';
import type { OwnerCheck } from './runRepository';

export interface DeletedRun {
  /** Documents removed because no other run used them. */
  documents: number;
}

export type DeleteRun = (runId: string, isOwnerAlive: OwnerCheck) => DeletedRun;

interface OwnerRow {
  status: RunStatus;
  owner_pid: number;
  owner_host: string;
  heartbeat_at: number | null;
}

export function prepareRunDeletion(db: Database.Database): DeleteRun {
  const s = {
    getRun: db.prepare<[string], OwnerRow>(`SELECT status, owner_pid, owner_host, heartbeat_at FROM runs WHERE id = ?`),
    documentsOf: db.prepare<[string], string>(`SELECT hash FROM run_documents WHERE run_id = ?`).pluck(),
    deleteRun: db.prepare<[string]>(`DELETE FROM runs WHERE id = ?`),
    isUsed: db.prepare<[string], number>(`SELECT 1 FROM run_documents WHERE hash = ? LIMIT 1`).pluck(),
    deleteChunks: db.prepare<[string]>(`DELETE FROM document_chunks WHERE hash = ?`),
    deleteDocument: db.prepare<[string]>(`DELETE FROM documents WHERE hash = ?`),
  };
  const remove = db.transaction((runId: string, isOwnerAlive: OwnerCheck): DeletedRun => {
    const run = s.getRun.get(runId);
    if (!run) throw new RlmError('NOT_FOUND', `no run ${runId}`);
    // An active run whose owner is gone is as good as interrupted: nothing will write to it again.
    if (ACTIVE_RUN_STATUSES.includes(run.status) && isOwnerAlive(run.owner_pid, run.owner_host, run.heartbeat_at)) {
      throw new RlmError('RUN_ACTIVE', `run ${runId} is ${run.status}: stop the run before deleting it`);
    }
    const documents = s.documentsOf.all(runId);
    s.deleteRun.run(runId);
    let removed = 0;
    for (const hash of documents) {
      if (s.isUsed.get(hash) !== undefined) continue;
      s.deleteChunks.run(hash);
      removed += s.deleteDocument.run(hash).changes;
    }
    return { documents: removed };
  });
  return (runId, isOwnerAlive) => {
    try {
      // IMMEDIATE: the write lock first. A transaction that reads before it writes cannot wait
      // for another process's write (SQLITE_BUSY at once, busy_timeout or not) in WAL mode.
      return remove.immediate(runId, isOwnerAlive);
    } catch (error) {
      if (error instanceof RlmError) throw error;
      throw new RlmError('STORE_FAILED', `deleteRun: ${error instanceof Error ? error.message : String(error)}`);
    }
  };
}
