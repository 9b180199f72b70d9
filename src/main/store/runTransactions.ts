// The write transactions of the run store: each is one synchronous SQLite transaction, so a step
// the engine was told is stored survives a kill (DESIGN §5).
import type Database from 'better-sqlite3';
import { emptySubtree, type NodeRow, type SubtreeTotals } from '../../shared/domain/node';
import type { InputDescription } from '../../shared/domain/run';
import { SHOW_PREVIEW_CHARS } from '../../shared/valuePreview';
import { toNodeRow, type NodeTuple } from './nodeTuple';
import { runSettingsJson } from './runRows';
import type { RunStatements, UsageColumns } from './runStatements';
import type { CallUsage, NodePatch, RunEnd, WholeRun } from './runWrites';
import { missingNode } from './storeErrors';

/** A model call that came back, for finishCalls: its usage, its end and its payload (serialised). */
export interface FinishedCall {
  id: number;
  usage: CallUsage;
  patch: NodePatch;
  body: string;
}

/** A node's own usage as the statements that set it take it (setUsage, setCallUsage). */
function usageColumns(runId: string, id: number, usage: CallUsage): UsageColumns {
  const { inputTokens, outputTokens, cachedTokens, costUsd } = usage;
  return { runId, id, inputTokens, outputTokens, cachedTokens, costUsd, estimated: usage.estimated ? 1 : 0 };
}

