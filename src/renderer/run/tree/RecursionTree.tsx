// The recursion tree: a virtualised list of the visible rows (built outside React, see
// treeModel.ts), one focusable tree element whose aria-activedescendant names the keyboard's
// row, and follow mode while the run is going.
import { defaultRangeExtractor, useVirtualizer } from '@tanstack/react-virtual';
import { useCallback, useId, useMemo, useRef, useState } from 'react';
import type { NodeRow } from '../../../shared/domain/node';
import type { RunDetail } from '../../../shared/domain/run';
import { shownStatus } from '../rowText';
import { childrenOf, isExpanded, siblingPosition } from '../treeModel';
import { stepsOf } from '../runModel';
import { flaggedAncestors } from '../signals';
import type { RunRepository } from '../runStore';
import { useRunClock } from '../useNow';
import { useRunState } from '../useRunState';
import { createSharedStarts, rowLabel } from './siblingLabels';
import { Timeline, type TimelineRow } from './Timeline';
import type { TimeAxis } from './timelineScale';
import { TreeRow } from './TreeRow';
import { useTreeFollow } from './useTreeFollow';
import { useTreeKeyboard } from './useTreeKeyboard';
import './tree.css';

export function RecursionTree({ store }: { store: RunRepository }) {
  const prefix = useId();
  const scroller = useRef<HTMLDivElement>(null);
  const [rowHeight] = useState(rowHeightPx);
  const model = useRunState(store, (s) => s.model);
  const rows = useRunState(store, (s) => s.rows);
  const treeVersion = useRunState(store, (s) => s.treeVersion); // re-render when nodes change in place
  const selectedId = useRunState(store, (s) => s.selectedId);
  const activeId = useRunState(store, (s) => s.activeId);
  const loading = useRunState(store, (s) => s.nodesLoading);
  const recordedStatus = useRunState(store, (s) => s.run?.status ?? null);
  const step = useRunState(store, (s) => s.step);
  const replay = useRunState(store, (s) => s.replay);
  const diverged = replay.phase === 'done' ? replay.diverged : null;
  const signals = useRunState(store, (s) => s.signals);
  // At an earlier step (time travel) every row is the node as it stood then, and the run was going.
  const steps = step !== null && model ? stepsOf(model) : null;
  const runStatus = steps ? 'running' : recordedStatus;
  // Per tree (a new one per load): sub-call labels are folded once, then only new calls.
  const sharedStarts = useMemo(() => (model ? createSharedStarts() : null), [model]);
  const activeRow = activeId === null ? -1 : (rows?.index.get(activeId) ?? -1);
  const virtualizer = useVirtualizer({
    count: rows?.ids.length ?? 0,
    getScrollElement: () => scroller.current,
    estimateSize: () => rowHeight,
    overscan: 16,
    // The keyboard's row stays rendered even when scrolled away: aria-activedescendant must
    // point at an element that exists.
    rangeExtractor: useCallback((range: Parameters<typeof defaultRangeExtractor>[0]) => withRow(defaultRangeExtractor(range), activeRow), [activeRow]),
  });
  const follow = useTreeFollow(store, scroller, virtualizer, rowHeight);
  const onKeyDown = useTreeKeyboard(store, scroller, virtualizer, rowHeight, activeId, activeRow);
  const clock = useRunClock(store);
  const now = steps && step !== null ? steps.timeAt(step) : clock;
  const onPick = useCallback((id: number) => store.select(id), [store]);
  const onToggle = useCallback((id: number, expanded: boolean) => store.setExpanded(id, expanded), [store]);

  // Shown where the window leaves the tree room for it beside its columns; the toolbar button
  // shows or hides it anywhere.
  const [timelineShown, setTimelineShown] = useState(() => window.innerWidth >= TIMELINE_MIN_WINDOW_PX);
  // The nodes' own time span, read once per change of the tree (mutated in place: its version
  // says when) rather than on every scroll.
  // At an earlier step the steps index has it already: a move of the slider walks no nodes.
  const stepped = steps !== null;
  const walked = useMemo(() => (model && !stepped ? nodeSpan(model.tree.nodes.values()) : null), [model, treeVersion, stepped]);
  // The ancestors of flagged nodes, for collapsed rows: once per change of the set or the tree (a
  // flag can name a node that arrives later), never per row.
  const flaggedAbove = useMemo(() => (model && signals.byNode.size > 0 ? flaggedAncestors(model.tree, signals) : null), [model, signals, treeVersion]);
  const span = steps ? { start: steps.timeAt(0), end: steps.timeAt(steps.count) } : walked;
  const items = virtualizer.getVirtualItems();
  const rowNode = (id: number) => (steps && step !== null ? steps.nodeAt(id, step) : (model?.tree.nodes.get(id) ?? null));
  const timelineRows: TimelineRow[] = [];
  if (timelineShown && model && rows) {
    for (const item of items) {
      const id = rows.ids[item.index] as number;
      const node = rowNode(id);
      if (node) timelineRows.push({ id, node, status: shownStatus(node, runStatus), top: item.start });
    }
  }
  return (
    <div className="tree-pane">
      <div className="tree-main">
        <div className="tree-toolbar">
          <span className="run-muted" role="status">
            {!model ? 'Loading…' : loading ? `Loading ${loading.total.toLocaleString('en-US')} nodes: the first ${loading.loaded.toLocaleString('en-US')} are shown` : `${model.tree.nodes.size.toLocaleString('en-US')} node${model.tree.nodes.size === 1 ? '' : 's'}`}
          </span>
          <span className="tree-tools">
            {follow.runActive && !follow.following && (
              <button type="button" className="tree-follow" onClick={follow.resume}>
                Jump to newest
              </button>
            )}
            <button type="button" className="tree-tool" aria-pressed={timelineShown} onClick={() => setTimelineShown((shown) => !shown)} title="Show when each node ran, beside the tree">
              Timeline
            </button>
            <button type="button" className="tree-tool" onClick={() => store.setAllExpanded(true)}>
              Expand all
            </button>
            <button type="button" className="tree-tool" onClick={() => store.setAllExpanded(false)}>
              Collapse all
            </button>
          </span>
        </div>
        <div
          ref={scroller}
          className="tree-scroll"
          role="tree"
          aria-label="Recursion tree"
          aria-busy={!model}
          tabIndex={0}
          aria-activedescendant={activeRow >= 0 && activeId !== null ? `${prefix}-n${activeId}` : undefined}
          onKeyDown={onKeyDown}
          onWheel={follow.onWheel}
          onPointerDown={follow.onPointerDown}
          onScroll={follow.onScroll}
        >
          <div role="presentation" className="tree-sizer" style={{ height: virtualizer.getTotalSize() }}>
            {model &&
              rows &&
              items.map((item) => {
                const id = rows.ids[item.index] as number;
                const node = rowNode(id);
                if (!node) return null;
                const kids = childrenOf(model.tree, id).length;
                return (
                  <TreeRow
                    key={id}
                    domId={`${prefix}-n${id}`}
                    node={node}
                    status={shownStatus(node, runStatus)}
                    label={sharedStarts ? rowLabel(model.tree, id, sharedStarts) : node.label}
                    level={rows.levels[item.index] ?? 0}
                    top={item.start}
                    height={rowHeight}
                    expanded={kids > 0 ? isExpanded(model.tree, id) : undefined}
                    childCount={kids}
                    {...siblingPosition(model.tree, id)}
                    selected={id === selectedId}
                    active={id === activeId}
                    diverged={diverged?.has(id) ?? false}
                    signals={signals.byNode.get(id)}
                    signalsBelow={flaggedAbove?.has(id) ?? false}
                    now={node.status === 'running' ? now : 0}
                    onPick={onPick}
                    onToggle={onToggle}
                  />
                );
              })}
          </div>
        </div>
      </div>
      {timelineShown && model && (
        <Timeline
          axis={axisOf(model.run, span, now)}
          rows={timelineRows}
          totalHeight={virtualizer.getTotalSize()}
          rowHeight={rowHeight}
          scrollTop={virtualizer.scrollOffset ?? 0}
          selectedId={selectedId}
          now={now}
          cursor={steps && step !== null ? now : null}
          scroller={scroller}
          onPick={onPick}
        />
      )}
    </div>
  );
}

