// The timeline's arithmetic: where a node's bar goes on the run's time axis, and the ticks of that
// axis. Pure: no DOM.
import { formatDuration } from '../../../shared/format';

export interface TimeAxis {
  /** The run's start (ms since the epoch): the left edge. */
  start: number;
  /** Milliseconds from the left edge to the right edge; at least 1. */
  span: number;
}

export interface Bar {
  /** Share of the axis's width, 0..1. */
  left: number;
  width: number;
}

/**
 * The bar of a node that ran from `startedAt` to `endedAt` (or to `now` while it runs), clamped
 * to the axis. A node too short to see keeps a bar of `minWidth` (a share of the width).
 */
export function barOf(axis: TimeAxis, startedAt: number, endedAt: number | null, now: number, minWidth: number): Bar {
  const from = clamp01((startedAt - axis.start) / axis.span);
  const to = clamp01(((endedAt ?? now) - axis.start) / axis.span);
  const width = Math.max(to - from, minWidth);
  return { left: Math.min(from, 1 - width), width };
}

/** Ticks no closer than `minGapPx` on an axis `widthPx` wide: 1, 2 or 5 times a power of ten ms. */
export function ticksOf(axis: TimeAxis, widthPx: number, minGapPx = 80): { at: number; label: string }[] {
  if (widthPx <= 0) return [];
  const minStep = (axis.span * minGapPx) / widthPx;
  let step = 1;
  for (let power = 1; step < minStep; power *= 10) {
    step = [1, 2, 5].map((m) => m * power).find((candidate) => candidate >= minStep) ?? power * 10;
  }
  const ticks: { at: number; label: string }[] = [];
  for (let t = 0; t <= axis.span && ticks.length < 1000; t += step) ticks.push({ at: t / axis.span, label: t === 0 ? '0' : formatDuration(t) });
  return ticks;
}

function clamp01(value: number): number {
  return Number.isFinite(value) ? Math.min(1, Math.max(0, value)) : 0;
}
