import { describe, expect, it } from 'vitest';
import { emptySubtree, type NodeRow } from './domain/node';
import { decodeNodeIndex, encodeNodeIndex, NODE_INDEX_ENCODING, ownBytes } from './nodeIndex';

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
    const rows = [node(1, null, { kind: 'rlm', model: null, purpose: null, costUsd: null, usageEstimated: false }), node(2, 1), node(3, 1, { endedAt: null, status: 'running' }), node(4, 1, { cached: true, inputTokens: null, outputTokens: null, costUsd: null })];
    expect(decodeNodeIndex(encodeNodeIndex(rows))).toEqual(rows);
  });

  it('puts cached last, and reads a row from before it as not cached', () => {
    const tuple = JSON.parse(text(encodeNodeIndex([node(1, null, { cached: true })]).bytes)) as unknown[][];
    expect(tuple[0]).toHaveLength(22);
    expect(tuple[0]!.at(-1)).toBe(1);
    const older = JSON.stringify([tuple[0]!.slice(0, 21)]);
    expect(decodeNodeIndex(index(older))).toEqual([node(1, null)]);
  });

  it('reads the bytes wherever they sit: a view into a larger buffer (a frame), a Node Buffer', () => {
    const rows = [node(1, null), node(2, 1)];
    const bytes = encodeNodeIndex(rows).bytes;
    const frame = new Uint8Array(bytes.byteLength + 13);
    frame.set(bytes, 7);
    expect(decodeNodeIndex({ encoding: NODE_INDEX_ENCODING, bytes: frame.subarray(7, 7 + bytes.byteLength) })).toEqual(rows);
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
    expect(() => decodeNodeIndex({ encoding: 'other' as typeof NODE_INDEX_ENCODING, bytes: bytesOf('[]') })).toThrow(/unknown encoding/);
    expect(() => decodeNodeIndex({ encoding: NODE_INDEX_ENCODING, json: '[]' } as never)).toThrow(/unknown encoding/);
    expect(() => decodeNodeIndex(index('{}'))).toThrow(/not a list/);
    expect(() => decodeNodeIndex(index('[[1,null]]'))).toThrow(/node 0 of the index is damaged/);
    expect(() => decodeNodeIndex(index('[['))).toThrow(/not UTF-8 JSON/);
    expect(() => decodeNodeIndex({ encoding: NODE_INDEX_ENCODING, bytes: new Uint8Array([0x5b, 0xff, 0x5d]) })).toThrow(/not UTF-8 JSON/);
  });

  it('refuses rows with bad ids, kinds, statuses or labels: the tree never draws them', () => {
    const good = JSON.parse(text(encodeNodeIndex([node(2, 1)]).bytes)) as unknown[][];
    const bad = (at: number, value: unknown) => index(JSON.stringify([good[0]!.map((v, i) => (i === at ? value : v))]));
    for (const id of [0, -1, 1.5, '2', null, 2 ** 53]) expect(() => decodeNodeIndex(bad(0, id)), String(id)).toThrow(/node 0 of the index is damaged/);
    for (const parent of [0, 'a', 1.5]) expect(() => decodeNodeIndex(bad(1, parent))).toThrow(/damaged/);
    expect(() => decodeNodeIndex(bad(2, 'script'))).toThrow(/damaged/);
    expect(() => decodeNodeIndex(bad(5, 'done'))).toThrow(/damaged/);
    expect(() => decodeNodeIndex(bad(8, 42))).toThrow(/damaged/);
    for (const at of [3, 4, 6]) expect(() => decodeNodeIndex(bad(at, '7'))).toThrow(/damaged/);
    expect(decodeNodeIndex(bad(1, null))[0]?.parentId).toBeNull();
  });
});

function bytesOf(json: string): Uint8Array {
  return new TextEncoder().encode(json);
}

function index(json: string) {
  return { encoding: NODE_INDEX_ENCODING, bytes: bytesOf(json) } as const;
}

function text(bytes: Uint8Array): string {
  return new TextDecoder().decode(bytes);
}
