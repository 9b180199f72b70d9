// How runs look on the terminal and in `--json`.
import { usageUnknown, type NodePayload, type NodeRow } from '../../shared/domain/node';
import type { RunSummary } from '../../shared/domain/run';
import type { RunSignal } from '../../shared/domain/signals';
import { BIDI_CONTROL } from '../../shared/bidiControls';
import { formatCost, formatDuration, subtreeCost, usd } from '../../shared/format';

/**
 * Text for a person's terminal, with its control characters shown rather than obeyed. A run's
 * query, labels, outputs and errors come from models and from imported files, which anyone may
 * have written: an escape sequence in them (ESC [2J, or OSC 0/52 that sets the title or the
 * clipboard) reached the terminal raw through `runs` and `show`. C0 controls become their
 * pictures (␛ for ESC), DEL ␡, C1 controls U+FFFD; newlines and tabs stay, and CRLF becomes LF.
 * The bidirectional controls (embeddings, overrides, isolates and the marks, U+061C, U+200E-F,
 * U+202A-E, U+2066-9) become U+FFFD too: obeyed, they reorder what follows on the line, so a
 * label could show one thing and say another ("Trojan Source"). Right-to-left text itself stays.
 * Never for `--json` (JSON escapes them) or `--answer` (the answer exactly as stored).
 */
export function terminalSafe(text: string): string {
  return text
    .replace(/\r\n/g, '\n')
    // eslint-disable-next-line no-control-regex -- matching control characters is the point
    .replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, (c) => {
      const code = c.charCodeAt(0);
      return code < 0x20 ? String.fromCharCode(0x2400 + code) : code === 0x7f ? '\u2421' : '\ufffd';
    })
    .replace(BIDI_CONTROL, '\ufffd');
}

/** "1 call", "2 calls": the terminal says what a person would. */
export function counted(n: number, word: string): string {
  return `${n.toLocaleString('en-US')} ${word}${n === 1 ? '' : 's'}`;
}

/** The `--json` summary of a run: the fields other tools depend on (README, "Command line"). */
export function summaryJson(run: RunSummary) {
  return {
    runId: run.runId,
    status: run.status,
    // Previews (issue 9): the true lengths are beside them, and `show RUN --answer` prints an
    // answer whole.
    answer: run.answer,
    answerChars: run.answerChars ?? run.answer?.length ?? null,
    stopReason: run.stopReason,
    error: run.error,
    errorChars: run.errorChars ?? run.error?.length ?? null,
    costUsd: run.costUsd,
    inputTokens: run.inputTokens,
    outputTokens: run.outputTokens,
    modelCalls: run.modelCalls,
    iterations: run.iterations,
    maxDepthReached: run.maxDepthReached,
    durationMs: run.durationMs,
    // Imported runs (issue 11) say so, and name the file they came from.
    origin: run.origin ?? 'native',
    source: run.source ?? null,
    // A fork (issue 12) names the run it re-ran and the node it edited (null: other settings only);
    // its calls answered from that run's recording are counted apart from modelCalls (live calls).
    forkedFrom: run.forkedFrom ? { runId: run.forkedFrom.runId, nodeId: run.forkedFrom.nodeId } : null,
    cachedCalls: run.cachedCalls ?? 0,
    // The run-away signals that hold (issue 13): for an ended run, as it ended.
    signals: (run.signals ?? []).map(signalJson),
  };
}

/** A signal as `--json` prints it: these four fields and no more, whatever the summary carried. */
export function signalJson({ kind, nodeId, message, costUsd }: RunSignal): RunSignal {
  return { kind, nodeId, message, costUsd };
}

/** One line for a signal on the terminal: its message (one line, whatever it quotes) and the node it belongs on. */
export function signalLine(signal: RunSignal): string {
  const where = signal.nodeId === null ? '' : ` (node #${signal.nodeId})`;
  return `${signal.kind}: ${signal.message.replace(/\s*\n\s*/g, ' ')}${where}`;
}

