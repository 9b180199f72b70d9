// `rlmscope show` and `runs` on a fork (issue 12), through the built CLI on a real database: where
// it comes from, its calls answered from its parent's recording, and which nodes those were.
import { describe, expect, it } from 'vitest';
import { RunRepository } from '../store/runRepository';
import { jsonOf, runCli } from '../testing/cli';
import { newRun, tempDatabase } from '../testing/tempDatabase';

function writeFork(): string {
  const { db, file } = tempDatabase();
  const store = new RunRepository(db);
  store.createRun(newRun({ runId: 'r-fork', query: 'how many?', forkedFrom: { runId: 'r-parent', nodeId: 3 } }));
  store.addNode('r-fork', { id: 1, parentId: null, kind: 'rlm', depth: 0, seq: 0, startedAt: 1_010, label: 'root' }, { query: 'how many?' });
  store.addNode('r-fork', { id: 2, parentId: 1, kind: 'llm', depth: 0, seq: 0, startedAt: 1_020, label: 'turn 1', model: 'gpt-root', purpose: 'turn', cached: true }, { text: 'recorded reply' });
  store.addCachedCall('r-fork');
  store.updateNode('r-fork', 2, { status: 'completed', endedAt: 1_030 });
  store.addNode('r-fork', { id: 3, parentId: 1, kind: 'llm', depth: 0, seq: 1, startedAt: 1_040, label: 'turn 2', model: 'gpt-root', purpose: 'turn' }, { text: 'edited', forkEdit: { nodeId: 3 } });
  store.finishCall('r-fork', 3, { inputTokens: 10, outputTokens: 2, cachedTokens: 0, costUsd: 0.01, estimated: false }, { status: 'completed', endedAt: 1_050 }, { text: 'edited', forkEdit: { nodeId: 3 } });
  store.finishRun('r-fork', { status: 'completed', endedAt: 2_000, answer: '2', stopReason: null, error: null });
  db.close();
  return file;
}

describe('rlmscope show on a fork', () => {
  it('says where it comes from and tags its cached calls, in text and in --json', async () => {
    const file = writeFork();
    const text = await runCli(['show', 'r-fork', '--db', file]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^forked from r-parent at node 3 \(1 call answered from its recording\)$/m);
    expect(text.stdout).toMatch(/^ {2}#2 llm:turn \[completed\] \[cached\] gpt-root /m);
    expect(text.stdout).toMatch(/^ {2}#3 llm:turn \[completed\] gpt-root 10→2 tok/m);

    const shown = jsonOf<{ run: Record<string, unknown>; nodes: Record<string, unknown>[] }>(await runCli(['show', 'r-fork', '--db', file, '--json']));
    expect(shown.run).toMatchObject({ forkedFrom: { runId: 'r-parent', nodeId: 3 }, cachedCalls: 1, modelCalls: 1 });
    expect(shown.nodes.map((n) => n['cached'])).toEqual([undefined, true, undefined]);
    expect(shown.nodes[2]).toMatchObject({ forkEdit: { nodeId: 3 } });

    const runs = await runCli(['runs', '--db', file]);
    expect(runs.stdout).toContain('[fork] how many?');
    const listed = jsonOf<Record<string, unknown>[]>(await runCli(['runs', '--db', file, '--json']));
    expect(listed[0]).toMatchObject({ forkedFrom: { runId: 'r-parent', nodeId: 3 }, cachedCalls: 1 });
  });
});
