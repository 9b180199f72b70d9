// One row of the recursion tree: fixed height, one line, positioned by the virtualiser.
import { memo } from 'react';
import { namedBidiControls } from '../../../shared/bidiControls';
import type { NodeRow } from '../../../shared/domain/node';
import type { RunSignal } from '../../../shared/domain/signals';
import { AlertIcon } from '../../common/icons';
import { SIGNAL_LABEL, signalLines } from '../signals';
import { CACHED_TITLE, costText, kindTag, STATUS_ICON, timeText, tokensText, type ShownStatus } from '../rowText';
import { bidiSafe } from '../text/BidiSafe';

/**
 * Indentation stops growing here (12 steps of 0.85rem): deeper rows show their level as a
 * number instead. 24 steps left no room for the label in a 1024-pixel window.
 */
export const MAX_INDENT = 12;

export interface TreeRowProps {
  domId: string;
  node: NodeRow;
  /** The node's status as shown (an RLM of a paused run is paused). */
  status: ShownStatus;
  /** The label as shown: the part that tells it from its siblings (see siblingLabels.ts). */
  label: string;
  /** Tree level, 0 for the root. */
  level: number;
  top: number;
  height: number;
  /** True/false for a node with children, undefined for a leaf. */
  expanded: boolean | undefined;
  childCount: number;
  posinset: number;
  setsize: number;
  selected: boolean;
  active: boolean;
  /** A replay of the run gave this cell another output, error or host call than the recording. */
  diverged?: boolean;
  /** The run-away signals flagged on this node (the same array while they hold: the row stays memoised). */
  signals?: readonly RunSignal[];
  /** Some node below this one is flagged: shown when the row is collapsed. */
  signalsBelow?: boolean;
  now: number;
  onPick(id: number): void;
  onToggle(id: number, expanded: boolean): void;
}

export const TreeRow = memo(function TreeRow(p: TreeRowProps) {
  const { node } = p;
  const kind = kindTag(node);
  const tokens = tokensText(node);
  const cost = costText(node);
  const indent = Math.min(p.level, MAX_INDENT);
  return (
    <div
      id={p.domId}
      role="treeitem"
      aria-level={p.level + 1}
      aria-selected={p.selected}
      aria-expanded={p.expanded}
      aria-posinset={p.posinset}
      aria-setsize={p.setsize}
      className={`tree-row tree-row-${p.status}${p.selected ? ' tree-row-selected' : ''}${p.active ? ' tree-row-active' : ''}${p.diverged ? ' tree-row-diverged' : ''}`}
      style={{ transform: `translateY(${p.top}px)`, height: p.height }}
      onClick={() => p.onPick(node.id)}
    >
      <span className="tree-indent" style={{ width: `${indent * 0.85}rem` }} />
      {p.level > MAX_INDENT && <span className="tree-level" title={`level ${p.level + 1}`}>{p.level + 1}</span>}
      <span
        className="tree-toggle"
        aria-hidden="true"
        onClick={(e) => {
          if (p.expanded === undefined) return;
          e.stopPropagation();
          p.onToggle(node.id, !p.expanded);
        }}
      >
        {p.expanded === undefined ? '' : p.expanded ? '▾' : '▸'}
      </span>
      <span className={`tree-kind tree-kind-${node.kind}${node.purpose ? `-${node.purpose}` : ''}`} title={kind.title}>
        {kind.tag}
      </span>
      <span className="tree-label" title={namedBidiControls(node.label)}>
        {p.label ? bidiSafe(p.label) : '…'}
      </span>
      {p.signals && p.signals.length > 0 && (
        <span className="tree-signal" title={signalLines(p.signals)}>
          <AlertIcon size={13} />
          <span className="run-sr-only"> signal: {p.signals.map((s) => SIGNAL_LABEL[s.kind].toLowerCase()).join(', ')}</span>
        </span>
      )}
      {p.diverged && (
        <span className="tree-diverged" title="Diverged in the replay: see the detail">
          ≠<span className="run-sr-only"> diverged in replay</span>
        </span>
      )}
      {p.expanded === false && (
        <span className="tree-hidden-count" title={`${p.childCount.toLocaleString('en-US')} children hidden`}>
          +{p.childCount.toLocaleString('en-US')}
        </span>
      )}
      {p.expanded === false && p.signalsBelow && (
        <span className="tree-signal tree-signal-below" title="Rows hidden here carry signals: expand to see them">
          <AlertIcon size={11} />
          <span className="run-sr-only"> signals in hidden rows</span>
        </span>
      )}
      <span className="tree-model" title={node.model === null ? undefined : namedBidiControls(node.model)}>
        {bidiSafe(node.model ?? '')}
      </span>
      <span className="tree-status" title={p.status}>
        <span aria-hidden="true">{STATUS_ICON[p.status]}</span>
        <span className="run-sr-only">{p.status}</span>
      </span>
      <span className="tree-tokens" title={node.usageEstimated ? 'tokens in→out (estimated)' : 'tokens in→out'}>
        {tokens ?? ''}
      </span>
      {node.cached ? (
        // In the cost column, which narrow trees keep: a cached call has neither tokens nor cost.
        <span className="tree-cost">
          <span className="tree-cached" title={CACHED_TITLE}>
            cached
          </span>
        </span>
      ) : (
        <span className={`tree-cost${cost?.unknown ? ' tree-cost-unknown' : ''}${node.kind !== 'llm' ? ' tree-cost-rollup' : ''}`} title={cost?.full}>
          {cost?.text ?? ''}
        </span>
      )}
      <span className="tree-time">{timeText(node, p.now)}</span>
    </div>
  );
});
