import { describe, expect, it } from 'vitest';
import { barOf, ticksOf } from './timelineScale';

describe('timeline scale', () => {
  const axis = { start: 1000, span: 1000 };

  it("places a bar at its share of the run's time, running ones up to now", () => {
    expect(barOf(axis, 1250, 1500, 0, 0)).toEqual({ left: 0.25, width: 0.25 });
    expect(barOf(axis, 1500, null, 1900, 0)).toEqual({ left: 0.5, width: expect.closeTo(0.4, 12) });
    // Outside the axis: clamped to it.
    expect(barOf(axis, 0, 5000, 0, 0)).toEqual({ left: 0, width: 1 });
  });

  it('keeps a bar of at least the minimum width, inside the axis', () => {
    expect(barOf(axis, 1500, 1500, 0, 0.01)).toEqual({ left: 0.5, width: 0.01 });
    expect(barOf(axis, 2000, 2000, 0, 0.01)).toEqual({ left: 0.99, width: 0.01 });
  });

  it('puts ticks at 1, 2 or 5 times a power of ten, no closer than the gap', () => {
    const ticks = ticksOf(axis, 400, 80);
    // 1000 ms over 400 px: at least 200 ms apart.
    expect(ticks.map((t) => t.at)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(ticks[0]?.label).toBe('0');
    expect(ticksOf({ start: 0, span: 12_000 }, 200, 80).map((t) => Math.round(t.at * 12_000))).toEqual([0, 5_000, 10_000]);
    expect(ticksOf(axis, 0)).toEqual([]);
  });
});
