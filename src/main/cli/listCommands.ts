// `rlmscope runs` and `rlmscope show`: read the database, never write to a run.
import { preorder } from '../../shared/tree';
import { PriceTable } from '../model/prices';
import { defaultDatabasePath } from '../paths';
import { createForkLauncher } from '../sandbox/forkLauncher';
import { RlmService } from '../service/rlmService';
import { formatCost, formatDuration } from '../../shared/format';
import { counted, nodeJson, nodeLine, payloadLines, runLine, summaryJson } from './format';
import type { CommandOutput } from './runCommand';

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

export async function showCommand(runId: string, options: { db?: string; json?: boolean }, out: CommandOutput): Promise<number> {
  const service = openService(options.db);
  try {
    const run = await service.call('runs.get', { runId });
    const nodes = await service.call('runs.nodes', { runId });
    if (options.json) {
      const withPayloads = nodes.map((node) => nodeJson(node, service.store.getPayload(runId, node.id)));
      const detail = { ...summaryJson(run), query: run.query, rootModel: run.rootModel, subModel: run.subModel, baseUrl: run.baseUrl, limits: run.limits, createdAt: run.createdAt };
      await out.stdout(`${JSON.stringify({ run: detail, nodes: withPayloads })}\n`);
      return 0;
    }
    const header = [
      `run ${run.runId}  ${run.status}${run.stopReason ? ` (${run.stopReason})` : ''}`,
      `query: ${run.query}`,
      `models: ${run.rootModel} (root), ${run.subModel} (sub)`,
      `${counted(run.modelCalls, 'call')} · ${counted(run.iterations, 'turn')} · depth ${run.maxDepthReached} · ${(run.inputTokens + run.outputTokens).toLocaleString('en-US')} tokens · ${formatCost(run.costUsd, run.pricedCostUsd, run.unpricedCalls)} · ${formatDuration(run.durationMs)}`,
      ...(run.error ? [`error: ${run.error}`] : []),
      `answer: ${run.answer ?? '—'}`,
      '',
    ];
    const lines = preorder(nodes).flatMap(({ node, level }) => [
      nodeLine(node, level),
      // Only cells have output; any node may have an error (a failed call, a stopped RLM).
      ...payloadLines(node, node.kind === 'cell' || node.status !== 'completed' ? service.store.getPayload(runId, node.id) : null, level),
    ]);
    await out.stdout(`${[...header, ...lines].join('\n')}\n`);
    return 0;
  } finally {
    await service.close();
  }
}
