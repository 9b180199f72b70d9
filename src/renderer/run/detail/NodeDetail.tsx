// The selected node: its summary from the tree row at once, then its payload (fetched when
// selected) laid out for its kind.
import { useMemo, useState } from 'react';
import type { NodeKind, NodePayload } from '../../../shared/domain/node';
import type { CodeEditorHost } from '../codeEditor';
import { stepsOf } from '../runModel';
import type { RunRepository } from '../runStore';
import { useRunState } from '../useRunState';
import { isActive } from '../runModel';
import { BranchActions } from './BranchActions';
import { CellDetail } from './CellDetail';
import { LlmDetail } from './LlmDetail';
import { NodeSignals } from './NodeSignals';
import { NodeSummary } from './NodeSummary';
import { RlmDetail } from './RlmDetail';
import { useNodePayload } from './useNodePayload';
import { ForkButton } from '../fork/ForkButton';
import { ForkEditor } from '../fork/ForkEditor';
import { forkEditKind, forkOffer } from '../fork/forkRules';
import './detail.css';

export function NodeDetail({ store, editor }: { store: RunRepository; editor: CodeEditorHost }) {
  const selectedId = useRunState(store, (s) => s.selectedId);
  const recorded = useRunState(store, (s) => (selectedId === null ? null : (s.model?.tree.nodes.get(selectedId) ?? null)));
  const recordedStatus = useRunState(store, (s) => s.run?.status ?? null);
  const model = useRunState(store, (s) => s.model);
  const step = useRunState(store, (s) => s.step);
  const divergence = useRunState(store, (s) => (s.replay.phase === 'done' && selectedId !== null ? (s.replay.diverged.get(selectedId) ?? null) : null));
  useRunState(store, (s) => s.treeVersion);
  // At an earlier step (time travel): the node as it stood then, and nothing it had not yet produced.
  const steps = step !== null && model ? stepsOf(model) : null;
  const node = steps && step !== null && recorded ? steps.nodeAt(recorded.id, step) : recorded;
  const runStatus = steps ? 'running' : recordedStatus;
  const fetched = useNodePayload(store, recorded?.id ?? null);
  const { loading, refreshing, error } = fetched;
  const payload = fetched.payload && node && recorded && node.status === 'running' && recorded.status !== 'running' ? unfinished(fetched.payload) : fetched.payload;
  const fork = useFork(store, recorded?.id ?? null, recorded?.kind ?? null, fetched.payload);
  return (
    <section className="node-detail" role="region" aria-label="Node detail" aria-busy={loading || refreshing}>
      {recorded !== null && node === null ? (
        <p className="run-muted node-detail-empty">Node #{recorded.id} had not started at step {step}: move the Step slider on to see it.</p>
      ) : node === null ? (
        <p className="run-muted node-detail-empty">Select a node in the tree to see what it did.</p>
      ) : (
        <>
          <NodeSummary node={node} runStatus={runStatus} edit={fetched.payload?.forkEdit} dedupeOf={fetched.payload?.dedupeOf} payloadRead={fetched.payload != null} />
          <NodeSignals store={store} nodeId={node.id} />
          {error && (
            <p className="node-error" role="alert">
              Could not load this node: {error}
            </p>
          )}
          {recorded?.kind === 'rlm' && (
            // Keyed by node: a result line belongs to the RLM it was about. Never at an earlier step (time travel).
            <BranchActions key={recorded.id} api={store.api} runId={store.runId} nodeId={recorded.id} isRoot={recorded.parentId === null} live={steps === null && recordedStatus !== null && isActive(recordedStatus) && recorded.status === 'running'} />
          )}
          {loading && <p className="run-muted">Loading…</p>}
          {payload && node.kind === 'rlm' && <RlmDetail store={store} nodeId={node.id} payload={payload} />}
          {payload && node.kind === 'llm' && <LlmDetail store={store} node={node} payload={payload} refreshing={refreshing} forkAction={fork.action} forkEditor={fork.editor} />}
          {payload && node.kind === 'cell' && <CellDetail payload={payload} editor={editor} divergence={divergence} forkAction={fork.action} forkEditor={fork.editor} />}
        </>
      )}
    </section>
  );
}

/**
 * "Fork from here" for the selected node, and its editor once pressed. The edit belongs to one
 * node: selecting another closes it. Memoised, so that a cell's detail (memo) does not redraw
 * for a button that has not changed.
 */
function useFork(store: RunRepository, nodeId: number | null, kind: NodeKind | null, payload: NodePayload | null) {
  const [forking, setForking] = useState<number | null>(null);
  // After Cancel the focus goes back to the button that opened the editor.
  const [cancelled, setCancelled] = useState<number | null>(null);
  const origin = useRunState(store, (s) => s.run?.origin);
  const status = useRunState(store, (s) => s.run?.status);
  const replayable = useRunState(store, (s) => s.run?.replayable);
  const replayableWhy = useRunState(store, (s) => s.run?.replayableWhy);
  return useMemo(() => {
    const editKind = kind === null ? null : forkEditKind({ kind });
    if (nodeId === null || kind === null || editKind === null || status === undefined || payload === null) return { action: undefined, editor: undefined };
    const offer = forkOffer({ origin, status, replayable, replayableWhy }, { kind });
    const editing = forking === nodeId && offer.shown && offer.enabled;
    return {
      action: <ForkButton offer={offer} focus={cancelled === nodeId} onFork={() => setForking(nodeId)} />,
      editor: editing ? (
        <ForkEditor
          api={store.api}
          runId={store.runId}
          nodeId={nodeId}
          kind={editKind}
          original={(editKind === 'code' ? payload.code : payload.text) ?? ''}
          onCancel={() => {
            setForking(null);
            setCancelled(nodeId);
          }}
        />
      ) : undefined,
    };
  }, [store, nodeId, kind, payload, forking, cancelled, origin, status, replayable, replayableWhy]);
}

/** What a node had to show before it ended: its request (prompt, code, query), not its results. */
function unfinished(payload: NodePayload): NodePayload {
  const { text: _text, output: _output, error: _error, answer: _answer, stopReason: _stopReason, notes: _notes, ...before } = payload;
  return before;
}
