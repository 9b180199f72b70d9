// `rlmscope diff RUN_A RUN_B`: two runs compared step by step (issue 12). Reads only, like `show`
// (DESIGN §2). Exit 0 when the runs are the same, 1 when they differ, 2 for errors (index.ts),
// the convention of `diff` and `cmp`.
import type { ComparedField, RunComparison } from '../../shared/domain/comparison';
import type { NodePayload, NodeRow } from '../../shared/domain/node';
import { formatDuration, usd } from '../../shared/format';
import { diffRuns, type RunDiff } from '../debugger/runDiff';
import { defaultDatabasePath } from '../paths';
import { openRunReader, type RunReader } from '../store/runReader';
import type { CommandOutput } from './commandOutput';
import { terminalSafe } from './format';
import { firstDifferingLine, lineAt } from './lineDiff';

/** Pairs per write of `--json`: a 100,000-node comparison is streamed, never one string. */
const PAIRS_PER_WRITE = 2_000;

export async function diffCommand(runA: string, runB: string, options: { db?: string; json?: boolean }, out: CommandOutput): Promise<number> {
  const reader = openRunReader(options.db ?? defaultDatabasePath());
  try {
    const diff = diffRuns(reader, runA, runB);
    const { comparison } = diff;
    if (options.json) await writeJson(comparison, out);
    else await out.stdout(terminalSafe(`${summaryLines(diff, reader).join('\n')}\n`));
    return comparison.firstDivergence ? 1 : 0;
  } finally {
    reader.close();
  }
}

async function writeJson(comparison: RunComparison, out: CommandOutput): Promise<void> {
  const { a, b, firstDivergence, pairs, delta } = comparison;
  await out.stdout(`{"a":${JSON.stringify(a)},"b":${JSON.stringify(b)},"firstDivergence":${JSON.stringify(firstDivergence)},"pairs":[`);
  for (let i = 0; i < pairs.length; i += PAIRS_PER_WRITE) {
    const part = JSON.stringify(pairs.slice(i, i + PAIRS_PER_WRITE));
    await out.stdout(`${i === 0 ? '' : ','}${part.slice(1, -1)}`);
  }
  await out.stdout(`],"delta":${JSON.stringify(delta)}}\n`);
}

/** What a value is called in the summary. */
const FIELD_NAMES: Record<ComparedField, string> = {
  text: 'the reply',
  code: 'the code',
  output: 'the output',
  error: 'the error',
  query: 'the query',
  answer: 'the answer',
  node: 'present in one run only',
};

/** A value's first line is shown up to this many characters. */
const LINE_CHARS = 160;

function summaryLines({ comparison, nodes }: RunDiff, reader: Pick<RunReader, 'getPayload'>): string[] {
  const { a, b, firstDivergence: first, pairs, delta } = comparison;
  const lines = [first ? `runs ${a} and ${b} differ` : `runs ${a} and ${b} are the same, step for step`];
  if (first) {
    const sides = [['a', a, first.a], ['b', b, first.b]] as const;
    const named = sides.map(([side, , id]) => (id === null ? null : stepName(nodes[side], id))).find((name) => name !== null);
    lines.push(`first divergence: ${named ?? 'a step'} — ${FIELD_NAMES[first.field]}`);
    const values = sides.map(([side, runId, id]) => ({ runId, id, value: id === null ? null : valueOf(reader, nodes[side], runId, id, first.field) }));
    const line = firstDifferingLine(values[0]?.value ?? null, values[1]?.value ?? null);
    for (const { runId, id, value } of values) {
      const where = id === null ? 'no such step' : `#${id}`;
      const shown = value === null ? '—' : cut(lineAt(value, line));
      lines.push(`  ${runId} ${where}${line > 0 ? ` (line ${line + 1})` : ''}: ${shown}`);
    }
  }
  const same = pairs.filter((p) => p.same).length;
  const onlyA = pairs.filter((p) => p.b === null).length;
  const onlyB = pairs.filter((p) => p.a === null).length;
  lines.push(`steps: ${count(same)} same, ${count(pairs.length - same - onlyA - onlyB)} different, ${count(onlyA)} only in ${a}, ${count(onlyB)} only in ${b}`);
  lines.push(
    `delta (${b} − ${a}): cost ${delta.costUsd === null ? 'unknown' : signed(delta.costUsd, (v) => usd(v))} · input tokens ${signed(delta.inputTokens, count)} · output tokens ${signed(delta.outputTokens, count)} · calls ${signed(delta.modelCalls, count)} · time ${delta.durationMs === null ? 'unknown' : signed(delta.durationMs, formatDuration)}`,
  );
  return lines;
}

const count = (n: number) => n.toLocaleString('en-US');

function signed(value: number, format: (magnitude: number) => string): string {
  if (value === 0) return '±0';
  return `${value > 0 ? '+' : '−'}${format(Math.abs(value))}`;
}

/** "turn 2 of RLM #1", "cell 3 of RLM #4", "sub-call 1 of cell #3", "RLM #4". */
export function stepName(nodes: readonly NodeRow[], id: number): string {
  const node = nodes.find((n) => n.id === id);
  if (!node) return `#${id}`;
  const slot = slotName(node);
  if (node.parentId === null) return `${slot} #${id}`;
  const parent = nodes.find((n) => n.id === node.parentId);
  const siblings = nodes.filter((n) => n.parentId === node.parentId && slotName(n) === slot && (n.seq < node.seq || (n.seq === node.seq && n.id <= node.id)));
  return `${slot} ${siblings.length} of ${parent ? slotName(parent) : 'node'} #${node.parentId}`;
}

function slotName(node: NodeRow): string {
  if (node.kind === 'llm') return node.purpose === 'sub' ? 'sub-call' : 'turn';
  return node.kind === 'rlm' ? 'RLM' : 'cell';
}

/** The compared value of a node, or for a step present in one run only, its line in the tree. */
function valueOf(reader: Pick<RunReader, 'getPayload'>, nodes: readonly NodeRow[], runId: string, id: number, field: ComparedField): string | null {
  if (field === 'node') return nodes.find((n) => n.id === id)?.label ?? '';
  const payload: NodePayload | null = reader.getPayload(runId, id);
  const value = payload?.[field];
  return typeof value === 'string' ? value : null;
}

function cut(line: string): string {
  return line.length > LINE_CHARS ? `${line.slice(0, LINE_CHARS - 1)}…` : line;
}
