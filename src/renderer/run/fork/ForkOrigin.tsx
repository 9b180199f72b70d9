// A fork's header line: where it comes from — a link to the parent run with the changed node
// selected (or "other settings" for a rerun with no edit) — and "Compare" with the parent. A
// parent since deleted is named, not linked, and cannot be compared.
import { useEffect, useState } from 'react';
import type { RlmApi } from '../../../shared/api';
import type { ForkOrigin as Origin } from '../../../shared/domain/run';
import { describeError } from '../../api/errors';
import { routeHash, useNav } from '../../state/navStore';
import { forkOriginText } from './forkRules';
import './fork.css';

export function ForkOrigin({ api, runId, origin }: { api: RlmApi; runId: string; origin: Origin }) {
  const deleted = useParentDeleted(api, origin.runId);
  const go = useNav((s) => s.go);
  const text = forkOriginText(origin, deleted);
  return (
    <p className="run-imported run-fork">
      {deleted ? (
        <span>{text}</span>
      ) : (
        <a href={routeHash(origin.nodeId === null ? { view: 'run', runId: origin.runId } : { view: 'run', runId: origin.runId, node: origin.nodeId })} title="Open the run this was forked from, at the step it changed">
          {text}
        </a>
      )}
      {!deleted && (
        <button type="button" className="fork-button" title="Compare this fork with the run it was forked from, step by step" onClick={() => go({ view: 'compare', a: origin.runId, b: runId })}>
          Compare
        </button>
      )}
    </p>
  );
}

/** Whether the parent is gone (runs.get says NOT_FOUND); any other failure is taken as not known to be gone. */
function useParentDeleted(api: RlmApi, parentId: string): boolean {
  const [deleted, setDeleted] = useState<{ parentId: string; deleted: boolean } | null>(null);
  useEffect(() => {
    let current = true;
    api.call('runs.get', { runId: parentId }).then(
      () => current && setDeleted({ parentId, deleted: false }),
      (error: unknown) => current && setDeleted({ parentId, deleted: describeError(error).code === 'NOT_FOUND' }),
    );
    return () => {
      current = false;
    };
  }, [api, parentId]);
  return deleted?.parentId === parentId && deleted.deleted;
}
