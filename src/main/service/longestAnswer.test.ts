// Issue 9, "the longest string V8 allows as FINAL(...)": the run failed with only "Invalid string
// length", lost the answer, and left the cell node `running` forever inside the failed run
// (reopening did not fix it). Real runs: the fake provider's model, the real sandbox, a real
// database file.
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../shared/limits';
import { createForkLauncher } from '../sandbox/host/forkLauncher';
import { openDatabase } from '../store/database';
import { RunRepository } from '../store/runRepository';
import { tempFolder } from '../testing/tempDatabase';
import { repl, startHarness, type Harness } from '../testing/serviceHarness';
import { RlmService } from './rlmService';

/** V8's longest string on 64-bit (2^29 - 24 characters): String.prototype.repeat refuses one more. */
const LONGEST = 2 ** 29 - 24;

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

async function runWithAnswerOf(chars: number) {
  h = await startHarness(() => ({ text: repl(`FINAL('a'.repeat(${chars - 1}) + 'Z')`) }));
  const { runId } = await h.service.call('runs.start', {
    query: `an answer of ${chars} characters`,
    inputs: [{ kind: 'text', name: 'x', text: 'x' }],
    limits: { sandboxMemoryMb: 4096, cellTimeoutMs: 120_000, maxIterations: 1 },
  });
  const summary = await h.service.waitForRun(runId);
  const nodes = await h.service.call('runs.nodes', { runId });
  return { runId, summary, nodes, service: h.service };
}

describe('a very long answer', () => {
  it('as long as one stored value may be is kept whole, and its cell ends', async () => {
    const chars = 300_000_000;
    const { runId, summary, nodes, service } = await runWithAnswerOf(chars);
    expect(summary).toMatchObject({ status: 'completed', error: null, answerChars: chars });
    const tail = await service.call('runs.readValue', { runId, field: 'answer', offset: chars - 3 });
    expect(tail.text).toBe('aaZ');
    expect(nodes.map((node) => [node.kind, node.status])).toEqual([
      ['rlm', 'completed'],
      ['llm', 'completed'],
      ['cell', 'completed'],
    ]);
  }, 300_000);

  it('as long as V8 allows fails the run with a clear message, and leaves no node running', async () => {
    const { summary, nodes } = await runWithAnswerOf(LONGEST);
    expect(summary.status).toBe('failed');
    expect(summary.error).toMatch(/^the answer \(536,870,888 characters, 537 MB as UTF-8\) is longer than one stored value may be \(536,870,882 bytes\), so it could not be kept/);
    expect(nodes.filter((node) => node.status === 'running')).toEqual([]);
    // The cell that produced it ran to its end.
    expect(nodes.find((node) => node.kind === 'cell')?.status).toBe('completed');
  }, 300_000);
});

describe('opening a database', () => {
  it('ends the nodes left running inside runs that ended, as their run ended', async () => {
    const dbPath = join(tempFolder(), 'runs.db');
    const db = openDatabase(dbPath);
    const store = new RunRepository(db);
    const run = { createdAt: 1_000, query: 'q', rootModel: 'r', subModel: 's', baseUrl: 'http://127.0.0.1:9/v1', limits: DEFAULT_LIMITS, seed: 1, ownerPid: process.pid, ownerHost: 'test' };
    for (const [runId, status] of [['failed-run', 'failed'], ['done-run', 'completed']] as const) {
      store.createRun({ runId, ...run });
      store.addNode(runId, { id: 1, parentId: null, kind: 'rlm', depth: 0, seq: 0, startedAt: 1_000, label: 'q' }, {});
      store.addNode(runId, { id: 2, parentId: 1, kind: 'cell', depth: 0, seq: 0, startedAt: 1_500, label: 'c' }, {});
      // As a database written before this fix holds it: the run ended, its nodes did not.
      db.prepare(`UPDATE runs SET status = ?, ended_at = 3000 WHERE id = ?`).run(status, runId);
    }
    db.close();

    const service = RlmService.open({ dbPath, baseUrl: 'http://127.0.0.1:9/v1', rootModel: 'r', subModel: 's', launcher: createForkLauncher() });
    try {
      const statuses = async (runId: string) => (await service.call('runs.nodes', { runId })).map((node) => [node.status, node.endedAt]);
      expect(await statuses('failed-run')).toEqual([['failed', 3000], ['failed', 3000]]);
      expect(await statuses('done-run')).toEqual([['stopped', 3000], ['stopped', 3000]]);
    } finally {
      await service.close();
    }
  });
});
