// Step commits on the real store: each step of a sub-call is three transactions (the node added,
// finished with its payload, its usage rolled up its ancestors), on a file in WAL mode, as the
// engine makes them. The baseline is SQLite's floor on the same disk with the same settings: one
// row of the same size per transaction.
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { closeDatabase, openDatabase } from '../src/main/store/database';
import { RunRepository } from '../src/main/store/runRepository';
import { type NodeKind } from '../src/shared/domain/node';
import { DEFAULT_LIMITS } from '../src/shared/limits';
import { median, percentile } from './measure';
import { figure, type Figure } from './report';

const STEPS = 4000;
const COMMITS_PER_STEP = 3;
const RUN_ID = 'bench-commits';

function text(chars: number, seed: number): string {
  const words = ['the', 'ledger', 'shows', 'totals', 'for', 'region', 'north', 'and', 'south', 'in', 'Q3', 'revenue'];
  let out = '';
  for (let i = 0; out.length < chars; i++) out += `${words[(i * 7 + seed) % words.length]} `;
  return out.slice(0, chars);
}

/** rlm → cell → rlm → cell → rlm → cell: sub-calls hang off the three cells, depth 0 to 2. */
function buildTree(store: RunRepository): { cellIds: number[]; depths: number[]; nextId: number } {
  const chain: NodeKind[] = ['rlm', 'cell', 'rlm', 'cell', 'rlm', 'cell'];
  chain.forEach((kind, i) => {
    store.addNode(RUN_ID, { id: i + 1, parentId: i === 0 ? null : i, kind, depth: Math.floor(i / 2), seq: 0, startedAt: Date.now(), label: kind }, kind === 'rlm' ? { query: text(300, i) } : { code: text(400, i) });
  });
  return { cellIds: [2, 4, 6], depths: [0, 1, 2], nextId: 7 };
}

function timed(latencies: number[], commit: () => unknown): void {
  const started = performance.now();
  commit();
  latencies.push(performance.now() - started);
}

/** Steps per burst, and the pause between bursts: a run's commits pause while it waits on models. */
const BURST_STEPS = 250;
const PAUSE_MS = 300;

/** Waits without the event loop (the loop below is synchronous, as the store's commits are). */
function pause(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * `background`: checkpoints on the store's worker thread (walCheckpointer.ts), as the service
 * opens it; else SQLite's own, inside commits. `bursts`: the steps come BURST_STEPS at a time
 * with PAUSE_MS between, as a run's do (pauses not timed); else all at once.
 */
function storeCommits(file: string, background: boolean, bursts: boolean): { latencies: number[]; wallMs: number; payloadBytes: number } {
  const db = openDatabase(file, { backgroundCheckpoints: background });
  try {
    const store = new RunRepository(db);
    store.createRun({ runId: RUN_ID, createdAt: Date.now(), query: 'bench', rootModel: 'r', subModel: 's', baseUrl: 'http://127.0.0.1', limits: DEFAULT_LIMITS, seed: 1, ownerPid: process.pid, ownerHost: 'bench' });
    const tree = buildTree(store);
    const prompts = Array.from({ length: 8 }, (_, i) => [{ role: 'user' as const, content: text(1500, i) }]);
    const replies = Array.from({ length: 8 }, (_, i) => text(2500, i + 3));
    const latencies: number[] = [];
    const started = performance.now();
    let paused = 0;
    for (let step = 0; step < STEPS; step++) {
      if (bursts && step > 0 && step % BURST_STEPS === 0) {
        const pauseStarted = performance.now();
        pause(PAUSE_MS);
        paused += performance.now() - pauseStarted;
      }
      const id = tree.nextId++;
      const at = step % tree.cellIds.length;
      const parentId = tree.cellIds[at] ?? 2;
      const prompt = prompts[step % prompts.length] ?? [];
      timed(latencies, () => store.addNode(RUN_ID, { id, parentId, kind: 'llm', depth: tree.depths[at] ?? 0, seq: step, startedAt: Date.now(), label: 'sub-call', model: 's', purpose: 'sub' }, { prompt }));
      timed(latencies, () => store.updateNode(RUN_ID, id, { status: 'completed', endedAt: Date.now() }, { prompt, text: replies[step % replies.length] }));
      timed(latencies, () => store.recordUsage(RUN_ID, id, { inputTokens: 400, outputTokens: 600, cachedTokens: 0, costUsd: 0.0012, estimated: false }));
    }
    const payloadBytes = JSON.stringify({ prompt: prompts[0], text: replies[0] }).length;
    return { latencies, wallMs: performance.now() - started - paused, payloadBytes };
  } finally {
    closeDatabase(db);
  }
}

/** SQLite alone: the same number of transactions, one row each the size of a step's payload. */
function rawCommits(file: string, count: number, bytes: number): { latencies: number[]; wallMs: number } {
  const db = new Database(file);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('wal_autocheckpoint = 10000');
    db.exec('CREATE TABLE rows (id INTEGER PRIMARY KEY, body TEXT NOT NULL)');
    const insert = db.prepare('INSERT INTO rows (body) VALUES (?)');
    const bodies = Array.from({ length: 8 }, (_, i) => text(bytes, i));
    const latencies: number[] = [];
    const started = performance.now();
    for (let i = 0; i < count; i++) timed(latencies, () => insert.run(bodies[i % bodies.length]));
    return { latencies, wallMs: performance.now() - started };
  } finally {
    db.close();
  }
}

