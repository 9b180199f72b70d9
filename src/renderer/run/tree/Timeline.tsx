// The timeline: a waterfall beside the recursion tree, one bar per row on the run's time axis, drawn
// for the same virtualised rows as the tree and scrolled with it. Parallel sub-calls show as
// overlapping bars, waits as the gaps between them; the selected row is highlighted; zoom widens
// the axis (the buttons, or Ctrl+wheel) and the axis then scrolls sideways. At an earlier step
// (time travel) a line marks the step's moment.
import { useLayoutEffect, useRef, useState, type RefObject, type WheelEvent } from 'react';
import type { NodeRow } from '../../../shared/domain/node';
import { formatDuration } from '../../../shared/format';
import type { ShownStatus } from '../rowText';
import { barOf, ticksOf, type TimeAxis } from './timelineScale';

export interface TimelineRow {
  id: number;
  node: NodeRow;
  status: ShownStatus;
  top: number;
}

export interface TimelineProps {
  axis: TimeAxis;
  rows: TimelineRow[];
  totalHeight: number;
  rowHeight: number;
  scrollTop: number;
  selectedId: number | null;
  now: number;
  /** The moment shown at an earlier step (time travel), or null. */
  cursor: number | null;
  /** The tree's scrolling element: the wheel over the timeline scrolls it. */
  scroller: RefObject<HTMLDivElement | null>;
  onPick(id: number): void;
}

const ZOOMS = [1, 2, 4, 8, 16, 32, 64, 128];

export function Timeline(p: TimelineProps) {
  const [zoomAt, setZoomAt] = useState(0);
  const body = useRef<HTMLDivElement>(null);
  const [widthPx, setWidthPx] = useState(0);
  useLayoutEffect(() => {
    const element = body.current;
    if (!element) return;
    const observer = new ResizeObserver(() => setWidthPx(element.clientWidth));
    observer.observe(element);
    setWidthPx(element.clientWidth);
    return () => observer.disconnect();
  }, []);
  const zoom = ZOOMS[zoomAt] ?? 1;
  const innerPx = Math.max(1, widthPx * zoom);
  // A bar is at least 2 pixels wide: a call of a millisecond is still seen.
  const minWidth = 2 / innerPx;
  const ticks = ticksOf(p.axis, innerPx);
  const onWheel = (event: WheelEvent<HTMLDivElement>) => {
    if (event.ctrlKey || event.metaKey) {
      setZoomAt((at) => Math.max(0, Math.min(ZOOMS.length - 1, at + (event.deltaY < 0 ? 1 : -1))));
      return;
    }
    const scroller = p.scroller.current;
    if (scroller) scroller.scrollTop += event.deltaY;
  };
  // The axis scrolls sideways with the bars when zoomed.
  const axisRef = useRef<HTMLDivElement>(null);
  const onScroll = () => {
    if (axisRef.current && body.current) axisRef.current.scrollLeft = body.current.scrollLeft;
  };
  return (
    <section className="timeline" role="region" aria-label="Timeline">
      <div className="timeline-header">
        <div ref={axisRef} className="timeline-axis-clip" aria-hidden="true">
          <div className="timeline-axis" style={{ width: innerPx }}>
            {ticks.map((tick) => (
              <span key={tick.at} className="timeline-tick" style={{ left: `${tick.at * 100}%` }}>
                {tick.label}
              </span>
            ))}
          </div>
        </div>
        <span className="timeline-zoom">
          <button type="button" className="tree-tool" aria-label="Zoom out the timeline" title="Zoom out (Ctrl+wheel)" disabled={zoomAt === 0} onClick={() => setZoomAt((at) => Math.max(0, at - 1))}>
            −
          </button>
          <button type="button" className="tree-tool" aria-label="Zoom in the timeline" title={`Zoom in (Ctrl+wheel); the run took ${formatDuration(p.axis.span)}`} disabled={zoomAt === ZOOMS.length - 1} onClick={() => setZoomAt((at) => Math.min(ZOOMS.length - 1, at + 1))}>
            +
          </button>
        </span>
      </div>
      <div ref={body} className="timeline-body" onWheel={onWheel} onScroll={onScroll}>
        <div className="timeline-rows" style={{ width: innerPx, height: p.totalHeight, transform: `translateY(${-p.scrollTop}px)` }}>
          {ticks.map((tick) => (
            <span key={tick.at} className="timeline-grid" style={{ left: `${tick.at * 100}%` }} />
          ))}
          {p.rows.map((row) => {
            const { node } = row;
            const bar = barOf(p.axis, node.startedAt, node.endedAt, p.now, minWidth);
            const took = (node.endedAt ?? p.now) - node.startedAt;
            return (
              <div key={row.id} className={`timeline-row${row.id === p.selectedId ? ' timeline-row-selected' : ''}`} style={{ transform: `translateY(${row.top}px)`, height: p.rowHeight }} onClick={() => p.onPick(row.id)}>
                <span
                  className={`timeline-bar timeline-bar-${node.kind}${node.purpose ? `-${node.purpose}` : ''} timeline-bar-${row.status}`}
                  style={{ left: `${bar.left * 100}%`, width: `${bar.width * 100}%` }}
                  title={`#${node.id} ${node.kind}${node.purpose ? ` (${node.purpose})` : ''}: from +${formatDuration(Math.max(0, node.startedAt - p.axis.start))}, ${node.endedAt === null ? 'running for' : 'took'} ${formatDuration(Math.max(0, took))}`}
                />
              </div>
            );
          })}
          {p.cursor !== null && <span className="timeline-cursor" style={{ left: `${Math.min(1, Math.max(0, (p.cursor - p.axis.start) / p.axis.span)) * 100}%` }} />}
        </div>
      </div>
    </section>
  );
}