export function prepareTransactions(db: Database.Database, s: RunStatements) {
  const useDocuments = (runId: string, hashes: readonly string[]) => {
    for (const hash of hashes) s.insertRunDocument.run({ runId, hash });
  };
  const updateNode = db.transaction((runId: string, id: number, patch: NodePatch, body: string | null, documents: readonly string[]): NodeTuple => {
    const row = s.updateNode.get({
      runId,
      id,
      status: patch.status ?? null,
      setEndedAt: patch.endedAt === undefined ? 0 : 1,
      endedAt: patch.endedAt ?? null,
      label: patch.label ?? null,
      setModel: patch.model === undefined ? 0 : 1,
      model: patch.model ?? null,
    });
    if (!row) throw missingNode(runId, id);
    if (body !== null) s.putPayload.run({ runId, nodeId: id, body });
    useDocuments(runId, documents);
    return row;
  });

  const recordUsage = db.transaction((runId: string, id: number, usage: CallUsage): NodeTuple[] => {
    const set = s.setUsage.run(usageColumns(runId, id, usage));
    if (set.changes === 0) throw missingNode(runId, id);
    const added = {
      runId,
      priced: usage.costUsd ?? 0,
      unpriced: usage.costUsd === null ? 1 : 0,
      inputTokens: usage.inputTokens,
      outputTokens: usage.outputTokens,
    };
    const rows = s.rollUp.all({ ...added, id, calls: 1 });
    s.addRunUsage.run({ ...added, cachedTokens: usage.cachedTokens, calls: 1 });
    return rows;
  });

  /**
   * Many model calls that came back, as finishCall each, with their usage rolled up once per
   * parent and once into the run: a batch's replies share a cell, so its ancestors are written
   * once per burst instead of once per call (engine/commitBurst.ts).
   */
  const finishCalls = db.transaction((runId: string, calls: readonly FinishedCall[]): { nodes: NodeTuple[]; ancestors: NodeTuple[] } => {
    const nodes: NodeTuple[] = [];
    const parents = new Map<number, { priced: number; unpriced: number; inputTokens: number; outputTokens: number; calls: number }>();
    const run = { runId, priced: 0, unpriced: 0, inputTokens: 0, outputTokens: 0, cachedTokens: 0, calls: 0 };
    for (const { id, usage, patch, body } of calls) {
      const priced = usage.costUsd ?? 0;
      const unpriced = usage.costUsd === null ? 1 : 0;
      const set = s.setCallUsage.run({ ...usageColumns(runId, id, usage), priced, unpriced });
      if (set.changes === 0) throw missingNode(runId, id);
      const row = updateNode(runId, id, patch, body, []);
      nodes.push(row);
      const parentId = toNodeRow(row).parentId;
      if (parentId !== null) {
        const sum = parents.get(parentId) ?? { priced: 0, unpriced: 0, inputTokens: 0, outputTokens: 0, calls: 0 };
        sum.priced += priced;
        sum.unpriced += unpriced;
        sum.inputTokens += usage.inputTokens;
        sum.outputTokens += usage.outputTokens;
        sum.calls++;
        parents.set(parentId, sum);
      }
      run.priced += priced;
      run.unpriced += unpriced;
      run.inputTokens += usage.inputTokens;
      run.outputTokens += usage.outputTokens;
      run.cachedTokens += usage.cachedTokens;
      run.calls++;
    }
    const ancestors = new Map<number, NodeTuple>();
    for (const [parentId, sum] of parents) {
      for (const row of s.rollUp.all({ runId, id: parentId, ...sum })) ancestors.set(toNodeRow(row).id, row);
    }
    if (run.calls > 0) s.addRunUsage.run(run);
    return { nodes, ancestors: [...ancestors.values()] };
  });

  return {
    addInput: db.transaction((runId: string, ord: number, input: InputDescription) => {
      s.insertInput.run({ runId, ord, name: input.name, hash: input.hash, bytes: input.bytes });
      useDocuments(runId, [input.hash]);
    }),

    addNode: db.transaction((runId: string, node: NodeRow, body: string, documents: readonly string[]) => {
      s.insertNode.run({
        runId,
        id: node.id,
        parentId: node.parentId,
        kind: node.kind,
        depth: node.depth,
        seq: node.seq,
        status: node.status,
        startedAt: node.startedAt,
        label: node.label,
        model: node.model,
        purpose: node.purpose,
        cached: node.cached === true ? 1 : 0,
      });
      s.putPayload.run({ runId, nodeId: node.id, body });
      useDocuments(runId, documents);
    }),

    updateNode,

    recordUsage,

    finishCalls,

    /** Ends the run, and with it any node of it still `running` (see RunRepository.endLeftoverNodes). */
    finishRun: db.transaction((runId: string, end: RunEnd) => {
      const row = s.finishRun.get({ runId, ...end, signals: end.signals ? JSON.stringify(end.signals) : null, preview: SHOW_PREVIEW_CHARS });
      if (row) s.endLeftoverNodes.run({ runId });
      return row;
    }),

    /** A finished model call is one commit: its usage rolled up the tree, and its node ended. */
    finishCall: db.transaction((runId: string, id: number, usage: CallUsage, patch: NodePatch, body: string) => ({
      rolled: recordUsage(runId, id, usage),
      node: updateNode(runId, id, patch, body, []),
    })),

    /**
     * A whole run in one transaction: the run row with its totals, every node with its subtree
     * totals and its payload (`bodies`, serialised beforehand, by position), its inputs and the
     * documents its nodes name. All or nothing.
     */
    insertWholeRun: db.transaction((run: WholeRun, subtrees: ReadonlyMap<number, SubtreeTotals>, bodies: readonly string[], cachedTokens: number) => {
      const rootIds = run.nodes.filter((n) => n.parentId === null).map((n) => n.id);
      const total = emptySubtree();
      for (const id of rootIds) {
        const sub = subtrees.get(id) ?? emptySubtree();
        total.pricedCostUsd += sub.pricedCostUsd;
        total.unpricedCalls += sub.unpricedCalls;
        total.inputTokens += sub.inputTokens;
        total.outputTokens += sub.outputTokens;
        total.modelCalls += sub.modelCalls;
      }
      s.insertWholeRun.run({
        id: run.runId,
        createdAt: run.createdAt,
        endedAt: run.endedAt,
        status: run.status,
        query: run.query,
        rootModel: run.rootModel,
        subModel: run.subModel,
        baseUrl: run.baseUrl,
        limitsJson: runSettingsJson(run.limits, run.dedupeSubcalls),
        answer: run.answer,
        stopReason: run.stopReason,
        error: run.error,
        seed: run.seed,
        pricedCostUsd: total.pricedCostUsd,
        unpricedCalls: total.unpricedCalls,
        inputTokens: total.inputTokens,
        outputTokens: total.outputTokens,
        cachedTokens,
        modelCalls: total.modelCalls,
        iterations: run.iterations,
        maxDepthReached: run.maxDepthReached,
        origin: run.origin,
        source: run.source,
        recording: run.recording ?? 0,
        forkedFromRun: run.forkedFrom?.runId ?? null,
        forkedFromNode: run.forkedFrom?.nodeId ?? null,
        signals: run.signals ? JSON.stringify(run.signals) : null,
        cachedCalls: run.cachedCalls ?? 0,
      });
      (run.inputs ?? []).forEach((input, ord) => {
        s.insertInput.run({ runId: run.runId, ord, name: input.name, hash: input.hash, bytes: input.bytes });
        useDocuments(run.runId, [input.hash]);
      });
      run.nodes.forEach((node, i) => {
        const sub = subtrees.get(node.id) ?? emptySubtree();
        s.insertWholeNode.run({
          runId: run.runId,
          id: node.id,
          parentId: node.parentId,
          kind: node.kind,
          depth: node.depth,
          seq: node.seq,
          status: node.status,
          startedAt: node.startedAt,
          endedAt: node.endedAt,
          label: node.label,
          model: node.model,
          purpose: node.purpose,
          inputTokens: node.inputTokens,
          outputTokens: node.outputTokens,
          cachedTokens: node.cachedTokens,
          costUsd: node.costUsd,
          estimated: node.usageEstimated ? 1 : 0,
          subPriced: sub.pricedCostUsd,
          subUnpriced: sub.unpricedCalls,
          subInput: sub.inputTokens,
          subOutput: sub.outputTokens,
          subCalls: sub.modelCalls,
          cached: node.cached === true ? 1 : 0,
        });
        s.putPayload.run({ runId: run.runId, nodeId: node.id, body: bodies[i] as string });
        useDocuments(run.runId, node.payload.documents ?? []);
      });
    }),

    interrupt: db.transaction((runId: string, now: number): boolean => {
      const run = s.interruptRun.get({ runId, now });
      if (!run) return false; // finished since we looked
      s.interruptNodes.run({ runId, endedAt: run.ended_at });
      return true;
    }),
  };
}
