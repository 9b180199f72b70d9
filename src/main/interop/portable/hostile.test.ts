// Portable files made by hand to do harm (red team of issue 11): each is imported the way the CLI
// and the page import one (importFile), into a real SQLite file, and what comes out must be a run
// that can be opened and named, or one clear refusal that leaves the database as it was.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { gunzipSync, gzipSync } from 'node:zlib';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { beforeAll, describe, expect, it } from 'vitest';
import { runIdSchema } from '../../../shared/schemas';
import { PriceTable } from '../../model/prices';
import { openDatabase } from '../../store/database';
import { restorePortableRun } from '../../store/portableRestore';
import { RunReader } from '../../store/runReader';
import { RunRepository } from '../../store/runRepository';
import { tempDatabase, tempFolder } from '../../testing/tempDatabase';
import { exportSourceFor } from '../exportSource';
import { importFile } from '../importRuns';
import { readPortable, writePortable } from './index';

type Records = Record<string, unknown>[];

let records: Records;

/** A small imported run (the reference library's max-iterations log), exported as a portable file. */
beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rlmscope-hostile-'));
  const db = openDatabase(join(dir, 'source.db'));
  const store = new RunRepository(db);
  const log = join(__dirname, '..', 'rlmsLog', 'fixtures', 'maxiter_2026-11-25_10-58-31_060600ff.jsonl');
  const { runs } = await importFile(log, { store, prices: PriceTable.withDefaults(), assumeUtc: true });
  const out = new PassThrough();
  const parts: Buffer[] = [];
  out.on('data', (part: Buffer) => parts.push(part));
  await writePortable(exportSourceFor(db), runs[0]!.runId, out);
  db.close();
  rmSync(dir, { recursive: true, force: true });
  records = gunzipSync(Buffer.concat(parts))
    .toString('utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
});

function portableFile(edit: (records: Records) => void): string {
  const copy = structuredClone(records);
  edit(copy);
  const path = join(tempFolder(), 'hostile.rlmscope');
  writeFileSync(path, gzipSync(copy.map((r) => `${JSON.stringify(r)}\n`).join('')));
  return path;
}

function setup() {
  const { db } = tempDatabase();
  const store = new RunRepository(db);
  return { store, deps: { store, prices: PriceTable.withDefaults(), newRunId: () => 'r-20261206-000000-abcdef' } };
}

