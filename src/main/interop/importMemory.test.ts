// Importing a log of many runs holds one run at a time, not the file: each run is written to the
// store as soon as it ends. The runs here keep ~1.6 MB each (their cells' output); holding them
// all until the end of the file, as the import once did, would keep ~40 MB. `npm run bench`
// measures the same on a 100 MB log, with the process's peak resident memory.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PriceTable } from '../model/prices';
import { RunRepository } from '../store/runRepository';
import { writeBigLog } from '../testing/bigRlmsLog';
import { tempDatabase, tempFolder } from '../testing/tempDatabase';
import { importFile } from './importRuns';

/** Node's gc(), exposed at run time: the test runner's workers do not start with --expose-gc. */
function collector(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

const MB = 1024 * 1024;
const STDOUT_CHARS = 400_000;
const TURNS = 4;

describe('importing a large log of many runs', () => {
  it('keeps no more than about one run in memory', async () => {
    const log = writeBigLog(join(tempFolder(), 'many-runs.jsonl'), { targetBytes: 40 * MB, turnsPerRun: TURNS, contextChars: 20_000, stdoutChars: STDOUT_CHARS, subCallsPerCell: 2 });
    const { db } = tempDatabase();
    const store = new RunRepository(db);
    const gc = collector();
    gc();
    const before = process.memoryUsage().heapUsed;
    // What is still reachable after a collection, at every MiB read: garbage does not count.
    let retained = 0;
    const result = await importFile(log.path, { store, prices: PriceTable.withDefaults() }, {
      onProgress: () => {
        gc();
        retained = Math.max(retained, process.memoryUsage().heapUsed - before);
      },
    });
    expect(log.runs).toBeGreaterThanOrEqual(20);
    expect(result.runs).toHaveLength(log.runs);
    expect(result.runs.every((r) => r.iterations === TURNS && r.answer?.startsWith('answer of run '))).toBe(true);
    expect(result.warnings).toEqual([]);
    const perRun = TURNS * STDOUT_CHARS;
    // Measured (December 2026): 3.0 MB at most, about two runs' output (the one written, the one
    // read); the import that wrote every run at the end of the file kept 39.7 MB here.
    expect(retained).toBeLessThan(4 * perRun);
    expect(retained).toBeLessThan((log.runs * perRun) / 4);
  }, 60_000);
});
