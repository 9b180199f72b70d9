import type Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { DocumentStore, CHUNK_BYTES } from './documentStore';
import { prepareRunDeletion } from './runDeletion';
import { RunRepository } from './runRepository';
import { newRun, tempDatabase, thrown } from '../testing/tempDatabase';

const alive = () => true;
const gone = () => false;

function setup() {
  const { db } = tempDatabase();
  return { db, runs: new RunRepository(db), documents: new DocumentStore(db), deleteRun: prepareRunDeletion(db) };
}

function count(db: Database.Database, table: string, where = '1'): number {
  return (db.prepare(`SELECT count(*) AS n FROM ${table} WHERE ${where}`).get() as { n: number }).n;
}

/** A finished run with an input and a child RLM whose context is its own document. */
function finishedRun(runs: RunRepository, documents: DocumentStore, runId: string, input: string, child: string): void {
  runs.createRun(newRun({ runId }));
  const inputDoc = documents.putText(input);
  runs.addInput(runId, 0, { name: 'in.txt', ...inputDoc });
  runs.addNode(runId, { id: 1, parentId: null, kind: 'rlm', depth: 0, seq: 0, startedAt: 1, label: 'root' }, { query: 'q', documents: [inputDoc.hash] });
  runs.addNode(runId, { id: 2, parentId: 1, kind: 'cell', depth: 0, seq: 0, startedAt: 2, label: 'cell' }, { code: 'rlm_query()' });
  const childDoc = documents.putText(child);
  runs.addNode(runId, { id: 3, parentId: 2, kind: 'rlm', depth: 1, seq: 0, startedAt: 3, label: 'child' }, { query: 'c', documents: [childDoc.hash] });
  runs.finishRun(runId, { status: 'completed', endedAt: 10, answer: 'a', stopReason: null, error: null });
}

describe('deleting a run', () => {
  it('removes the run, its nodes, payloads, inputs and the documents only it used', () => {
    const { db, runs, documents, deleteRun } = setup();
    finishedRun(runs, documents, 'gone', 'shared input', 'x'.repeat(CHUNK_BYTES + 10));
    finishedRun(runs, documents, 'kept', 'shared input', 'the kept run’s child');
    expect(count(db, 'documents')).toBe(3);

    expect(deleteRun('gone', alive)).toEqual({ documents: 1 });
    expect(runs.getRun('gone')).toBeNull();
    for (const table of ['nodes', 'node_payloads', 'run_inputs', 'run_documents']) {
      expect(count(db, table, `run_id = 'gone'`), table).toBe(0);
    }
    // The input both runs used stays, the big child context only the deleted run used goes.
    expect(count(db, 'documents')).toBe(2);
    expect(count(db, 'document_chunks')).toBe(2);
    expect(runs.getNodes('kept')).toHaveLength(3);
    const kept = runs.getRun('kept');
    expect(documents.read(kept?.inputs[0]?.hash ?? '').toString()).toBe('shared input');
  });

  it('refuses an active run whose owner is alive, and names the way out', () => {
    const { runs, deleteRun } = setup();
    runs.createRun(newRun({ runId: 'live' }));
    expect(thrown(() => deleteRun('live', alive))).toMatchObject({ code: 'RUN_ACTIVE', message: expect.stringContaining('stop the run before deleting it') });
    runs.setRunStatus('live', 'paused');
    expect(thrown(() => deleteRun('live', alive))).toMatchObject({ code: 'RUN_ACTIVE' });
    expect(runs.getRun('live')).not.toBeNull();
  });

  it('deletes an active run whose owner is gone: nothing will write to it again', () => {
    const { runs, deleteRun } = setup();
    runs.createRun(newRun({ runId: 'orphan' }));
    expect(deleteRun('orphan', gone)).toEqual({ documents: 0 });
    expect(runs.getRun('orphan')).toBeNull();
  });

  it('says when there is no such run', () => {
    const { deleteRun } = setup();
    expect(thrown(() => deleteRun('nope', alive))).toMatchObject({ code: 'NOT_FOUND', message: 'no run nope' });
  });
});
