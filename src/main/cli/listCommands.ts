// `rlmscope runs` and `rlmscope show`: read the database, never write to a run.
import { preorder } from '../../shared/tree';
import { PriceTable } from '../model/prices';
import { defaultDatabasePath } from '../paths';
import { createForkLauncher } from '../sandbox/forkLauncher';
import { RlmService } from '../service/rlmService';
import { formatCost, formatDuration } from '../../shared/format';
import { nodeJson, nodeLine, payloadLines, runLine, summaryJson } from './format';
import type { CommandOutput } from './runCommand';
import { capStrings, cutMarker, describeSize, SHOW_PREVIEW_CHARS, VALUE_PAGE_CHARS_MAX } from '../../shared/valuePreview';

function openService(db: string | undefined): RlmService {
  return RlmService.open({
    dbPath: db ?? defaultDatabasePath(),
    baseUrl: 'http://127.0.0.1/unused',
    rootModel: 'unused',
    subModel: 'unused',
    prices: PriceTable.withDefaults(),
    launcher: createForkLauncher(),
  });
}

export async function runsCommand(options: { db?: string; json?: boolean; limit?: number }, out: CommandOutput): Promise<number> {
  const service = openService(options.db);
  try {
    const runs = await service.call('runs.list', { limit: options.limit ?? 200, offset: 0 });
    if (options.json) await out.stdout(`${JSON.stringify(runs.map(summaryJson))}\n`);
    else await out.stdout(runs.length ? `${runs.map(runLine).join('\n')}\n` : 'no runs yet\n');
    return 0;
  } finally {
    await service.close();
  }
}

export async function showCommand(runId: string, options: { db?: string; json?: boolean; answer?: boolean }, out: CommandOutput): Promise<number> {
  const service = openService(options.db);
  try {
    if (options.answer) return await writeAnswer(service, runId, out);
    const run = await service.call('runs.get', { runId });
    const nodes = await service.call('runs.nodes', { runId });
    // A payload value past SHOW_PREVIEW_CHARS is cut, with a marker saying how long it was.
    const payloadOf = (id: number) => capStrings(service.store.getPayload(runId, id), SHOW_PREVIEW_CHARS, cutMarker);
    if (options.json) {
      const detail = { ...summaryJson(run), query: run.query, rootModel: run.rootModel, subModel: run.subModel, baseUrl: run.baseUrl, limits: run.limits, createdAt: run.createdAt };
      // Streamed node by node: the whole document can be longer than one JavaScript string may
      // be (issue 9: it was built as one string, and show --json exited 2 on a 200 MiB answer).
      await out.stdout(`{"run":${JSON.stringify(detail)},"nodes":[`);
      for (const [i, node] of nodes.entries()) await out.stdout(`${i === 0 ? '' : ','}${JSON.stringify(nodeJson(node, payloadOf(node.id)))}`);
      await out.stdout(']}\n');
      return 0;
    }
    const header = [
      `run ${run.runId}  ${run.status}${run.stopReason ? ` (${run.stopReason})` : ''}`,
      `query: ${run.query}`,
      `models: ${run.rootModel} (root), ${run.subModel} (sub)`,
      `${run.modelCalls} calls · ${run.iterations} turns · depth ${run.maxDepthReached} · ${(run.inputTokens + run.outputTokens).toLocaleString('en-US')} tokens · ${formatCost(run.costUsd, run.pricedCostUsd, run.unpricedCalls)} · ${formatDuration(run.durationMs)}`,
      ...(run.error ? [`error: ${run.error}`] : []),
      `answer: ${run.answer ?? '—'}${cutNote(run.answer, run.answerChars, runId)}`,
      '',
    ];
    const lines = preorder(nodes).flatMap(({ node, level }) => [
      nodeLine(node, level),
      // Only cells have output; any node may have an error (a failed call, a stopped RLM).
      ...payloadLines(node, node.kind === 'cell' || node.status !== 'completed' ? payloadOf(node.id) : null, level),
    ]);
    await out.stdout(`${[...header, ...lines].join('\n')}\n`);
    return 0;
  } finally {
    await service.close();
  }
}

/** After a cut answer: how long it is, and the command that prints it whole. */
function cutNote(shown: string | null, chars: number | null | undefined, runId: string): string {
  if (shown === null || chars === null || chars === undefined || chars <= shown.length) return '';
  return `\n… [cut here: the answer is ${chars.toLocaleString('en-US')} characters (${describeSize(chars)}); \`rlmscope show ${runId} --answer > answer.txt\` writes it whole]`;
}

/**
 * `show RUN --answer`: the whole answer, exactly as stored, page by page — however long it is,
 * no single string holds more than a page of it.
 */
export async function writeAnswer(service: RlmService, runId: string, out: CommandOutput): Promise<number> {
  await service.call('runs.get', { runId });
  let offset = 0;
  for (;;) {
    let page;
    try {
      page = await service.call('runs.readValue', { runId, field: 'answer', offset });
    } catch (error) {
      if ((error as { code?: unknown }).code !== 'NOT_FOUND' || offset > 0) throw error;
      out.stderr(`rlmscope: run ${runId} has no answer\n`);
      return 1;
    }
    await out.stdout(page.text);
    offset += VALUE_PAGE_CHARS_MAX;
    if (page.text.length === 0 || offset >= page.totalChars) return 0;
  }
}
