// What the tree row knows about a node, in full: kind, status, model, tokens, cost, timing.
import type { ReactNode } from 'react';
import { usageUnknown, type NodePayload, type NodeRow } from '../../../shared/domain/node';
import type { RunStatus } from '../../../shared/domain/run';
import { formatDuration, tokensUnknown } from '../../../shared/format';
import { cachedWhy, costText, kindTag, rollsUp, shownStatus, STATUS_ICON } from '../rowText';

/**
 * `edit`: in a fork, the step the user changed (NodePayload.forkEdit); `dedupeOf`: the node whose
 * identical sub-call answered this one. Both known once the payload is read (`payloadRead`).
 */
export function NodeSummary({
  node,
  runStatus,
  edit,
  dedupeOf,
  payloadRead = false,
}: {
  node: NodeRow;
  runStatus: RunStatus | null;
  edit?: NodePayload['forkEdit'];
  dedupeOf?: number | undefined;
  payloadRead?: boolean;
}) {
  const edited = edit !== undefined;
  const why = cachedWhy(payloadRead ? { ...(dedupeOf !== undefined ? { dedupeOf } : {}) } : null);
  const cost = costText(node);
  const status = shownStatus(node, runStatus);
  const s = node.subtree;
  const duration = node.endedAt === null ? null : node.endedAt - node.startedAt;
  return (
    <header className="node-summary">
      <h2 className="node-title">
        <span className={`tree-kind tree-kind-${node.kind}${node.purpose ? `-${node.purpose}` : ''}`}>{kindTag(node).tag}</span>
        <span className="node-title-text">{kindTag(node).title}</span>
        <span className={`node-status tree-row-${status}`}>
          <span aria-hidden="true">{STATUS_ICON[status]}</span> {status}
        </span>
        {node.cached && (
          <span className="node-tag node-tag-cached" title={why}>
            cached
          </span>
        )}
        {edited && (
          <span className="node-tag node-tag-edited" title="the step this fork changed">
            edited
          </span>
        )}
      </h2>
      {edit && (
        <p className="node-fork-note">
          {edit.codeOf === undefined
            ? 'Edited: the step this fork changed; what follows it re-ran from here.'
            : "Edited: this reply carries the changed cell's new code in place of what the model wrote; what follows it re-ran from here."}
        </p>
      )}
      <dl className="node-facts">
        {node.model && <Fact term="Model">{node.model}</Fact>}
        {node.kind === 'llm' && node.cached && <Fact term="Tokens">none (cached)</Fact>}
        {node.kind === 'llm' && !node.cached && (
          <Fact term="Tokens">
            {usageUnknown(node) ? (
              <>
                {tokenFigure(node.inputTokens)} in → {tokenFigure(node.outputTokens)} out
                <span className="node-estimated"> the log gives no token counts for this call</span>
              </>
            ) : (
              <>
                {node.inputTokens === null && node.outputTokens === null
                  ? '—'
                  : `${(node.inputTokens ?? 0).toLocaleString('en-US')} in → ${(node.outputTokens ?? 0).toLocaleString('en-US')} out${node.cachedTokens ? ` (${node.cachedTokens.toLocaleString('en-US')} cached)` : ''}`}
                {node.usageEstimated && <span className="node-estimated"> estimated: the provider reported no usage</span>}
              </>
            )}
          </Fact>
        )}
        {node.kind === 'llm' && <Fact term="Cost">{node.cached ? 'none (cached)' : cost ? cost.full : '—'}</Fact>}
        {rollsUp(node) && s.modelCalls > 0 && <Fact term="Cost below">{cost?.full}</Fact>}
        {rollsUp(node) && s.modelCalls > 0 && (
          <Fact term="Tokens below">
            {tokensUnknown(s) ? 'unknown: the log gives no token counts for these calls' : `${s.inputTokens.toLocaleString('en-US')} in → ${s.outputTokens.toLocaleString('en-US')} out`}
          </Fact>
        )}
        <Fact term="Started">{new Date(node.startedAt).toLocaleTimeString()}</Fact>
        <Fact term="Took">{duration === null ? `${status}…` : formatDuration(duration)}</Fact>
        <Fact term="Node">
          #{node.id}
          {node.kind === 'rlm' && ` · depth ${node.depth}`}
        </Fact>
      </dl>
      {node.cached && <p className="node-fork-note">Cached: {why}.</p>}
    </header>
  );
}

/** A token count, or "unknown" where the record gives none. */
function tokenFigure(count: number | null): string {
  return count === null ? 'unknown' : count.toLocaleString('en-US');
}

function Fact({ term, children }: { term: string; children: ReactNode }) {
  return (
    <div className="node-fact">
      <dt>{term}</dt>
      <dd>{children}</dd>
    </div>
  );
}
