// Runs for the UI benchmarks, written straight into a database through the real store: a
// 100,000-node run the shape of "one sub-call per line" (a root RLM whose cells fan out to
// thousands of sub-calls, one cell starting a child RLM), and a ten-node run as the baseline.
import { openDatabase } from '../src/main/store/database';
import { RunRepository } from '../src/main/store/runRepository';
import { DEFAULT_LIMITS } from '../src/shared/limits';

export interface UiRuns {
  big: string;
  small: string;
  bigNodes: number;
  /** How long the big run's encoded index (nodeIndexChunks.ts) took to store after it ended, and in how many chunks. */
  /** The big run's index as stored: its fill's time, its chunks, their bytes (the index the page reads). */
  indexCache: { ms: number; chunks: number; bytes: number };
}

function writeRun(store: RunRepository, runId: string, subCalls: number, createdAt: number): number {
  store.createRun({ runId, createdAt, query: `bench: ${subCalls} sub-calls`, rootModel: 'bench-root', subModel: 'bench-sub', baseUrl: 'http://127.0.0.1', limits: DEFAULT_LIMITS, seed: 1, ownerPid: process.pid, ownerHost: 'bench' });
  let id = 0;
  const at = createdAt;
  const add = (parentId: number | null, kind: 'rlm' | 'llm' | 'cell', depth: number, seq: number, label: string, extra: { model?: string; purpose?: 'turn' | 'sub' } = {}) => {
    id += 1;
    store.addNode(runId, { id, parentId, kind, depth, seq, startedAt: at + id, label, ...extra }, kind === 'cell' ? { code: label } : { query: label });
    store.updateNode(runId, id, { status: 'completed', endedAt: at + id + 40 }, kind === 'cell' ? { code: label, output: 'ok' } : { text: 'ok' });
    if (kind === 'llm') store.recordUsage(runId, id, { inputTokens: 420, outputTokens: 12, cachedTokens: 0, costUsd: 0.00011, estimated: false });
    return id;
  };
  const root = add(null, 'rlm', 0, 0, 'Which lines mention an outage?');
  const cells = 10;
  const perCell = Math.max(1, Math.floor(subCalls / cells));
  let seq = 0;
  for (let c = 0; c < cells; c++) {
    add(root, 'llm', 0, seq++, `turn ${c + 1}: let me look at the next part`, { model: 'bench-root', purpose: 'turn' });
    const cell = add(root, 'cell', 0, seq++, `const answers = await llm_query_batched(lines.slice(${c * perCell}, ${(c + 1) * perCell}))`);
    let childSeq = 0;
    if (c === 3) {
      const child = add(cell, 'rlm', 1, childSeq++, 'summarise the outages of part 4');
      add(child, 'llm', 1, 0, 'turn 1', { model: 'bench-sub', purpose: 'turn' });
      add(child, 'cell', 1, 1, 'print(context.length)');
    }
    for (let i = 0; i < perCell; i++) add(cell, 'llm', 0, childSeq++, `Does line ${c * perCell + i} mention an outage?`, { model: 'bench-sub', purpose: 'sub' });
  }
  store.finishRun(runId, { status: 'completed', endedAt: at + id + 100, answer: '17 lines', stopReason: null, error: null });
  return id;
}

/**
 * Writes both runs into the database file (created and migrated if new), and waits for what
 * ending them starts: their node index stored encoded (RunRepository.finishRun fills it), as a
 * real run that ended before it is opened has it.
 */
export async function writeUiRuns(dbPath: string, bigSubCalls = 100_000): Promise<UiRuns> {
  const db = openDatabase(dbPath);
  try {
    const store = new RunRepository(db);
    const now = Date.now();
    let bigNodes = 0;
    // One transaction: the engine commits step by step, but these runs only need to exist.
    db.transaction(() => {
      writeRun(store, 'r-bench-small', 4, now - 2000);
      bigNodes = writeRun(store, 'r-bench-big', bigSubCalls, now - 1000);
    })();
    await store.cacheNodeIndex('r-bench-small');
    const started = performance.now();
    // The fill finishRun started: this waits for it, and writes nothing it has written.
    await store.cacheNodeIndex('r-bench-big');
    const ms = performance.now() - started;
    const { chunks, bytes } = db.prepare(`SELECT count(*) AS chunks, sum(length(bytes)) AS bytes FROM node_index_chunks WHERE run_id = 'r-bench-big'`).get() as { chunks: number; bytes: number };
    return { big: 'r-bench-big', small: 'r-bench-small', bigNodes, indexCache: { ms, chunks, bytes } };
  } finally {
    db.close();
  }
}
