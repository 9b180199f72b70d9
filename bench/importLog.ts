// Importing a large log of the reference library (many runs in one file, in its shape: the whole
// conversation and the REPL's context repeated in every record) into a fresh database through
// importFile, as `rlmscope import` does: throughput against plain Node reading the same file and
// parsing each line, and the bench process's peak resident memory as a multiple of the file.
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { importFile } from '../src/main/interop/importRuns';
import { PriceTable } from '../src/main/model/prices';
import { openDatabase } from '../src/main/store/database';
import { RunRepository } from '../src/main/store/runRepository';
import { writeBigLog, type BigLog } from '../src/main/testing/bigRlmsLog';
import { MB, collectGarbage, median, peakResidentBytes, resetPeakResident } from './measure';
import { figure, type Figure } from './report';

const BASELINE_RUNS = 3;

interface Timed {
  ms: number;
  /** VmHWM at the end − resident memory at the start (sampled RSS where VmHWM cannot be reset). */
  peakGrowth: number;
}

/** Runs `work` once from a collected heap, timing it and taking the process's peak memory. */
async function measured<T>(work: (sample: () => void) => Promise<T>): Promise<Timed & { result: T }> {
  collectGarbage();
  const exact = resetPeakResident();
  const before = process.memoryUsage.rss();
  let sampled = before;
  const started = performance.now();
  const result = await work(() => (sampled = Math.max(sampled, process.memoryUsage.rss())));
  const ms = performance.now() - started;
  const peak = exact ? peakResidentBytes('self') : Math.max(sampled, process.memoryUsage.rss());
  return { ms, peakGrowth: peak - before, result };
}

/** Plain Node: the file read line by line and each line parsed, nothing kept. */
async function readAndParse(log: BigLog): Promise<number> {
  let records = 0;
  for await (const line of createInterface({ input: createReadStream(log.path, { highWaterMark: MB }), crlfDelay: Infinity })) {
    if (line !== '') {
      JSON.parse(line);
      records++;
    }
  }
  if (records !== 1 + log.runs * log.turnsPerRun) throw new Error(`the baseline read ${records} records`);
  return records;
}

async function timedImport(log: BigLog, dbPath: string): Promise<Timed> {
  const db = openDatabase(dbPath);
  try {
    const store = new RunRepository(db);
    const { result, ...timed } = await measured((sample) => importFile(log.path, { store, prices: PriceTable.withDefaults() }, { onProgress: sample }));
    if (result.runs.length !== log.runs) throw new Error(`imported ${result.runs.length} runs of ${log.runs}`);
    return timed;
  } finally {
    db.close();
  }
}

export async function benchImport(dir: string, sizeBytes: number): Promise<Figure[]> {
  const log = writeBigLog(join(dir, 'reference.jsonl'), { targetBytes: sizeBytes, turnsPerRun: 10, contextChars: 50_000, stdoutChars: 5_000, subCallsPerCell: 2 });
  const sizeMb = log.bytes / MB;
  // Warm-up: the page cache, and the parser's code paths.
  await readAndParse(log);
  const baselines = await sequence(BASELINE_RUNS, () => measured(() => readAndParse(log)));
  const baseline = median(baselines.map((b) => b.ms));
  const baselinePeak = Math.max(...baselines.map((b) => b.peakGrowth));
  const imported = await timedImport(log, join(dir, 'import.db'));
  const shape = `${log.runs} runs of ${log.turnsPerRun} iterations, each record repeating the conversation and a 50,000-character REPL context, a 5,000-character stdout and 2 sub-calls per cell`;
  return [
    figure({
      id: 'import.throughput',
      title: `import a ${Math.round(sizeMb)} MB reference log`,
      unit: 'MB/s',
      value: sizeMb / (imported.ms / 1000),
      baseline: sizeMb / (baseline / 1000),
      baselineName: 'read + JSON.parse',
      goal: null,
      note:
        `importFile into a fresh database file (parse, build each run's tree, price, one transaction per run), ${imported.ms.toFixed(0)} ms once, ` +
        `page cache warm; ${shape}. Baseline: readline over a read stream and JSON.parse of each line, nothing kept, median of ${BASELINE_RUNS}. MB = 2^20 bytes.`,
    }),
    figure({
      id: 'import.peakMemory',
      title: 'peak memory while importing',
      unit: 'MB',
      value: imported.peakGrowth / MB,
      baseline: sizeMb,
      baselineName: 'file size',
      goal: { on: 'ratio', op: '<=', target: 1 },
      note:
        `growth of the bench process's resident memory during the import: VmHWM (reset just before; sampled RSS where it cannot be) − RSS before, ` +
        `after a collection. Each run is written as it ends, so this is bounded by the largest run, the parser's buffers and the garbage V8 lets ` +
        `pile up between collections, not by the file (one run of 500 MB would still be held whole until it ends). The baseline's own read + ` +
        `JSON.parse grew it by ${(baselinePeak / MB).toFixed(0)} MB at most.`,
    }),
  ];
}

async function sequence<T>(count: number, fn: () => Promise<T>): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < count; i++) out.push(await fn());
  return out;
}
