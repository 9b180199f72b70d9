import { describe, expect, it } from 'vitest';
import { deltaTexts, differingLines, shownFields, stepKind, stepName } from './compareText';

describe('compareText', () => {
  it('names steps by what they are to the RLM', () => {
    expect([stepKind({ kind: 'llm', purpose: 'turn' }), stepKind({ kind: 'llm', purpose: 'sub' }), stepKind({ kind: 'cell', purpose: null }), stepKind({ kind: 'rlm', purpose: null })]).toEqual(['Turn', 'Sub-call', 'Cell', 'RLM']);
    expect(shownFields({ kind: 'cell' })).toEqual(['code', 'output', 'error']);
    expect([stepName({ kind: 'llm', purpose: 'turn', ordinal: 2 }), stepName({ kind: 'rlm', purpose: null, ordinal: 3 })]).toEqual(['Turn 2', 'RLM']);
  });

  it('signs deltas, and says unknown rather than zero for a cost or time not known', () => {
    const texts = deltaTexts({ costUsd: -0.0125, inputTokens: 1200, outputTokens: 0, modelCalls: 2, durationMs: null });
    expect(texts.map((t) => `${t.label} ${t.text} ${t.direction}`)).toEqual([
      'Cost −$0.0125 less',
      'Input tokens +1,200 more',
      'Output tokens ±0 same',
      'Calls +2 more',
      'Time unknown unknown',
    ]);
  });

  it('marks the lines that differ from the other side, and every line when the other has none', () => {
    expect([...differingLines('a\nb\nc', 'a\nB\nc\nd')]).toEqual([1]);
    expect([...differingLines('a\nb', undefined)]).toEqual([0, 1]);
  });
});
