// Writing a run in the reference library's own JSONL log format (DESIGN §9), so its visualizer
// and scripts read RLMScope's runs: a metadata record, then one iteration record per turn of the
// root RLM, children nested in their cell's `rlm_calls`. No `run_context` record: that type is a
// modified library's, and the library's visualizer reads every line but the metadata as an
// iteration. One record is built at a time; a child RLM is built whole inside its parent's record.
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { NodeRow } from '../../../shared/domain/node';
import { RlmError } from '../../../shared/errors';
import type { RunSource } from '../exportSource';
import { iterationRecords, runMetadata, type RunTree } from './iterations';
import { logTimestamp } from './logTime';

/** Writes run `runId` of `source` to `out` as an `rlms` JSONL log and ends `out`. */
export async function writeRlmsLog(source: RunSource, runId: string, out: NodeJS.WritableStream): Promise<void> {
  if (!source.runs.getRun(runId)) throw new RlmError('NOT_FOUND', `run ${runId} not found`);
  await pipeline(Readable.from(records(source, runId)), out);
}

function* records(source: RunSource, runId: string): Generator<string> {
  const run = source.runs.getRun(runId);
  if (!run) throw new RlmError('NOT_FOUND', `run ${runId} not found`);
  const settings = { maxDepth: run.limits.maxDepth, maxIterations: run.limits.maxIterations };
  yield line({ type: 'metadata', timestamp: logTimestamp(run.createdAt), ...runMetadata(run.rootModel, settings) });

  const nodes = source.runs.getNodes(runId);
  const children = new Map<number | null, NodeRow[]>();
  for (const node of nodes) {
    const siblings = children.get(node.parentId);
    if (siblings) siblings.push(node);
    else children.set(node.parentId, [node]);
  }
  for (const siblings of children.values()) siblings.sort((a, b) => a.seq - b.seq || a.id - b.id);
  const root = children.get(null)?.[0];
  if (!root) return;
  const tree: RunTree = {
    children: (id) => children.get(id) ?? [],
    payload: (id) => source.runs.getPayload(runId, id),
    answer(node) {
      if (node.id !== root.id) return source.runs.getPayload(runId, node.id)?.answer ?? null;
      // The root's answer whole, from the run: its payload may hold it cut (runRows.payloadBody).
      const chars = source.runs.readValue(runId, 'answer', 0, 0)?.totalChars ?? null;
      return chars === null ? null : (source.runs.readValue(runId, 'answer', 0, chars)?.text ?? null);
    },
  };
  for (const record of iterationRecords(tree, root, settings)) yield line(record);
}

function line(record: object): string {
  return `${JSON.stringify(record)}\n`;
}
