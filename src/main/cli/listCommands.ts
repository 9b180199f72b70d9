// `rlmscope runs` and `rlmscope show`: read the database through the store's read-only reader and
// write nothing (DESIGN §2), so they work on a file the user may only read and on a read-only
// mount. Marking the runs of dead processes `interrupted` is left to whatever opens the database
// for writing (a run, `serve`, the app); until then such a run is listed with the status it was
// left in.
import { LEGACY_PART_BYTES } from '../../shared/domain/run';
import { RlmError } from '../../shared/errors';
import { listRunsSchema } from '../../shared/api/runs';
import { preorder } from '../../shared/tree';
import { defaultDatabasePath } from '../paths';
import { openRunReader, type RunFileReader } from '../store/runReader';
import { formatCost, formatDuration, tokensUnknown } from '../../shared/format';
import { counted, dedupeLine, forkLine, nodeJson, nodeLine, payloadLines, runLine, signalLines, summaryJson, terminalSafe } from './format';
import type { CommandOutput } from './commandOutput';
import { capStrings, cutMarker, describeSize, SHOW_PREVIEW_CHARS, VALUE_PAGE_CHARS_MAX } from '../../shared/valuePreview';

/** The database of `--db`, or the default one, opened only to be read (see openRunReader). */
function openReader(db: string | undefined): RunFileReader {
  return openRunReader(db ?? defaultDatabasePath());
}

export async function runsCommand(options: { db?: string; json?: boolean; limit?: number }, out: CommandOutput): Promise<number> {
  const params = listRunsSchema.safeParse({ limit: options.limit ?? 200, offset: 0 });
  if (!params.success) throw new RlmError('INVALID_INPUT', `--limit: ${params.error.issues[0]?.message ?? 'invalid'}`);
  const reader = openReader(options.db);
  try {
    const runs = reader.listRuns(params.data);
    if (options.json) await out.stdout(`${JSON.stringify(runs.map(summaryJson))}\n`);
    else await out.stdout(runs.length ? terminalSafe(`${runs.map(runLine).join('\n')}\n`) : 'no runs yet\n');
    return 0;
  } finally {
    reader.close();
  }
}

export async function showCommand(runId: string, options: { db?: string; json?: boolean; answer?: boolean }, out: CommandOutput): Promise<number> {
  const reader = openReader(options.db);
  try {
    const run = reader.getRun(runId);
    if (!run) throw new RlmError('NOT_FOUND', `no run ${runId}`);
    if (options.answer) return await writeAnswer((offset) => reader.readValue(runId, 'answer', offset, VALUE_PAGE_CHARS_MAX), runId, out);
    const nodes = reader.getNodes(runId);
    // A payload value past SHOW_PREVIEW_CHARS is cut, with a marker saying how long it was.
    const payloadOf = (id: number) => capStrings(reader.getPayload(runId, id), SHOW_PREVIEW_CHARS, cutMarker);
    if (options.json) {
      const detail = {
        ...summaryJson(run),
        query: run.query,
        rootModel: run.rootModel,
        subModel: run.subModel,
        baseUrl: run.baseUrl,
        limits: run.limits,
        // Repeated sub-calls were answered from the first answer (their nodes: cached, dedupeOf).
        dedupeSubcalls: run.dedupeSubcalls ?? false,
        // The bytes per part of an input too large for one string (a replay or fork splits it the same).
        partBytes: run.partBytes ?? LEGACY_PART_BYTES,
        createdAt: run.createdAt,
        // Whether replay and fork can re-execute it exactly (DESIGN §11), and why not in one line.
        recording: run.recording ?? 0,
        replayable: run.replayable ?? false,
        replayableWhy: run.replayableWhy ?? null,
      };
      // Streamed node by node: the whole document can be longer than one JavaScript string may
      // be (issue 9: it was built as one string, and show --json exited 2 on a 200 MiB answer).
      await out.stdout(`{"run":${JSON.stringify(detail)},"nodes":[`);
      for (const [i, node] of nodes.entries()) await out.stdout(`${i === 0 ? '' : ','}${JSON.stringify(nodeJson(node, payloadOf(node.id)))}`);
      await out.stdout(']}\n');
      return 0;
    }
    const fork = forkLine(run);
    const header = [
      `run ${run.runId}  ${run.status}${run.stopReason ? ` (${run.stopReason})` : ''}`,
      ...(run.origin === 'imported' ? [`imported from ${run.source ?? 'a file'} (never re-executed)`] : []),
      ...(fork ? [fork] : []),
      ...(run.dedupeSubcalls ? [dedupeLine(run)] : []),
      ...(run.origin !== 'imported' && run.replayable === false ? [`cannot be replayed exactly: ${run.replayableWhy ?? 'its recording is incomplete'}`] : []),
      `query: ${run.query}`,
      `models: ${run.rootModel} (root), ${run.subModel} (sub)`,
      `${counted(run.modelCalls, 'call')} · ${counted(run.iterations, 'turn')} · depth ${run.maxDepthReached} · ${tokensUnknown(run) ? 'tokens unknown' : `${(run.inputTokens + run.outputTokens).toLocaleString('en-US')} tokens`} · ${formatCost(run.costUsd, run.pricedCostUsd, run.unpricedCalls)} · ${formatDuration(run.durationMs)}`,
      ...(run.error ? [`error: ${run.error}`] : []),
      `answer: ${run.answer ?? '—'}${cutNote(run.answer, run.answerChars, runId)}`,
      ...signalLines(run),
      '',
    ];
    const lines = preorder(nodes).flatMap(({ node, level }) => [
      nodeLine(node, level),
      // Only cells have output; any node may have an error (a failed call, a stopped RLM).
      ...payloadLines(node, node.kind === 'cell' || node.status !== 'completed' ? payloadOf(node.id) : null, level),
    ]);
    await out.stdout(terminalSafe(`${[...header, ...lines].join('\n')}\n`));
    return 0;
  } finally {
    reader.close();
  }
}

/** After a cut answer: how long it is, and the command that prints it whole. */
function cutNote(shown: string | null, chars: number | null | undefined, runId: string): string {
  if (shown === null || chars === null || chars === undefined || chars <= shown.length) return '';
  return `\n… [cut here: the answer is ${chars.toLocaleString('en-US')} characters (${describeSize(chars)}); \`rlmscope show ${runId} --answer > answer.txt\` writes it whole]`;
}

/** One page of a run's answer, or null when the run has none. */
export type AnswerPages = (offset: number) => Promise<{ text: string; totalChars: number } | null> | { text: string; totalChars: number } | null;

/**
 * `show RUN --answer`, and `run` with an answer longer than its preview: the whole answer,
 * exactly as stored, page by page — however long it is, no single string holds more than a page.
 */
export async function writeAnswer(readPage: AnswerPages, runId: string, out: CommandOutput): Promise<number> {
  let offset = 0;
  for (;;) {
    const page = await readPage(offset);
    if (!page) {
      if (offset > 0) throw new RlmError('NOT_FOUND', `run ${runId} has no answer`);
      out.stderr(`rlmscope: run ${runId} has no answer`);
      return 1;
    }
    await out.stdout(page.text);
    offset += VALUE_PAGE_CHARS_MAX;
    if (page.text.length === 0 || offset >= page.totalChars) return 0;
  }
}