describe('a portable file with a run id this app cannot use', () => {
  const unusable = ['x'.repeat(150), '../../etc/passwd', 'a\nb', '\u001b[2Jwiped', "'; DROP TABLE runs;--", '--db', ' ', '\u202egnp.exe'];

  it.each(unusable)('is restored under a new id that the API takes: %j', async (id) => {
    const { store, deps } = setup();
    const file = portableFile((r) => {
      r[0]!['runId'] = id;
      r[1]!['runId'] = id;
    });
    const result = await importFile(file, deps);
    const runId = result.runs[0]!.runId;
    expect(runId).toBe('r-20261206-000000-abcdef');
    expect(runIdSchema.safeParse(runId).success).toBe(true);
    expect(store.getRun(runId)?.iterations).toBe(4);
    // Said in one line, without the id itself (it may hold a newline or an escape sequence).
    expect(result.warnings).toEqual([expect.stringMatching(/^the file's run id is not one RLMScope can use .*: restored as r-20261206-000000-abcdef$/)]);
    if (id.trim() !== '') expect(result.warnings[0]).not.toContain(id);
  });

  it('keeps an id that is fit and free, as before', async () => {
    const { store, deps } = setup();
    const file = portableFile((r) => {
      r[0]!['runId'] = 'run-1.copy_2';
      r[1]!['runId'] = 'run-1.copy_2';
    });
    expect((await importFile(file, deps)).runs[0]!.runId).toBe('run-1.copy_2');
    expect(store.getRun('run-1.copy_2')).not.toBeNull();
  });
});

/** Node's gc(), exposed at run time: the test runner's workers do not start with --expose-gc. */
function collector(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

const MB = 1024 * 1024;

describe('a portable file that inflates far beyond its size (a gzip bomb)', () => {
  it('restores its large payloads without holding them in memory', async () => {
    // 60 cells of 1 MB of code each: a 60 KB file. 40 of 100 MB (a 4 MB file) ended the process
    // with "JavaScript heap out of memory" after three minutes, when the payloads were held.
    const NODES = 60;
    const data = gzipSync(
      (() => {
        const copy = structuredClone(records);
        const nodes = copy.filter((r) => r['type'] === 'node');
        const cell = nodes.find((r) => (r['node'] as { kind: string }).kind === 'cell')!;
        const code = 'A'.repeat(MB);
        const big = Array.from({ length: NODES }, (_, i) => ({ ...cell, node: { ...(cell['node'] as object), id: 2 + i, parentId: 1, seq: i }, payload: { code, output: '', language: 'python' } }));
        const lines = [copy[0], { ...copy[1], inputs: [] }, ...copy.filter((r) => r['type'] === 'value'), nodes[0], ...big, { type: 'end', nodes: NODES + 1, documents: 0 }];
        (lines[1] as Record<string, unknown>)['iterations'] = 0;
        return lines.map((r) => `${JSON.stringify(r)}\n`).join('');
      })(),
    );
    expect(data.length).toBeLessThan(NODES * MB / 100);
    const { db } = tempDatabase();
    const gc = collector();
    gc();
    const before = process.memoryUsage().heapUsed;
    let retained = 0;
    async function* sampled(): AsyncGenerator<Buffer> {
      for (let at = 0; at < data.length; at += 2048) {
        gc();
        retained = Math.max(retained, process.memoryUsage().heapUsed - before);
        yield data.subarray(at, at + 2048);
      }
    }
    const restored = await restorePortableRun(db, readPortable(sampled()), { keepIdIfFree: true });
    expect(restored.nodes).toBe(NODES + 1);
    const reader = new RunReader(db);
    expect((reader.getPayload(restored.runId, 2 + NODES - 1) as { code: string }).code).toHaveLength(MB);
    // Measured: a few MB with the payloads on disk; ~60 MB when they were held.
    expect(retained).toBeLessThan(20 * MB);
  }, 60_000);

  it('refuses value pages past the size the run declares as soon as they pass it', async () => {
    const { store, deps } = setup();
    const before = store.listRuns({ limit: 10, offset: 0 }).length;
    const file = portableFile((r) => {
      const page = { type: 'value', field: 'answer', text: 'B'.repeat(MB) };
      const at = r.findIndex((x) => x['type'] === 'value');
      r.splice(at, 1, page, page, page);
    });
    await expect(importFile(file, deps)).rejects.toThrow(/^hostile\.rlmscope: the file is damaged: line 3: the run's answer is longer than the 24 characters declared$/);
    expect(store.listRuns({ limit: 10, offset: 0 })).toHaveLength(before);
  });

  it('refuses a run that declares values longer than one string may be', async () => {
    const { deps } = setup();
    const file = portableFile((r) => {
      r[1]!['answerChars'] = 600 * MB;
    });
    await expect(importFile(file, deps)).rejects.toThrow(/the run record is not valid: the run's query, answer and error declare more than 536870912 characters together/);
  });
});

describe('a portable file with times no date can hold', () => {
  it('is refused in one line naming the field', async () => {
    const { deps } = setup();
    const file = portableFile((r) => {
      const node = r.find((x) => x['type'] === 'node')!;
      (node['node'] as Record<string, unknown>)['startedAt'] = Number.MAX_SAFE_INTEGER;
    });
    await expect(importFile(file, deps)).rejects.toThrow(/^hostile\.rlmscope: the file is damaged: line \d+: the node record is not valid at node\.startedAt: not a time a date can hold$/);
  });
});
