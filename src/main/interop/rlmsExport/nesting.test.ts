// Children nested to any depth, a failed child and an unpriced call, in a tree written straight
// through the store (the service's default depth limit stops at one level).
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { NodePayload } from '../../../shared/domain/node';
import { RunRepository, type NewNode } from '../../store/runRepository';
import { newRun, tempDatabase } from '../../testing/tempDatabase';
import { exportSourceFor } from '../exportSource';
import { readRlmsLog, type ImportedNode } from '../rlmsLog';
import { writeRlmsLog } from './index';

function writeTree(store: RunRepository): void {
  let at = 1_000;
  let id = 0;
  const add = (node: Omit<NewNode, 'id' | 'startedAt'>, payload: NodePayload, status: 'completed' | 'failed' = 'completed', usage?: { costUsd: number | null }) => {
    const row = store.addNode('deep', { ...node, id: ++id, startedAt: (at += 10) }, payload);
    if (usage) store.recordUsage('deep', row.id, { inputTokens: 7, outputTokens: 3, cachedTokens: 0, costUsd: usage.costUsd, estimated: false });
    store.updateNode('deep', row.id, { status, endedAt: (at += 10) });
    return row.id;
  };
  /** An RLM at `depth` under `parent`: one turn, one cell; its cell starts the next level. */
  const rlm = (parent: number | null, seq: number, depth: number, last: number): number => {
    const self = add({ parentId: parent, kind: 'rlm', depth, seq, label: `level ${depth}` }, { query: `level ${depth}`, ...(depth === last ? { error: 'child blew up' } : { answer: `answer ${depth}` }) }, depth === last ? 'failed' : 'completed');
    add({ parentId: self, kind: 'llm', depth, seq: 0, label: 'turn', purpose: 'turn', model: 'm' }, { prompt: [{ role: 'system', content: 's' }, { role: 'user', content: `go ${depth}` }], text: 'code' }, 'completed', { costUsd: 0.01 });
    if (depth === last) return self;
    const cell = add({ parentId: self, kind: 'cell', depth, seq: 1, label: 'cell' }, { code: 'rlm_query()', output: '' });
    add({ parentId: cell, kind: 'llm', depth, seq: 0, label: 'sub', purpose: 'sub', model: 'unpriced-model' }, { prompt: [{ role: 'user', content: 'p' }], text: 't' }, 'completed', { costUsd: null });
    rlm(cell, 1, depth + 1, last);
    return self;
  };
  rlm(null, 0, 0, 4);
}

describe('an rlms export of a deep tree', () => {
  it('nests child RLMs in rlm_calls metadata to any depth, with failed children as the library reports them', async () => {
    const { db } = tempDatabase();
    const store = new RunRepository(db);
    store.createRun(newRun({ runId: 'deep' }));
    writeTree(store);
    store.finishRun('deep', { status: 'completed', endedAt: 9_000, answer: 'answer 0', stopReason: null, error: null });

    const out = new PassThrough();
    const parts: Buffer[] = [];
    out.on('data', (part: Buffer) => parts.push(part));
    await writeRlmsLog(exportSourceFor(db), 'deep', out);
    const imported = await readRlmsLog((async function* () { yield Buffer.concat(parts); })());
    const run = imported.runs[0]!;
    expect(run.totals).toMatchObject({ childRlms: 4, maxDepthReached: 4, subCalls: 4, failedCalls: 1 });
    expect(run.answer).toBe('answer 0');

    // Down the chain: each level's cell holds its sub-call and the next RLM.
    const levels: ImportedNode[] = [];
    for (let node: ImportedNode | undefined = run.root; node; ) {
      levels.push(node);
      const cell: ImportedNode | undefined = node.children.find((c) => c.kind === 'cell');
      node = cell?.children.find((c: ImportedNode) => c.kind === 'rlm');
    }
    expect(levels.map((l) => [l.status, l.payload.answer ?? null, l.payload.error ?? null])).toEqual([
      ['completed', 'answer 0', null],
      ['completed', 'answer 1', null],
      ['completed', 'answer 2', null],
      ['completed', 'answer 3', null],
      ['failed', null, 'Error: Child RLM completion failed - child blew up'],
    ]);
    // An unknown price stays unknown: no cost is written for a call without one.
    const firstCall = levels[0]!.children.find((c) => c.kind === 'cell')!.children[0]!;
    expect(firstCall).toMatchObject({ kind: 'llm', inputTokens: 7, outputTokens: 3, costUsd: null });
  });

  it('refuses a run that is not there, writing nothing', async () => {
    const { db } = tempDatabase();
    const out = new PassThrough();
    let written = 0;
    out.on('data', (part: Buffer) => (written += part.length));
    await expect(writeRlmsLog(exportSourceFor(db), 'missing', out)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(written).toBe(0);
  });
});
