// runs.compare: the comparison with one step per pair for the page, each side's own line, the
// step's level in the aligned tree and its position among its kind.
import { describe, expect, it } from 'vitest';
import { RlmError } from '../../shared/errors';
import { importFile } from '../interop/importRuns';
import { PriceTable } from '../model/prices';
import { RunRepository } from '../store/runRepository';
import { block, iteration, jsonl, metadata, subCall } from '../testing/rlmsLogs';
import { tempDatabase, tempFolder } from '../testing/tempDatabase';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { debuggerHandlers } from './debuggerHandlers';

function log(second: string): string {
  return jsonl([
    metadata(),
    iteration(1, { code_blocks: [block({ code: 'x = llm_query("count")', stdout: '4\n', calls: [subCall('count', '4')] })] }),
    iteration(2, { response: second }),
  ]);
}

describe('runs.compare', () => {
  it('gives each pair its kind, level, position and both sides\' lines', async () => {
    const { db } = tempDatabase();
    const store = new RunRepository(db);
    const dir = tempFolder();
    const deps = { store, prices: PriceTable.withDefaults(), assumeUtc: true };
    const ids: string[] = [];
    for (const [name, second] of [['a.jsonl', 'first words'], ['b.jsonl', 'other words']] as const) {
      writeFileSync(join(dir, name), log(second));
      ids.push((await importFile(join(dir, name), deps)).runs[0]?.runId as string);
    }
    const compare = debuggerHandlers(store)['runs.compare'];
    const { comparison, runs, steps } = await compare({ a: ids[0] as string, b: ids[1] as string });
    expect(runs.a.runId).toBe(ids[0]);
    expect(steps).toHaveLength(comparison.pairs.length);
    const turn2 = steps.findIndex((s) => s.kind === 'llm' && s.purpose === 'turn' && s.ordinal === 2);
    expect(steps[turn2]).toMatchObject({ level: 1, labels: { a: 'first words', b: 'other words' } });
    expect(comparison.firstDivergence).toMatchObject({ a: comparison.pairs[turn2]?.a, b: comparison.pairs[turn2]?.b, field: 'text' });
    const sub = steps.findIndex((s) => s.purpose === 'sub');
    expect(steps[sub]).toMatchObject({ level: 2, ordinal: 1, labels: { a: 'count', b: 'count' } });
    expect(steps[steps[sub]?.parent as number]).toMatchObject({ kind: 'cell', ordinal: 1 });
    await expect(compare({ a: ids[0] as string, b: 'r-nope' })).rejects.toThrow(new RlmError('NOT_FOUND', 'no run r-nope'));
  });
});
