// Figures as measured, each against its baseline (measured in the same run) and against its
// goal; printed as a table or as JSON. A figure over its goal is reported, never thrown.

export interface Goal {
  /** What the goal bounds: the measured value itself, or its ratio to the baseline. */
  on: 'value' | 'ratio';
  op: '<=' | '>=';
  target: number;
}

export interface FigureInput {
  id: string;
  title: string;
  unit: string;
  value: number;
  baseline: number;
  /** What the baseline is, in a few words ("plain Node", "ideal"). */
  baselineName: string;
  goal: Goal | null;
  /** What the figure includes and how it was measured. */
  note: string;
}

export interface Figure extends FigureInput {
  /** value ÷ baseline. */
  ratio: number;
  /** The goal's subject ÷ its target; null without a goal. */
  goalRatio: number | null;
  verdict: 'PASS' | 'OVER' | 'INFO';
}

export function figure(input: FigureInput): Figure {
  const ratio = input.value / input.baseline;
  // Without a goal, or without a value (a figure this platform cannot measure), there is no verdict.
  if (!input.goal || !Number.isFinite(input.value)) return { ...input, ratio, goalRatio: null, verdict: 'INFO' };
  const subject = input.goal.on === 'ratio' ? ratio : input.value;
  const met = input.goal.op === '<=' ? subject <= input.goal.target : subject >= input.goal.target;
  return { ...input, ratio, goalRatio: subject / input.goal.target, verdict: met ? 'PASS' : 'OVER' };
}

function num(n: number): string {
  if (!Number.isFinite(n)) return 'n/a';
  const abs = Math.abs(n);
  const digits = abs >= 100 ? 0 : abs >= 10 ? 1 : abs >= 1 ? 2 : 3;
  return n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

function goalText(f: Figure): string {
  if (!f.goal) return '—';
  const op = f.goal.op === '<=' ? '≤' : '≥';
  return f.goal.on === 'ratio' ? `${op} ${f.goal.target.toFixed(2)}× base` : `${op} ${num(f.goal.target)} ${f.unit}`;
}

export function renderTable(figures: Figure[]): string {
  const header = ['figure', 'measured', 'baseline', '×base', 'goal', '×goal', 'verdict'];
  const rows = figures.map((f) => [
    f.title,
    `${num(f.value)} ${f.unit}`,
    `${num(f.baseline)} ${f.unit} (${f.baselineName})`,
    `${num(f.ratio)}×`,
    goalText(f),
    f.goalRatio === null ? '—' : num(f.goalRatio),
    f.verdict,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  const notes = figures.map((f) => `  ${f.title}: ${f.note}`);
  return [line(header), rule, ...rows.map(line), '', '×base = measured ÷ baseline; ×goal = the goal\'s subject ÷ its target.', 'What each figure includes:', ...notes].join('\n');
}

export function toJson(figures: Figure[], meta: Record<string, unknown>): string {
  return JSON.stringify({ ...meta, figures }, null, 2);
}