/** `show`'s lines under the summary: each signal, or none when the run has none. */
export function signalLines(run: RunSummary): string[] {
  const signals = run.signals ?? [];
  return signals.length === 0 ? [] : [`${counted(signals.length, 'signal')}:`, ...signals.map((signal) => `  ${signalLine(signal)}`)];
}

/** `show`'s line for a fork: where it comes from, and what its parent's recording answered. */
export function forkLine(run: RunSummary): string | null {
  if (!run.forkedFrom) return null;
  const { runId, nodeId } = run.forkedFrom;
  const cached = run.cachedCalls ? ` (${counted(run.cachedCalls, 'call')} answered from its recording)` : '';
  return `forked from ${runId} ${nodeId === null ? 'with other settings' : `at node ${nodeId}`}${cached}`;
}

/**
 * `show`'s line for a run that deduplicated its sub-calls. A fork's cached calls are also its
 * recording's, counted on its fork line: only a run of its own counts them here.
 */
export function dedupeLine(run: RunSummary): string {
  const count = run.forkedFrom ? '' : `: ${counted(run.cachedCalls ?? 0, 'repeated sub-call')} answered by the first, with no request`;
  return `sub-calls deduplicated (--dedupe-subcalls)${count}`;
}

/**
 * A node of `show --json`: the index row with the payload fields that apply to it. The top-level
 * figures are the node's own (only a model call has any: an RLM or a cell costs nothing itself);
 * what it and everything under it used is under `subtree`. One name, one meaning: before, `costUsd`
 * was a call's own cost on `llm` nodes and the subtree's on `rlm` nodes (issue 8, §5).
 */
export function nodeJson(node: NodeRow, payload: NodePayload | null) {
  const isCall = node.kind === 'llm';
  const fields: Record<string, unknown> = {
    id: node.id,
    parentId: node.parentId,
    kind: node.kind,
    depth: node.depth,
    seq: node.seq,
    status: node.status,
    startedAt: node.startedAt,
    endedAt: node.endedAt,
    durationMs: node.endedAt !== null ? node.endedAt - node.startedAt : null,
    inputTokens: isCall ? (node.inputTokens ?? 0) : 0,
    outputTokens: isCall ? (node.outputTokens ?? 0) : 0,
    costUsd: isCall ? node.costUsd : 0,
    subtree: subtreeJson(node),
  };
  if (isCall) {
    Object.assign(fields, { model: node.model, purpose: node.purpose, text: payload?.text ?? null });
    if (node.usageEstimated) fields.usageEstimated = true;
    // A fork's call answered from its parent's recording: no request, no tokens, no cost.
    if (node.cached) fields.cached = true;
  }
  if (node.kind === 'rlm') Object.assign(fields, { model: node.model, query: payload?.query ?? null, answer: payload?.answer ?? null });
  // An imported cell's code is the reference library's Python; RLMScope's own cells are JavaScript.
  if (node.kind === 'cell') Object.assign(fields, { code: payload?.code ?? null, output: payload?.output ?? null, language: payload?.language ?? 'javascript' });
  if (node.kind === 'cell' && payload?.answer !== undefined) fields.answer = payload.answer;
  // The cell's host calls in order (the recording replay uses: answers held by nodes are node ids).
  if (node.kind === 'cell' && payload?.hostCalls !== undefined) fields.hostCalls = payload.hostCalls;
  if (payload?.error !== undefined) fields.error = payload.error;
  if (payload?.stopReason !== undefined) fields.stopReason = payload.stopReason;
  // The step a fork changed, and the parent's node it replaces.
  if (payload?.forkEdit !== undefined) fields.forkEdit = payload.forkEdit;
  // A sub-call answered by the identical one at that node (--dedupe-subcalls): cached, no request.
  if (payload?.dedupeOf !== undefined) fields.dedupeOf = payload.dedupeOf;
  return fields;
}

