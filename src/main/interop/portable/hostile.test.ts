// Portable files made by hand to do harm (red team of issue 11): each is imported the way the CLI
// and the page import one (importFile), into a real SQLite file, and what comes out must be a run
// that can be opened and named, or one clear refusal that leaves the database as it was.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { gunzipSync, gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { runIdSchema } from '../../../shared/schemas';
import { PriceTable } from '../../model/prices';
import { openDatabase } from '../../store/database';
import { RunRepository } from '../../store/runRepository';
import { tempDatabase, tempFolder } from '../../testing/tempDatabase';
import { exportSourceFor } from '../exportSource';
import { importFile } from '../importRuns';
import { writePortable } from './index';

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
