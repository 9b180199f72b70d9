// The payload of the selected node, fetched with `nodes.get` when it is selected and again when
// the node changed in a way that can change its payload (its `payloadRev`). The last few are
// cached in the run's store; while a newer revision loads the older one stays on screen.
import { useEffect, useReducer, useState } from 'react';
import type { NodePayload } from '../../../shared/domain/node';
import { errorText } from '../../api/errors';
import type { RunRepository } from '../runStore';
import { useRunState } from '../useRunState';

export interface PayloadView {
  payload: NodePayload | null;
  /** Fetching, with nothing to show yet. */
  loading: boolean;
  /** Fetching a newer revision while an older one is shown. */
  refreshing: boolean;
  error: string | null;
}

export function useNodePayload(store: RunRepository, nodeId: number | null): PayloadView {
  const rev = useRunState(store, (s) => (nodeId === null ? 0 : (s.model?.tree.payloadRev.get(nodeId) ?? 0)));
  const [failure, setFailure] = useState<{ nodeId: number; rev: number; message: string } | null>(null);
  const [, fetched] = useReducer((n: number) => n + 1, 0);

  useEffect(() => {
    if (nodeId === null || store.payloads.get(nodeId, rev) !== undefined) return;
    // Dropped when the selection moves on before the answer comes: a slow answer for an old
    // node must never replace the new node's detail.
    let current = true;
    store.api.call('nodes.get', { runId: store.runId, nodeId }).then(
      (payload) => {
        store.payloads.set(nodeId, rev, payload);
        if (current) fetched();
      },
      (error: unknown) => {
        if (current) setFailure({ nodeId, rev, message: errorText(error) });
      },
    );
    return () => {
      current = false;
    };
  }, [store, nodeId, rev]);

  if (nodeId === null) return { payload: null, loading: false, refreshing: false, error: null };
  const exact = store.payloads.get(nodeId, rev);
  const shown = exact ?? store.payloads.latest(nodeId)?.value ?? null;
  const error = failure && failure.nodeId === nodeId && failure.rev === rev ? failure.message : null;
  const pending = exact === undefined && error === null;
  return { payload: shown, loading: pending && shown === null, refreshing: pending && shown !== null, error };
}
