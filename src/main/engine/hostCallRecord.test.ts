import { describe, expect, it } from 'vitest';
import type { MadeCall } from '../sandbox/host/cellHostCalls';
import { hostCallsOf } from './hostCallRecord';

const made = (callId: number, extra: Partial<MadeCall> = {}): MadeCall => ({ callId, kind: 'llm', request: `r${callId}`, link: {}, ...extra });

describe('hostCallsOf', () => {
  it('puts refusals inside the sandbox where the code made them, and maps received ids to positions', () => {
    const record = hostCallsOf({
      made: [made(0, { link: { node: 5 }, result: { ok: true, value: 'five' } }), made(1, { result: { ok: false, value: 'limit' } })],
      trace: {
        received: [[1], [0]],
        refused: [
          { at: 0, kind: 'llm', error: 'too big' },
          { at: 1, kind: 'rlm', error: 'too much waiting' },
          { at: 2, kind: 'llm_batched', error: 'too big again' },
        ],
        cut: 0,
      },
    });
    expect(record.calls).toEqual([
      { kind: 'llm', refused: true, ok: false, value: 'too big' },
      // Answered from a node: the node holds the text, the record only points at it.
      { kind: 'llm', request: 'r0', node: 5, ok: true },
      { kind: 'rlm', refused: true, ok: false, value: 'too much waiting' },
      { kind: 'llm', request: 'r1', ok: false, value: 'limit' },
      { kind: 'llm_batched', refused: true, ok: false, value: 'too big again' },
    ]);
    expect(record.received).toEqual([[3], [1]]);
    expect(record.cut).toBeUndefined();
  });

  it('counts an answer the code never received (sent as its cell ended) as no answer', () => {
    const record = hostCallsOf({
      made: [made(0, { result: { ok: true, value: 'got it' } }), made(1, { link: { node: 4 }, result: { ok: true, value: 'too late' } })],
      trace: { received: [[0]], refused: [], cut: 0 },
    });
    expect(record.calls).toEqual([
      { kind: 'llm', request: 'r0', ok: true, value: 'got it' },
      { kind: 'llm', request: 'r1', node: 4 },
    ]);
  });

  it('records a batch by item nodes and error slots, and keeps the whole value when an item has neither', () => {
    const batch = hostCallsOf({
      made: [
        made(0, { kind: 'llm_batched', link: { items: [{ node: 7 }, { node: 8, error: 'Error: 500' }, { error: 'Error: bad model' }] }, result: { ok: true, value: '["x","Error: 500","Error: bad model"]' } }),
        made(1, { kind: 'llm_batched', link: { items: [{}] }, result: { ok: true, value: '["?"]' } }),
        made(2, { link: { node: 9 } }),
      ],
      trace: null,
      madeCut: 3,
    });
    expect(batch.calls).toEqual([
      { kind: 'llm_batched', request: 'r0', ok: true, items: [7, { node: 8, text: 'Error: 500' }, { text: 'Error: bad model' }] },
      { kind: 'llm_batched', request: 'r1', ok: true, value: '["?"]' },
      // Never answered: no `ok`.
      { kind: 'llm', request: 'r2', node: 9 },
    ]);
    expect(batch.received).toBeNull();
    expect(batch.cut).toBe(3);
  });
});
