import { describe, expect, it } from 'vitest';
import { MAX_SPANS, UploadRanges } from './uploadRanges';

/** Claims, takes and commits one whole slice. */
function send(ranges: UploadRanges, start: number, end: number): void {
  const claim = ranges.claim(start, end);
  if (!claim.ok) throw new Error(`refused ${start}-${end}: ${claim.why}`);
  expect(ranges.take(claim.id, end - start)).toBe(true);
  ranges.commit(claim.id);
}

describe('UploadRanges', () => {
  it('is complete only once every byte came, in whatever order', () => {
    const ranges = new UploadRanges(100);
    send(ranges, 50, 75);
    send(ranges, 0, 25);
    expect(ranges).toMatchObject({ received: 50, complete: false, prefixEnd: 25 });
    expect(ranges.firstGap()).toEqual({ start: 25, end: 50 });
    send(ranges, 75, 100);
    expect(ranges.firstGap()).toEqual({ start: 25, end: 50 });
    send(ranges, 25, 50);
    expect(ranges).toMatchObject({ received: 100, complete: true, prefixEnd: 100 });
    expect(ranges.firstGap()).toBeNull();
  });

  it('refuses a span over bytes received or on their way, and one past the announced size', () => {
    const ranges = new UploadRanges(100);
    send(ranges, 10, 20);
    const onItsWay = ranges.claim(40, 60);
    expect(onItsWay.ok).toBe(true);
    expect(ranges.claim(10, 20)).toEqual({ ok: false, why: 'overlap', span: { start: 10, end: 20 } });
    expect(ranges.claim(19, 21)).toEqual({ ok: false, why: 'overlap', span: { start: 10, end: 20 } });
    expect(ranges.claim(0, 11)).toMatchObject({ ok: false, why: 'overlap' });
    expect(ranges.claim(59, 70)).toEqual({ ok: false, why: 'overlap', span: { start: 40, end: 60 } });
    expect(ranges.claim(90, 101)).toEqual({ ok: false, why: 'pastEnd', span: { start: 90, end: 101 } });
    expect(ranges.claim(101, 101)).toMatchObject({ ok: false, why: 'pastEnd' });
    // Touching is not overlapping.
    expect(ranges.claim(0, 10).ok).toBe(true);
    expect(ranges.claim(20, 40).ok).toBe(true);
    expect(ranges.claim(60, 100).ok).toBe(true);
  });

  it('refuses a slice that takes more than it claimed', () => {
    const ranges = new UploadRanges(100);
    const claim = ranges.claim(0, 10);
    if (!claim.ok) throw new Error('refused');
    expect(ranges.take(claim.id, 6)).toBe(true);
    expect(ranges.position(claim.id)).toBe(6);
    expect(ranges.take(claim.id, 5)).toBe(false);
    expect(ranges.position(claim.id)).toBe(6);
  });

  it('counts a slice cut mid-way for nothing, and lets it be sent again', () => {
    const ranges = new UploadRanges(100);
    send(ranges, 0, 50);
    const cut = ranges.claim(50, 100);
    if (!cut.ok) throw new Error('refused');
    ranges.take(cut.id, 30);
    expect(ranges.covered(0, 80)).toBe(true);
    expect(ranges.release(cut.id)).toEqual({ start: 50, end: 100 });
    expect(ranges).toMatchObject({ received: 50, complete: false });
    expect(ranges.covered(0, 51)).toBe(false);
    send(ranges, 50, 100);
    expect(ranges.complete).toBe(true);
  });

  it('keeps what a body that ended early brought, and frees the rest of its span', () => {
    const ranges = new UploadRanges(100);
    const short = ranges.claim(0, 100);
    if (!short.ok) throw new Error('refused');
    ranges.take(short.id, 40);
    ranges.commit(short.id);
    expect(ranges).toMatchObject({ received: 40, prefixEnd: 40 });
    send(ranges, 40, 100);
    expect(ranges.complete).toBe(true);
  });

  it('tells whether a span is covered by bytes received and bytes taken by slices on their way', () => {
    const ranges = new UploadRanges(100);
    expect(ranges.covered(0, 0)).toBe(true);
    send(ranges, 20, 40);
    const early = ranges.claim(0, 20);
    if (!early.ok) throw new Error('refused');
    ranges.take(early.id, 19);
    expect(ranges.covered(0, 40)).toBe(false);
    ranges.take(early.id, 1);
    expect(ranges.covered(0, 40)).toBe(true);
    expect(ranges.covered(0, 41)).toBe(false);
  });

  it('merges hundreds of slices into one span, whatever their order', () => {
    const ranges = new UploadRanges(1000);
    const order = Array.from({ length: 100 }, (_, i) => (i * 37) % 100);
    for (const i of order) send(ranges, i * 10, i * 10 + 10);
    expect(ranges).toMatchObject({ received: 1000, complete: true, prefixEnd: 1000 });
  });

  it('takes an empty slice anywhere up to the end, and refuses spans that are not byte positions', () => {
    const ranges = new UploadRanges(10);
    expect(ranges.claim(10, 10).ok).toBe(true);
    expect(() => ranges.claim(-1, 2)).toThrow(RangeError);
    expect(() => ranges.claim(5, 4)).toThrow(RangeError);
    expect(() => ranges.claim(0.5, 2)).toThrow(RangeError);
  });

  it('refuses a sender that scatters more than MAX_SPANS separate pieces', () => {
    const ranges = new UploadRanges(4 * MAX_SPANS);
    for (let i = 0; i < MAX_SPANS; i++) send(ranges, 4 * i, 4 * i + 1);
    expect(ranges.claim(2, 3)).toEqual({ ok: false, why: 'scattered', span: { start: 2, end: 3 } });
    expect(ranges.received).toBe(MAX_SPANS);
    // In-order pieces merge into one span, however many they are.
    const inOrder = new UploadRanges(4 * MAX_SPANS);
    for (let i = 0; i < 4 * MAX_SPANS; i++) send(inOrder, i, i + 1);
    expect(inOrder.complete).toBe(true);
  });

  it('still completes an upload once MAX_SPANS pieces are scattered: a slice that continues a received span adds none', () => {
    const ranges = new UploadRanges(4 * MAX_SPANS);
    for (let i = 0; i < MAX_SPANS; i++) send(ranges, 4 * i, 4 * i + 1);
    expect(ranges.claim(2, 3)).toMatchObject({ ok: false, why: 'scattered' });
    for (let i = 0; i < MAX_SPANS; i++) send(ranges, 4 * i + 1, 4 * i + 4);
    expect(ranges).toMatchObject({ received: 4 * MAX_SPANS, complete: true });
    // The same with the gap at the start of the file, where no received span ends.
    const headless = new UploadRanges(4 * MAX_SPANS + 1);
    for (let i = 0; i < MAX_SPANS; i++) send(headless, 4 * i + 1, 4 * i + 2);
    send(headless, 0, 1);
    for (let i = 0; i < MAX_SPANS; i++) send(headless, 4 * i + 2, 4 * i + 5);
    expect(headless).toMatchObject({ received: 4 * MAX_SPANS + 1, complete: true });
  });

  it('says a span far past the end is past the end, whatever its size', () => {
    const ranges = new UploadRanges(10);
    expect(ranges.claim(Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER + 10)).toMatchObject({ ok: false, why: 'pastEnd' });
    expect(ranges.claim(1e300, 1e300)).toMatchObject({ ok: false, why: 'pastEnd' });
  });
});

describe('UploadRanges.holds', () => {
  it('is true only for a span received whole: not one on its way, not one over a gap, not an empty one', () => {
    const ranges = new UploadRanges(100);
    const first = ranges.claim(0, 40);
    expect(first.ok).toBe(true);
    if (!first.ok) return;
    ranges.take(first.id, 40);
    expect(ranges.holds(0, 40)).toBe(false);
    ranges.commit(first.id);
    expect(ranges.holds(0, 40)).toBe(true);
    expect(ranges.holds(10, 20)).toBe(true);
    expect(ranges.holds(30, 50)).toBe(false);
    expect(ranges.holds(5, 5)).toBe(false);
  });
});
