// The cache a fork builds from a recording, at scale: a parent with 20,000 RLMs (a cell that
// started 10,000 children, each starting a grandchild) is read in time linear in its size.
// The source is the RecordingSource contract as plain data (what RunReader returns).
import { expect, it } from 'vitest';
import type { NodePayload, NodeRow } from '../../shared/domain/node';
import { forkCache } from './forkCache';

it('a recording of 20,000 RLMs becomes a cache in well under the seconds a quadratic lookup took', () => {
  const nodes: NodeRow[] = [];
  const payloads = new Map<number, NodePayload>();
  let id = 0;
  const add = (parentId: number | null, kind: NodeRow['kind'], depth: number, seq: number, payload: NodePayload): number => {
    const node: NodeRow = { id: ++id, parentId, kind, depth, seq, status: 'completed', startedAt: 0, endedAt: 0, label: '', model: 'm', purpose: kind === 'llm' ? 'turn' : null, inputTokens: null, outputTokens: null, cachedTokens: null, costUsd: null, usageEstimated: false, subtree: { pricedCostUsd: 0, unpricedCalls: 0, inputTokens: 0, outputTokens: 0, modelCalls: 0 } };
    nodes.push(node);
    payloads.set(node.id, payload);
    return node.id;
  };
  const root = add(null, 'rlm', 0, 0, { query: 'q', documents: [] });
  add(root, 'llm', 0, 0, { prompt: [{ role: 'user', content: 'go' }], text: '```repl\nx\n```' });
  const cell = add(root, 'cell', 0, 1, { code: 'x', output: '' });
  for (let i = 0; i < 10_000; i++) {
    const child = add(cell, 'rlm', 1, i, { query: `c${i}`, documents: [] });
    add(child, 'llm', 1, 0, { prompt: [{ role: 'user', content: 'go' }], text: '```repl\ny\n```' });
    const childCell = add(child, 'cell', 1, 1, { code: 'y', output: '' });
    const grandchild = add(childCell, 'rlm', 2, 0, { query: `g${i}`, documents: [] });
    add(grandchild, 'llm', 2, 0, { prompt: [{ role: 'user', content: 'go' }], text: 'FINAL(1)' });
  }
  const source = { getRun: () => ({ seed: 1, recording: 2 }), getNodes: () => nodes, getPayload: (_: string, nodeId: number) => payloads.get(nodeId) ?? null };
  const started = performance.now();
  const cache = forkCache(source, 'r', null);
  const ms = performance.now() - started;
  expect(cache.root?.child('c9999', [])?.child('g9999', [])).toBeTruthy();
  expect(ms).toBeLessThan(4000); // was 7.8 s, quadratic in the RLMs; 0.9 s now, on a loaded machine
}, 600_000);
