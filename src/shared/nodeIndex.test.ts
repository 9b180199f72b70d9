import { describe, expect, it } from 'vitest';
import { emptySubtree, type NodeRow } from './domain/node';
import { decodeNodeIndex, encodeNodeIndex, NODE_INDEX_ENCODING, ownBytes, type IndexBase } from './nodeIndex';

const BASE: IndexBase = { time: 1000, models: ['root', 'm'] };

const node = (id: number, parentId: number | null, over: Partial<NodeRow> = {}): NodeRow => ({
  id,
  parentId,
  kind: 'llm',
  depth: 0,
  seq: id,
  status: 'completed',
  startedAt: 1000 + id,
  endedAt: 2000 + id,
  label: `call ${id} "quoted" \u2603`,
  model: 'm',
  purpose: 'sub',
  inputTokens: 10,
  outputTokens: 2,
  cachedTokens: 0,
  costUsd: 0.000027,
  usageEstimated: true,
  cached: false,
  subtree: { ...emptySubtree(), pricedCostUsd: 0.000027, inputTokens: 10, outputTokens: 2, modelCalls: 1 },
  ...over,
});

describe('the compact node index', () => {
  it('round-trips every field of every row', () => {
    const rows = [
      node(1, null, { kind: 'rlm', model: null, purpose: null, costUsd: null, usageEstimated: false, subtree: { pricedCostUsd: 0.5, unpricedCalls: 2, inputTokens: 9, outputTokens: 8, modelCalls: 7 } }),
      node(2, 1),
      node(3, 1, { endedAt: null, status: 'running', model: 'root', purpose: 'turn' }),
      node(4, 1, { cached: true, inputTokens: null, outputTokens: null, costUsd: null, subtree: emptySubtree(), kind: 'cell', status: 'interrupted' }),
      node(5, 1, { costUsd: null, subtree: { ...emptySubtree(), unpricedCalls: 1, inputTokens: 10, outputTokens: 2, modelCalls: 1 }, model: 'other ünï', status: 'stopped' }),
      node(6, 5, { status: 'failed', usageEstimated: false }),
    ];
    expect(decodeNodeIndex(encodeNodeIndex(rows, { base: BASE }))).toEqual(rows);
  });

  it('writes times that are not whole milliseconds, or too large to count from the base, whole', () => {
    const rows = [
      node(1, null, { startedAt: 1000.25, endedAt: 1002 }),
      node(2, 1, { startedAt: 1005, endedAt: 1007.5 }),
      node(3, 1, { startedAt: 2 ** 53 - 1, endedAt: 2 ** 53 - 1 }),
      node(4, 1, { startedAt: -3, endedAt: 1e300 }),
    ];
    const tuples = JSON.parse(text(encodeNodeIndex(rows, { base: BASE }).bytes)) as unknown[][];
    expect(tuples.map((t) => [t[6], t[7]])).toEqual([[[1000.25], [1002]], [5, [1007.5]], [[2 ** 53 - 1], [2 ** 53 - 1]], [-1003, [1e300]]]);
    expect(decodeNodeIndex(encodeNodeIndex(rows, { base: BASE }))).toEqual(rows);
    expect(decodeNodeIndex(encodeNodeIndex(rows, { base: { ...BASE, time: 0.5 } }))).toEqual(rows);
  });

  it('is smaller than the row: codes, counted times, the base models, no subtree for a call', () => {
    const tuples = JSON.parse(text(encodeNodeIndex([node(2, 1)], { base: BASE }).bytes)) as unknown[][];
    expect(tuples[0]).toEqual([2, 1, 1, 0, 2, 1, 2, 1000, 'call 2 "quoted" \u2603', 1, 1, 10, 2, 0, 0.000027, 1]);
  });

  it('reads the bytes wherever they sit: a view into a larger buffer (a frame), a Node Buffer', () => {
    const rows = [node(1, null), node(2, 1)];
    const bytes = encodeNodeIndex(rows).bytes;
    const frame = new Uint8Array(bytes.byteLength + 13);
    frame.set(bytes, 7);
    expect(decodeNodeIndex({ encoding: NODE_INDEX_ENCODING, base: encodeNodeIndex(rows).base, bytes: frame.subarray(7, 7 + bytes.byteLength) })).toEqual(rows);
  });

  it('gives the bytes a buffer of their own: a clone (IPC) of a view copies the whole buffer under it', () => {
    const pool = new Uint8Array(64).fill(7);
    const view = pool.subarray(8, 12);
    const own = ownBytes(view);
    expect([...own]).toEqual([7, 7, 7, 7]);
    expect(own.buffer.byteLength).toBe(4);
    const whole = new Uint8Array(4);
    expect(ownBytes(whole).buffer).toBe(whole.buffer);
  });

  it("survives a structured clone, as the desktop app's IPC carries it", () => {
    const rows = [node(1, null), node(2, 1, { label: 'ünïcödé \u2603' })];
    expect(decodeNodeIndex(structuredClone(encodeNodeIndex(rows)))).toEqual(rows);
  });

  it('keeps a huge label whole', () => {
    const label = 'x'.repeat(3_000_000) + '\u2603"\\';
    expect(decodeNodeIndex(encodeNodeIndex([node(1, null, { label })]))[0]?.label).toBe(label);
  });

  it('refuses what is not an index, with a message instead of a crash later', () => {
    expect(() => decodeNodeIndex({ ...index('[]'), encoding: 'tuples-1' as typeof NODE_INDEX_ENCODING })).toThrow(/unknown encoding/);
    expect(() => decodeNodeIndex({ encoding: NODE_INDEX_ENCODING, json: '[]' } as never)).toThrow(/unknown encoding/);
    expect(() => decodeNodeIndex({ ...index('[]'), base: undefined as never })).toThrow(/no time base/);
    expect(() => decodeNodeIndex({ ...index('[]'), base: { time: 0, models: ['a'] } as never })).toThrow(/no model base/);
    expect(() => decodeNodeIndex(index('{}'))).toThrow(/not a list/);
    expect(() => decodeNodeIndex(index('[[1,null]]'))).toThrow(/node 0 of the index is damaged/);
    expect(() => decodeNodeIndex(index('[['))).toThrow(/not UTF-8 JSON/);
    expect(() => decodeNodeIndex({ ...index('[]'), bytes: new Uint8Array([0x5b, 0xff, 0x5d]) })).toThrow(/not UTF-8 JSON/);
  });

  it('refuses rows with bad ids, kinds, statuses, times, labels or models: the tree never draws them', () => {
    const good = JSON.parse(text(encodeNodeIndex([node(2, 1)], { base: BASE }).bytes)) as unknown[][];
    const bad = (at: number, value: unknown) => index(JSON.stringify([good[0]!.map((v, i) => (i === at ? value : v))]));
    for (const id of [0, -1, 1.5, '2', null, 2 ** 53]) expect(() => decodeNodeIndex(bad(0, id)), String(id)).toThrow(/node 0 of the index is damaged/);
    for (const parent of [0, 'a', 1.5]) expect(() => decodeNodeIndex(bad(1, parent))).toThrow(/damaged/);
    for (const kind of ['llm', 3, -1, 0.5, 'length', null]) expect(() => decodeNodeIndex(bad(2, kind)), String(kind)).toThrow(/damaged/);
    for (const status of ['completed', 5, null]) expect(() => decodeNodeIndex(bad(5, status)), String(status)).toThrow(/damaged/);
    for (const purpose of ['sub', 2]) expect(() => decodeNodeIndex(bad(10, purpose)), String(purpose)).toThrow(/damaged/);
    for (const time of [null, '5', [], [1, 2], ['1']]) expect(() => decodeNodeIndex(bad(6, time)), JSON.stringify(time)).toThrow(/damaged/);
    expect(() => decodeNodeIndex(bad(7, '5'))).toThrow(/damaged/);
    expect(() => decodeNodeIndex(bad(8, 42))).toThrow(/damaged/);
    for (const model of [2, true, {}]) expect(() => decodeNodeIndex(bad(9, model)), String(model)).toThrow(/damaged/);
    for (const at of [3, 4, 15]) expect(() => decodeNodeIndex(bad(at, '7'))).toThrow(/damaged/);
    // A call that leaves its subtree out must have the figures it is rebuilt from.
    expect(() => decodeNodeIndex(bad(11, null))).toThrow(/damaged/);
    expect(() => decodeNodeIndex(index(JSON.stringify([good[0]!.slice(0, 15)])))).toThrow(/damaged/);
    expect(() => decodeNodeIndex(index(JSON.stringify([[...good[0]!, 1, 2]])))).toThrow(/damaged/);
    // The figures the tree draws (a call's, its subtree's totals): numbers, never drawn as text.
    const whole = JSON.parse(text(encodeNodeIndex([node(1, null, { subtree: { pricedCostUsd: 0.5, unpricedCalls: 2, inputTokens: 9, outputTokens: 8, modelCalls: 7 } })], { base: BASE }).bytes)) as unknown[][];
    expect(whole[0]).toHaveLength(21);
    const badTotal = (at: number, value: unknown) => index(JSON.stringify([whole[0]!.map((v, i) => (i === at ? value : v))]));
    for (const at of [16, 17, 18, 19, 20]) {
      for (const value of ['7', null, [1], true]) expect(() => decodeNodeIndex(badTotal(at, value)), `${at} ${JSON.stringify(value)}`).toThrow(/damaged/);
    }
    for (const at of [11, 12, 13, 14]) {
      for (const value of ['7', [1], {}]) expect(() => decodeNodeIndex(badTotal(at, value)), `${at} ${JSON.stringify(value)}`).toThrow(/damaged/);
      expect(decodeNodeIndex(badTotal(at, null))[0]).toBeDefined();
    }
    expect(() => decodeNodeIndex(bad(14, '0.1'))).toThrow(/damaged/);
    expect(() => decodeNodeIndex(bad(13, 'x'))).toThrow(/damaged/);
    expect(decodeNodeIndex(bad(1, null))[0]?.parentId).toBeNull();
    expect(decodeNodeIndex(bad(9, 0))[0]?.model).toBe('root');
    expect(decodeNodeIndex(bad(9, null))[0]?.model).toBeNull();
  });
});

function bytesOf(json: string): Uint8Array {
  return new TextEncoder().encode(json);
}

function index(json: string) {
  return { encoding: NODE_INDEX_ENCODING, base: BASE, bytes: bytesOf(json) } as const;
}

function text(bytes: Uint8Array): string {
  return new TextDecoder().decode(bytes);
}
