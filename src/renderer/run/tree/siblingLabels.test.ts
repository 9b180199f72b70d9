import { describe, expect, it } from 'vitest';
import type { NodeRow } from '../../../shared/domain/node';
import { node } from '../../testing/nodeFixtures';
import { buildTree, upsertNode } from '../treeModel';
import { commonPrefixLength, createSharedStarts, distinctLabel, MIN_SHARED, rowLabel, sharedStart } from './siblingLabels';

const TEMPLATE = 'You are a careful analyst. Summarise the following part of the server log, naming every error: ';

/** Root RLM 1, turn 2, cell 3, and sub-calls under the cell from id 4 on. */
function cellWithCalls(labels: string[]): NodeRow[] {
  return [
    node(1, null, 0, { kind: 'rlm', label: 'Summarise the log' }),
    node(2, 1, 0, { kind: 'llm', purpose: 'turn', label: 'Let me run this.' }),
    node(3, 1, 1, { kind: 'cell', label: 'const parts = await llm_query_batched(chunks.map((c) => template + c));' }),
    ...labels.map((label, i) => node(4 + i, 3, i, { kind: 'llm', purpose: 'sub', label })),
  ];
}

describe('sibling labels', () => {
  it('measures a common prefix, up to a limit', () => {
    expect(commonPrefixLength('abcdef', 'abcxyz')).toBe(3);
    expect(commonPrefixLength('abc', 'abc')).toBe(3);
    expect(commonPrefixLength('abcdef', 'abcdef', 2)).toBe(2);
    expect(commonPrefixLength('', 'abc')).toBe(0);
  });

  it('shows sub-calls that share a long start from where they differ', () => {
    const tree = buildTree(cellWithCalls([`${TEMPLATE}chunk 1 of 3: disk full`, `${TEMPLATE}chunk 2 of 3: timeouts`, `${TEMPLATE}chunk 3 of 3: all well`]));
    const cache = createSharedStarts();
    const shown = [4, 5, 6].map((id) => rowLabel(tree, id, cache));
    // The word before the first difference is kept: "chunk 1", not "1".
    expect(shown).toEqual(['…chunk 1 of 3: disk full', '…chunk 2 of 3: timeouts', '…chunk 3 of 3: all well']);
    expect(new Set(shown).size).toBe(3);
  });

  it('keeps some context when the difference is inside one long word', () => {
    const a = `${TEMPLATE}/var/log/app/server-2026-12-06-part-0017.log`;
    const b = `${TEMPLATE}/var/log/app/server-2026-12-06-part-0018.log`;
    const shared = commonPrefixLength(a, b);
    expect(distinctLabel(a, shared)).toBe(`…${a.slice(shared - 16)}`);
    expect(distinctLabel(a, shared).endsWith('0017.log')).toBe(true);
  });

  it('leaves labels whole when their shared start is short, or when there is one call', () => {
    const tree = buildTree(cellWithCalls(['part 1: alpha', 'part 2: beta']));
    const cache = createSharedStarts();
    expect(rowLabel(tree, 4, cache)).toBe('part 1: alpha');
    const single = buildTree(cellWithCalls([`${TEMPLATE}the only chunk`]));
    expect(sharedStart(single, 3, createSharedStarts())).toBe(0);
    expect(rowLabel(single, 4, createSharedStarts())).toBe(`${TEMPLATE}the only chunk`);
    expect(distinctLabel(`${TEMPLATE}x`, MIN_SHARED - 1)).toBe(`${TEMPLATE}x`);
  });

  it('compares a cell\'s only sub-call with those of the other cells of its RLM', () => {
    // A loop over turns: each turn's cell asks once, with the same long start.
    const nodes: NodeRow[] = [node(1, null, 0, { kind: 'rlm', label: 'Check again and again' })];
    for (let turn = 0; turn < 3; turn++) {
      const cell = 10 + turn * 2;
      nodes.push(node(cell, 1, turn, { kind: 'cell', label: `const check${turn} = await llm_query(...)` }));
      nodes.push(node(cell + 1, cell, 0, { kind: 'llm', purpose: 'sub', label: `${TEMPLATE}time ${turn}` }));
    }
    const tree = buildTree(nodes);
    const cache = createSharedStarts();
    expect([11, 13, 15].map((id) => rowLabel(tree, id, cache))).toEqual(['…time 0', '…time 1', '…time 2']);
    // A new turn's call is folded in; one that starts otherwise shortens what is shared.
    upsertNode(tree, node(16, 1, 3, { kind: 'cell', label: 'const other = await llm_query(...)' }));
    upsertNode(tree, node(17, 16, 0, { kind: 'llm', purpose: 'sub', label: 'A different question altogether' }));
    expect(rowLabel(tree, 11, cache)).toBe(`${TEMPLATE}time 0`);
  });

  it('leaves alone rows that are not sub-calls', () => {
    const tree = buildTree(cellWithCalls([`${TEMPLATE}a`, `${TEMPLATE}b`]));
    const cache = createSharedStarts();
    expect(rowLabel(tree, 1, cache)).toBe('Summarise the log');
    expect(rowLabel(tree, 3, cache)).toBe('const parts = await llm_query_batched(chunks.map((c) => template + c));');
  });

  it('shows identical prompts whole: there is nothing to tell them apart by', () => {
    const tree = buildTree(cellWithCalls([`${TEMPLATE}same`, `${TEMPLATE}same`]));
    // The whole label is shared; the row shows its last words rather than nothing.
    expect(rowLabel(tree, 4, createSharedStarts())).toBe('…error: same');
  });

  it('folds in calls added live, and refolds when one arrives out of order', () => {
    const tree = buildTree(cellWithCalls([`${TEMPLATE}chunk 1`, `${TEMPLATE}chunk 2`]));
    const cache = createSharedStarts();
    expect(sharedStart(tree, 3, cache)).toBe(TEMPLATE.length + 'chunk '.length);
    // A new call that differs earlier shortens the shared start.
    const other = `${TEMPLATE.slice(0, 40)}! something else`;
    upsertNode(tree, node(6, 3, 2, { kind: 'llm', purpose: 'sub', label: other }));
    expect(sharedStart(tree, 3, cache)).toBe(40);
    // One that sorts before the others (an earlier seq) is seen too.
    upsertNode(tree, node(7, 3, -1, { kind: 'llm', purpose: 'sub', label: 'Different from the start' }));
    expect(sharedStart(tree, 3, cache)).toBe(0);
    expect(rowLabel(tree, 4, cache)).toBe(`${TEMPLATE}chunk 1`);
  });

  it('folds each label once: later rows read the cached start', () => {
    const tree = buildTree(cellWithCalls([`${TEMPLATE}chunk 1`, `${TEMPLATE}chunk 2`]));
    const cache = createSharedStarts();
    expect(rowLabel(tree, 5, cache)).toBe('…chunk 2');
    // Sub-call labels never change once recorded; were one refolded, this change would show.
    tree.nodes.set(4, { ...(tree.nodes.get(4) as NodeRow), label: 'rewritten' });
    expect(sharedStart(tree, 3, cache)).toBe(TEMPLATE.length + 'chunk '.length);
  });

  it('stays linear for a cell of 100,000 calls', () => {
    const labels = Array.from({ length: 100_000 }, (_, i) => `${TEMPLATE}chunk ${i}`);
    const tree = buildTree(cellWithCalls(labels));
    const cache = createSharedStarts();
    const started = performance.now();
    expect(rowLabel(tree, 4 + 99_999, cache)).toBe('…chunk 99999');
    for (let id = 4; id < 4 + 100_000; id++) rowLabel(tree, id, cache);
    // Linear work takes a fraction of this even on a busy machine; a quadratic refold would not
    // end. The 40 rows drawn per frame cost microseconds.
    expect(performance.now() - started).toBeLessThan(5000);
  });
});
