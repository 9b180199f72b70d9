// `rlmscope replay RUN_ID`: every cell of a run re-executed from its recording, no model asked
// (DESIGN §11, debugger/replay.ts). Reads the database only, like `show` and `diff`, and writes
// nothing to it. Exit 0 when every cell is reproduced, 1 when one diverged, 2 for errors
// (index.ts): the convention of `diff`.
import type { NodeRow } from '../../shared/domain/node';
import { replayRun, type ReplayResult } from '../debugger/replay';
import { defaultDatabasePath } from '../paths';
import { createForkLauncher } from '../sandbox/host/forkLauncher';
import { openRunReader } from '../store/runReader';
import type { CommandOutput } from './commandOutput';
import { terminalSafe } from './format';
import { firstDifferingLine, lineAt } from './lineDiff';

/** A value's differing line is shown up to this many characters. */
const LINE_CHARS = 160;

export async function replayCommand(runId: string, options: { db?: string; json?: boolean }, out: CommandOutput): Promise<number> {
  const reader = openRunReader(options.db ?? defaultDatabasePath());
  const stop = new AbortController();
  // Ctrl-C ends the replay's sandboxes before the process goes (their orphan guard would too, later).
  const interrupt = () => stop.abort(new Error('the replay was interrupted'));
  process.once('SIGINT', interrupt);
  try {
    const result = await replayRun(reader, runId, { launcher: createForkLauncher(), signal: stop.signal });
    if (options.json) await out.stdout(`${JSON.stringify(result)}\n`);
    // Model code's output, shown as text: its control characters are shown, never obeyed.
    else await out.stdout(terminalSafe(`${summaryLines(result, reader.getNodes(runId)).join('\n')}\n`));
    return result.diverged.length === 0 ? 0 : 1;
  } finally {
    process.off('SIGINT', interrupt);
    reader.close();
  }
}

function summaryLines(result: ReplayResult, nodes: readonly NodeRow[]): string[] {
  const { runId, cells, reproduced, diverged } = result;
  const lines = [
    diverged.length === 0
      ? `run ${runId} replayed exactly: ${count(cells)} of ${count(cells)} cells reproduced, no model calls`
      : `run ${runId} diverged: ${count(reproduced)} of ${count(cells)} cells reproduced, ${count(diverged.length)} diverged, no model calls`,
  ];
  for (const { nodeId, expected, actual } of diverged) {
    const line = firstDifferingLine(expected, actual);
    lines.push(`${cellName(nodes, nodeId)}${line > 0 ? `, line ${line + 1}` : ''}:`);
    lines.push(`  expected: ${shown(lineAt(expected, line))}`);
    lines.push(`  actual:   ${shown(lineAt(actual, line))}`);
  }
  return lines;
}

/** "cell #19 (cell 3 of RLM #1)". */
function cellName(nodes: readonly NodeRow[], id: number): string {
  const node = nodes.find((n) => n.id === id);
  if (!node) return `cell #${id}`;
  const index = nodes.filter((n) => n.parentId === node.parentId && n.kind === 'cell' && n.seq <= node.seq).length;
  return `cell #${id} (cell ${index} of RLM #${node.parentId ?? '?'})`;
}

const count = (n: number) => n.toLocaleString('en-US');

/** A line as JSON shows it (quotes, escapes: an empty line or trailing spaces stay visible), cut to size. */
function shown(line: string): string {
  const cut = line.length > LINE_CHARS ? `${line.slice(0, LINE_CHARS - 1)}…` : line;
  return JSON.stringify(cut);
}