/** What a node and everything under it used; costUsd is null when some call had no known price. */
export function subtreeJson(node: NodeRow) {
  return { costUsd: subtreeCost(node), inputTokens: node.subtree.inputTokens, outputTokens: node.subtree.outputTokens, modelCalls: node.subtree.modelCalls };
}

export function runLine(run: RunSummary): string {
  const query = run.query.replace(/\s+/g, ' ');
  return [
    run.runId,
    run.status.padEnd(11),
    (run.costUsd !== null ? usd(run.costUsd) : 'unknown').padEnd(10),
    formatDuration(run.durationMs).padEnd(10),
    // Imported runs are tagged: their code is the reference library's Python, never re-executed.
    `${run.origin === 'imported' ? '[imported] ' : ''}${run.forkedFrom ? '[fork] ' : ''}${signalsTag(run)}${query.length > 60 ? `${query.slice(0, 59)}…` : query}`,
  ].join('  ');
}

/** `runs`' mark for a run with signals: how many (`show RUN` lists them). */
function signalsTag(run: RunSummary): string {
  const count = run.signals?.length ?? 0;
  return count > 0 ? `[${counted(count, 'signal')}] ` : '';
}

/** One line of the tree; `level` is the node's distance from the root (indentation capped). */
export function nodeLine(node: NodeRow, level: number): string {
  const indent = '  '.repeat(Math.min(level, 16));
  const tokens = usageUnknown(node) ? ` ${node.inputTokens ?? '?'}→${node.outputTokens ?? '?'} tok (unknown)` : node.inputTokens !== null ? ` ${node.inputTokens}→${node.outputTokens} tok` : '';
  const cost = node.kind === 'llm' && node.costUsd !== null ? ` ${usd(node.costUsd)}` : '';
  // No usage reported, or attempts given up on counted at the most they can have cost.
  const estimated = node.usageEstimated && tokens && !usageUnknown(node) ? ' (estimated)' : '';
  const model = node.model ? ` ${node.model}` : '';
  const took = node.endedAt !== null ? ` ${formatDuration(node.endedAt - node.startedAt)}` : '';
  // A child RLM's line carries what its whole subtree used: the figure a runaway shows up in.
  const total = node.kind === 'rlm' ? ` (subtree ${formatCost(subtreeCost(node), node.subtree.pricedCostUsd, node.subtree.unpricedCalls)}, ${counted(node.subtree.modelCalls, 'call')})` : '';
  const cached = node.cached ? ' [cached]' : '';
  return `${indent}#${node.id} ${node.kind}${node.purpose ? `:${node.purpose}` : ''} [${node.status}]${cached}${model}${tokens}${cost}${estimated}${total}${took}  ${node.label}`;
}

/** Past this, a cell's output is cut in the text view (`show --json` has it all). */
const SHOWN_CHARS = 2000;

/** The lines under a node in the text view: a cell's output, and any node's error. */
export function payloadLines(node: NodeRow, payload: NodePayload | null, level: number): string[] {
  const indent = `${'  '.repeat(Math.min(level, 16))}    `;
  const block = (label: string, text: string): string[] => {
    const cut = text.length > SHOWN_CHARS ? `${text.slice(0, SHOWN_CHARS)}\n… ${(text.length - SHOWN_CHARS).toLocaleString('en-US')} more characters (show --json has them all)` : text;
    const lines = cut.replace(/\n$/, '').split('\n');
    return [`${indent}${label}: ${lines[0] ?? ''}`, ...lines.slice(1).map((line) => `${indent}${' '.repeat(label.length + 2)}${line}`)];
  };
  const lines: string[] = [];
  if (node.kind === 'cell' && payload?.output) lines.push(...block('output', payload.output));
  if (payload?.error) lines.push(...block('error', payload.error));
  return lines;
}
