// Exporting a run of 10,000 nodes in each format `rlmscope export` writes, to a file, against
// reading the same run's nodes and payloads from the store (what every exporter must do at least).
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import type { NodeKind } from '../src/shared/domain/node';
import { DEFAULT_LIMITS } from '../src/shared/limits';
import { EXPORT_FORMATS, exporters, type ExportSource } from '../src/main/interop/exporters';
import { documentRanges } from '../src/main/store/documentRanges';
import { DocumentStore } from '../src/main/store/documentStore';
import { openDatabase } from '../src/main/store/database';
import { RunRepository, type WholeRunNode } from '../src/main/store/runRepository';
import { median } from './measure';
import { figure, type Figure } from './report';

const RUN_ID = 'bench-export';
/**
 * Per root turn: its model call and one cell whose code maps a batch of sub-calls over chunks of
 * the input (llm_query_batched), the shape of a large RLM run. Few turns, as a real run has: the
 * rlms format repeats the whole conversation in every turn's record (the reference library's
 * own shape), so its size grows with the square of the turns (2,000 turns of 1.5 KB: ~3 GB).
 */
const ITERATIONS = 100;
const SUB_CALLS = 98;
const NODES = 1 + ITERATIONS * (2 + SUB_CALLS);
const RUNS = 3;

function text(chars: number, seed: number): string {
  const words = ['the', 'ledger', 'shows', 'totals', 'for', 'region', 'north', 'and', 'south', 'in', 'Q3', 'revenue'];
  let out = '';
  for (let i = 0; out.length < chars; i++) out += `${words[(i * 7 + seed) % words.length]} `;
  return out.slice(0, chars);
}

/** A finished native run of NODES nodes, written whole through the store, with a 1 MB input. */
function makeRun(store: RunRepository, documents: DocumentStore): void {
  const input = documents.putText(text(1024 * 1024, 3));
  const nodes: WholeRunNode[] = [];
  const at = (id: number) => 1_000_000 + id * 10;
  const add = (id: number, parentId: number | null, kind: NodeKind, seq: number, payload: WholeRunNode['payload'], call: boolean) =>
    nodes.push({
      id, parentId, kind, depth: 0, seq, status: 'completed', startedAt: at(id), endedAt: at(id) + 5, label: `${kind} ${id}`,
      model: kind === 'cell' ? null : 'gpt-4o-mini', purpose: kind === 'llm' ? (parentId === 1 ? 'turn' : 'sub') : null,
      inputTokens: call ? 400 : null, outputTokens: call ? 120 : null, cachedTokens: call ? 0 : null, costUsd: call ? 0.00013 : null, usageEstimated: false, payload,
    });
  add(1, null, 'rlm', 0, { query: 'What are the totals per region?', documents: [input.hash] }, false);
  let id = 2;
  for (let i = 0; i < ITERATIONS; i++) {
    add(id++, 1, 'llm', 2 * i, { prompt: [{ role: 'user', content: text(600, i) }], text: text(900, i + 1) }, true);
    const cell = id++;
    add(cell, 1, 'cell', 2 * i + 1, { code: text(200, i + 2), output: text(500, i + 3) }, false);
    for (let j = 0; j < SUB_CALLS; j++) add(id++, cell, 'llm', j, { prompt: [{ role: 'user', content: text(300, i + j) }], text: text(400, i + j + 4) }, true);
  }
  store.insertWholeRun({
    runId: RUN_ID, origin: 'native', source: null, createdAt: 1_000_000, endedAt: at(id), status: 'completed', query: 'What are the totals per region?',
    rootModel: 'gpt-4o-mini', subModel: 'gpt-4o-mini', baseUrl: 'https://api.example.com/v1', limits: DEFAULT_LIMITS, seed: 1,
    answer: text(2000, 9), stopReason: null, error: null, iterations: ITERATIONS, maxDepthReached: 0,
    inputs: [{ name: 'ledger.txt', ...input }], nodes,
  });
}

function timed(fn: () => Promise<unknown> | unknown): Promise<number> {
  const started = performance.now();
  return Promise.resolve(fn()).then(() => performance.now() - started);
}

export async function benchExport(dir: string): Promise<Figure[]> {
  const db = openDatabase(join(dir, 'export.db'));
  try {
    const store = new RunRepository(db);
    makeRun(store, new DocumentStore(db));
    const ranges = documentRanges(db);
    const source: ExportSource = { reader: store, documents: () => ranges };
    const readNodes = () => {
      const nodes = store.getNodes(RUN_ID);
      if (nodes.length !== NODES) throw new Error(`the run has ${nodes.length} nodes`);
      for (const node of nodes) store.getPayload(RUN_ID, node.id);
    };
    const exportTo = (format: (typeof EXPORT_FORMATS)[number], i: number) => async () => {
      const out = createWriteStream(join(dir, `export-${i}.${format}`));
      await exporters[format](source, RUN_ID, out);
      out.end();
      await finished(out);
    };
    // Warm-up: SQLite's page cache and every exporter's code paths.
    readNodes();
    for (const format of EXPORT_FORMATS) await exportTo(format, 0)();
    const baseline: number[] = [];
    const samples: Record<string, number[]> = {};
    for (let i = 1; i <= RUNS; i++) {
      baseline.push(await timed(readNodes));
      for (const format of EXPORT_FORMATS) (samples[format] ??= []).push(await timed(exportTo(format, i)));
    }
    return EXPORT_FORMATS.map((format) =>
      figure({
        id: `export.${format}`,
        title: `export a ${NODES.toLocaleString('en-US')}-node run as ${format}`,
        unit: 'ms',
        value: median(samples[format] ?? []),
        baseline: median(baseline),
        baselineName: 'read its nodes',
        goal: null,
        note:
          `exporters.${format} to a file (closed and flushed), median of ${RUNS} after a warm-up, interleaved with the baseline; the run: ` +
          `${ITERATIONS} root turns, each with a cell making ${SUB_CALLS} sub-calls (payloads of 0.2–1 KB), a 1 MB input document. ` +
          `Baseline: getNodes and getPayload of every node from the same store.`,
      }),
    );
  } finally {
    db.close();
  }
}