export function benchCommits(dir: string): Figure[] {
  const store = storeCommits(join(dir, 'commits.db'), true, true);
  const inline = storeCommits(join(dir, 'commits-inline.db'), false, true);
  const continuous = storeCommits(join(dir, 'commits-continuous.db'), true, false);
  const raw = rawCommits(join(dir, 'raw.db'), store.latencies.length, store.payloadBytes);
  const perSecond = (r: { latencies: number[]; wallMs: number }) => r.latencies.length / (r.wallMs / 1000);
  const ms = (n: number) => `${n.toFixed(3)} ms`;
  const spread = (l: number[]) =>
    `p50 ${ms(median(l))}, p99 ${ms(percentile(l, 99))}, max ${ms(Math.max(...l))}, ${l.filter((x) => x > 2).length} over 2 ms, ${l.filter((x) => x > 5).length} over 5 ms, ${l.filter((x) => x > 20).length} over 20 ms`;
  const setup = `${STEPS} steps × ${COMMITS_PER_STEP} commits (addNode, updateNode with a ${(store.payloadBytes / 1024).toFixed(1)} KB payload, recordUsage) on sub-calls at depth 0–2 of a 6-node chain, one file in WAL mode (synchronous NORMAL)`;
  return [
    figure({
      id: 'commits.rate',
      title: 'step commits per second',
      unit: 'commits/s',
      value: perSecond(store),
      baseline: perSecond(raw),
      baselineName: 'raw SQLite',
      goal: null,
      note: `${setup}; wall time of the loop. Baseline: one INSERT of the same payload size per transaction, same pragmas.`,
    }),
    figure({
      id: 'commits.p99',
      title: 'p99 commit latency',
      unit: 'ms',
      value: percentile(store.latencies, 99),
      baseline: percentile(inline.latencies, 99),
      baselineName: 'checkpoints in commits',
      goal: { on: 'value', op: '<=', target: 0.5 },
      note:
        `steps in bursts of ${BURST_STEPS} with ${PAUSE_MS} ms between (a run's commits pause while it waits on models). Store, checkpoints on a worker thread in the pauses (as the service opens it): ${spread(store.latencies)}; ` +
        `the same with SQLite's own checkpoints inside commits (every 10,000 pages, as before issue 13): ${spread(inline.latencies)}; ` +
        `worker, all ${STEPS} steps in one burst with no pause (the backstop checkpoints inside commits): ${spread(continuous.latencies)}; raw SQLite, one burst: ${spread(raw.latencies)}. ` +
        `Commits over 5 ms that are not checkpoints are this machine's disk and CPU, shared with others: compare raw SQLite's.`,
    }),
    figure({
      id: 'commits.max',
      title: 'worst commit',
      unit: 'ms',
      value: Math.max(...store.latencies),
      baseline: Math.max(...inline.latencies),
      baselineName: 'checkpoints in commits',
      goal: { on: 'value', op: '<=', target: 5 },
      note: `the slowest of ${store.latencies.length.toLocaleString('en-US')} step commits made in bursts; see p99 commit latency for the spread.`,
    }),
  ];
}