/** The earliest start and the latest end among the nodes. */
function nodeSpan(nodes: Iterable<NodeRow>): { start: number; end: number } {
  let start = Infinity;
  let end = -Infinity;
  for (const node of nodes) {
    if (node.startedAt < start) start = node.startedAt;
    if (node.endedAt !== null && node.endedAt > end) end = node.endedAt;
  }
  return { start, end };
}

/**
 * The run's time axis: from its start to its end, or to now while it goes; widened to its nodes'
 * times (an imported run's nodes may start before the run's own clock says, or end after it).
 */
function axisOf(run: RunDetail, nodes: { start: number; end: number } | null, now: number): TimeAxis {
  const start = Math.min(run.createdAt, nodes?.start ?? Infinity);
  const end = Math.max(run.endedAt ?? now, nodes?.end ?? -Infinity);
  return { start, span: Math.max(1, end - start) };
}

/** Windows narrower than this open runs without the timeline: the tree's labels need the room. */
const TIMELINE_MIN_WINDOW_PX = 1200;

/** Row height in pixels: 1.75rem, so that rows follow the text size. */
function rowHeightPx(): number {
  const rem = parseFloat(getComputedStyle(document.documentElement).fontSize) || 16;
  return Math.round(rem * 1.75);
}

function withRow(indexes: number[], row: number): number[] {
  if (row < 0 || indexes.includes(row)) return indexes;
  return [...indexes, row].sort((a, b) => a - b);
}
