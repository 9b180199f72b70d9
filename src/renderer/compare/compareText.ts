// How a comparison of two runs reads on the page: the names of steps and values, the deltas.
// Pure, so that the words are tested without a browser.
import type { ComparisonStep } from '../../shared/api/debugger';
import type { ComparedField, RunDelta } from '../../shared/domain/comparison';
import type { NodePayload } from '../../shared/domain/node';
import { formatDuration, usd } from '../../shared/format';

export function stepKind(step: Pick<ComparisonStep, 'kind' | 'purpose'>): string {
  if (step.kind === 'llm') return step.purpose === 'sub' ? 'Sub-call' : 'Turn';
  return step.kind === 'rlm' ? 'RLM' : 'Cell';
}

/** "Turn 2", "Cell 3", "Sub-call 1"; an RLM by its kind alone (the root, or a child under its cell). */
export function stepName(step: Pick<ComparisonStep, 'kind' | 'purpose' | 'ordinal'>): string {
  return step.kind === 'rlm' ? 'RLM' : `${stepKind(step)} ${step.ordinal}`;
}

/** A step with the steps it is under, up to its RLM: "sub-call 3 of cell 7001", "turn 2 of a child RLM of cell 4". */
export function stepPath(steps: readonly ComparisonStep[], index: number): string {
  const step = steps[index];
  if (!step) return 'a step';
  const names = [step.kind === 'rlm' ? (step.parent === null ? 'the root RLM' : 'a child RLM') : stepName(step).toLowerCase()];
  let at = step.parent;
  // Up through cells and child RLMs, at most a few levels: the sentence must stay one line.
  for (let hops = 0; at !== null && hops < 3; hops++) {
    const up = steps[at];
    if (!up) break;
    if (up.kind === 'rlm' && up.parent === null) break;
    names.push(up.kind === 'rlm' ? 'a child RLM' : stepName(up).toLowerCase());
    at = up.parent;
  }
  return names.join(' of ');
}

export const FIELD_LABELS: Record<ComparedField, string> = {
  text: 'reply',
  code: 'code',
  output: 'output',
  error: 'error',
  query: 'query',
  answer: 'answer',
  node: 'step in one run only',
};

/** The payload values shown side by side for a step of this kind, in this order. */
export function shownFields(step: Pick<ComparisonStep, 'kind'>): (keyof NodePayload & ComparedField)[] {
  if (step.kind === 'cell') return ['code', 'output', 'error'];
  if (step.kind === 'rlm') return ['query', 'answer', 'error'];
  return ['text', 'error'];
}

export interface DeltaText {
  label: string;
  text: string;
  /** More (cost, tokens, calls, time) in b than in a. */
  direction: 'more' | 'less' | 'same' | 'unknown';
}

export function deltaTexts(delta: RunDelta): DeltaText[] {
  const count = (n: number) => n.toLocaleString('en-US');
  return [
    signed('Cost', delta.costUsd, usd),
    signed('Input tokens', delta.inputTokens, count),
    signed('Output tokens', delta.outputTokens, count),
    signed('Calls', delta.modelCalls, count),
    signed('Time', delta.durationMs, formatDuration),
  ];
}

function signed(label: string, value: number | null, format: (magnitude: number) => string): DeltaText {
  if (value === null) return { label, text: 'unknown', direction: 'unknown' };
  if (value === 0) return { label, text: '±0', direction: 'same' };
  return { label, text: `${value > 0 ? '+' : '−'}${format(Math.abs(value))}`, direction: value > 0 ? 'more' : 'less' };
}

/** Lines of `text` that differ from the line at the same place in `other` (by index, from 0). */
export function differingLines(text: string, other: string | undefined): Set<number> {
  const mine = text.split('\n');
  const theirs = other === undefined ? [] : other.split('\n');
  const out = new Set<number>();
  mine.forEach((line, i) => {
    if (theirs[i] !== line) out.add(i);
  });
  return out;
}
