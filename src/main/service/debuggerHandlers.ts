// The `debugger` slice (src/shared/api/debugger.ts): two runs compared (debugger/runDiff.ts),
// with one line per aligned pair for the page to draw; a run replayed from its recording
// (debugger/replay.ts), with progress pushed to the run's subscribers.
import type { MethodResult, ParsedParams } from '../../shared/api';
import type { ComparisonStep, debuggerMethods } from '../../shared/api/debugger';
import type { NodeRow } from '../../shared/domain/node';
import { RlmError } from '../../shared/errors';
import { preorder } from '../../shared/tree';
import { replayRun, replayableRun } from '../debugger/replay';
import { diffRuns } from '../debugger/runDiff';
import type { SandboxLauncher } from '../sandbox/host/launcher';
import type { DocumentRanges } from '../store/documentRanges';
import type { RunReader } from '../store/runReader';
import type { EventBus } from './eventBus';
import type { Handlers } from './handlers';

/** What a replay needs besides the store: the documents it reads contexts from, sandboxes, and the bus for progress. */
export interface ReplayDeps {
  documents: Pick<DocumentRanges, 'sizeFor' | 'chunk'>;
  launcher: SandboxLauncher;
  bus: Pick<EventBus, 'emit'>;
}

/** Starts a fork as a new run (ActiveRuns.fork): the service's runs, not this slice's, run it. */
export type StartFork = (params: ParsedParams<'runs.fork'>) => Promise<MethodResult<'runs.fork'>>;

export function debuggerHandlers(store: RunReader, replay?: ReplayDeps, fork?: StartFork): Handlers<keyof typeof debuggerMethods> {
  // One replay per run at a time: a second would only double the sandboxes for the same answer.
  const replaying = new Set<string>();
  return {
    'runs.replay': async ({ runId }, signal) => {
      if (!replay) throw new RlmError('INTERNAL', 'this service cannot replay runs');
      replayableRun(store, runId);
      if (replaying.has(runId)) throw new RlmError('RUN_ACTIVE', `run ${runId} is being replayed already`);
      replaying.add(runId);
      const stop = new AbortController();
      const cancel = () => stop.abort(new RlmError('INVALID_INPUT', 'the replay was cancelled'));
      if (signal?.aborted) cancel();
      signal?.addEventListener('abort', cancel);
      try {
        const source = {
          getRun: (id: string) => store.getRun(id),
          getNodes: (id: string) => store.getNodes(id),
          getPayload: (id: string, nodeId: number) => store.getPayload(id, nodeId),
          documents: () => replay.documents,
        };
        return await replayRun(source, runId, {
          launcher: replay.launcher,
          signal: stop.signal,
          onProgress: ({ done, total }) => replay.bus.emit({ type: 'run.replayProgressed', runId, done, total }),
        });
      } finally {
        signal?.removeEventListener('abort', cancel);
        replaying.delete(runId);
      }
    },
    'runs.fork': async (params) => {
      if (!fork) throw new RlmError('INTERNAL', 'this service cannot start runs');
      return fork(params);
    },
    'runs.compare': async ({ a, b }) => {
      const { comparison, runs, nodes } = diffRuns(store, a, b);
      const rows = { a: placed(nodes.a), b: placed(nodes.b) };
      // Where each node's pair is, to point a step at its parent's.
      const indexOf = { a: new Map<number, number>(), b: new Map<number, number>() };
      comparison.pairs.forEach((pair, i) => {
        if (pair.a !== null) indexOf.a.set(pair.a, i);
        if (pair.b !== null) indexOf.b.set(pair.b, i);
      });
      const steps = comparison.pairs.map((pair): ComparisonStep => {
        const x = pair.a !== null ? rows.a.get(pair.a) : undefined;
        const y = pair.b !== null ? rows.b.get(pair.b) : undefined;
        const row = x ?? y;
        if (!row) return { kind: 'rlm', purpose: null, level: 0, ordinal: 1, parent: null, labels: { a: null, b: null } };
        const parentId = row.node.parentId;
        const parent = parentId === null ? null : (indexOf[x ? 'a' : 'b'].get(parentId) ?? null);
        return { kind: row.node.kind, purpose: row.node.purpose, level: row.level, ordinal: row.ordinal, parent, labels: { a: x?.node.label ?? null, b: y?.node.label ?? null } };
      });
      return { comparison, runs, steps };
    },
  };
}

interface Placed {
  node: NodeRow;
  level: number;
  ordinal: number;
}

/** Each node with its level and its position among its parent's children of its kind, in one pass. */
function placed(nodes: NodeRow[]): Map<number, Placed> {
  const out = new Map<number, Placed>();
  const seen = new Map<string, number>();
  // Preorder visits each parent's children in order, so a running count per parent and kind is the ordinal.
  for (const { node, level } of preorder(nodes)) {
    const key = `${node.parentId ?? ''}:${node.kind}:${node.kind === 'llm' && node.purpose === 'sub' ? 'sub' : ''}`;
    const ordinal = (seen.get(key) ?? 0) + 1;
    seen.set(key, ordinal);
    out.set(node.id, { node, level, ordinal });
  }
  return out;
}
