// The selected node: its summary from the tree row at once, then its payload (fetched when
// selected) laid out for its kind.
import type { CodeEditorHost } from '../codeEditor';
import type { RunRepository } from '../runStore';
import { useRunState } from '../useRunState';
import { CellDetail } from './CellDetail';
import { LlmDetail } from './LlmDetail';
import { NodeSummary } from './NodeSummary';
import { RlmDetail } from './RlmDetail';
import { useNodePayload } from './useNodePayload';
import './detail.css';

export function NodeDetail({ store, editor }: { store: RunRepository; editor: CodeEditorHost }) {
  const selectedId = useRunState(store, (s) => s.selectedId);
  const node = useRunState(store, (s) => (selectedId === null ? null : (s.model?.tree.nodes.get(selectedId) ?? null)));
  const runStatus = useRunState(store, (s) => s.run?.status ?? null);
  const { payload, loading, refreshing, error } = useNodePayload(store, node?.id ?? null);
  return (
    <section className="node-detail" role="region" aria-label="Node detail" aria-busy={loading || refreshing}>
      {node === null ? (
        <p className="run-muted node-detail-empty">Select a node in the tree to see what it did.</p>
      ) : (
        <>
          <NodeSummary node={node} runStatus={runStatus} />
          {error && (
            <p className="node-error" role="alert">
              Could not load this node: {error}
            </p>
          )}
          {loading && <p className="run-muted">Loading…</p>}
          {payload && node.kind === 'rlm' && <RlmDetail store={store} nodeId={node.id} payload={payload} />}
          {payload && node.kind === 'llm' && <LlmDetail store={store} node={node} payload={payload} refreshing={refreshing} />}
          {payload && node.kind === 'cell' && <CellDetail payload={payload} editor={editor} />}
        </>
      )}
    </section>
  );
}
