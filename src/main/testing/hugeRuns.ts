// A database holding what issue 9's red team made: runs whose answers are 200 MiB strings. The
// rows are written through the real store (a real run would take minutes to produce them);
// three of them together are longer than any one JavaScript string may be (~512 Mi characters).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_LIMITS } from '../../shared/limits';
import { openDatabase } from '../store/database';
import { RunRepository } from '../store/runRepository';

export const HUGE_CHARS = 200 * 1024 * 1024;
export const HUGE_RUNS = ['huge-1', 'huge-2', 'huge-3'] as const;

/** Each run's answer: its id's digit, then 'a' to 200 MiB, then 'Z' (so a cut shows). */
export function hugeAnswer(runId: string): string {
  return `${runId}:${'a'.repeat(HUGE_CHARS - runId.length - 2)}Z`;
}

/** Creates the database (in a new temp folder) and returns its path. */
export function makeHugeRunsDatabase(): string {
  const file = join(mkdtempSync(join(tmpdir(), 'rlm-huge-')), 'rlmscope.db');
  const db = openDatabase(file);
  try {
    const store = new RunRepository(db);
    for (const [i, runId] of HUGE_RUNS.entries()) {
      store.createRun({ runId, createdAt: 1_000 + i, query: `query of ${runId}`, rootModel: 'root', subModel: 'sub', baseUrl: 'http://127.0.0.1:9/v1', limits: DEFAULT_LIMITS, seed: 1, ownerPid: process.pid, ownerHost: 'test' });
      const answer = hugeAnswer(runId);
      // The root RLM's payload holds the answer too, as the engine records it.
      store.addNode(runId, { id: 1, parentId: null, kind: 'rlm', depth: 0, seq: 0, startedAt: 1_000, label: `query of ${runId}`, model: 'root', status: 'completed' }, { query: `query of ${runId}`, answer });
      store.finishRun(runId, { status: 'completed', endedAt: 2_000 + i, answer, stopReason: null, error: null });
    }
  } finally {
    db.close();
  }
  return file;
}
