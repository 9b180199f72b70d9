import { describe, expect, it } from 'vitest';
import type { ComparisonStep } from '../../shared/api/debugger';
import { deltaTexts, differingLines, shownFields, stepKind, stepName, stepPath } from './compareText';

describe('compareText', () => {
  it('names steps by what they are to the RLM', () => {
    expect([stepKind({ kind: 'llm', purpose: 'turn' }), stepKind({ kind: 'llm', purpose: 'sub' }), stepKind({ kind: 'cell', purpose: null }), stepKind({ kind: 'rlm', purpose: null })]).toEqual(['Turn', 'Sub-call', 'Cell', 'RLM']);
    expect(shownFields({ kind: 'cell' })).toEqual(['code', 'output', 'error']);
    expect([stepName({ kind: 'llm', purpose: 'turn', ordinal: 2 }), stepName({ kind: 'rlm', purpose: null, ordinal: 3 })]).toEqual(['Turn 2', 'RLM']);
  });

  it('names a step with the steps it is under, up to the root RLM', () => {
    const step = (kind: ComparisonStep['kind'], purpose: ComparisonStep['purpose'], ordinal: number, parent: number | null): ComparisonStep => ({ kind, purpose, ordinal, parent, level: 0, labels: { a: '', b: '' } });
    const steps = [step('rlm', null, 1, null), step('cell', null, 4, 0), step('rlm', null, 1, 1), step('llm', 'turn', 2, 2), step('llm', 'sub', 3, 1)];
    expect(stepPath(steps, 3)).toBe('turn 2 of a child RLM of cell 4');
    expect(stepPath(steps, 4)).toBe('sub-call 3 of cell 4');
    expect(stepPath(steps, 0)).toBe('the root RLM');
    expect(stepPath(steps, 2)).toBe('a child RLM of cell 4');
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
