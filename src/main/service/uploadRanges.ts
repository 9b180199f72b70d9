// Which bytes of an upload have arrived, when its slices may come in any order and several at
// once (browser mode sends a large file as a few PUTs in parallel: one request body in Chromium
// reaches ~80 MB/s, four together ~210). Pure bookkeeping, no I/O: uploads.ts writes the bytes.
//
// A slice first claims its span [start, end), which no other slice may overlap, whether its
// bytes are stored already or still on their way: a second caller for the same bytes is refused
// before it writes anything. The bytes a slice has taken count for the head's judgement as they
// come (`covered`), but count as received only once its body ended well (`commit`); a slice cut
// mid-body is `release`d whole, so that sending it again works and nothing else is lost.

export interface Span {
  start: number;
  end: number;
}

interface Claim extends Span {
  /** Bytes taken so far, from `start` on. */
  taken: number;
}

export type ClaimAnswer = { ok: true; id: number } | { ok: false; why: 'pastEnd' | 'overlap' | 'scattered'; span: Span };

/**
 * Separate spans (received apart, or on their way) one upload may hold. The page's slices and
 * in-order chunks make a handful; a sender of a million scattered bytes would make each claim
 * cost a walk over all of them.
 */
export const MAX_SPANS = 1024;

export class UploadRanges {
  /** Received spans, sorted, none touching another. */
  private readonly done: Span[] = [];
  private readonly claims = new Map<number, Claim>();
  private nextId = 1;
  private receivedBytes = 0;

  constructor(readonly size: number) {}

  /** Bytes received, over every committed slice. */
  get received(): number {
    return this.receivedBytes;
  }

  get complete(): boolean {
    return this.receivedBytes === this.size;
  }

  /** Where the received bytes from byte 0 stop: a slice sent without an offset starts there. */
  get prefixEnd(): number {
    const first = this.done[0];
    return first && first.start === 0 ? first.end : 0;
  }

  /** The first bytes not received yet, for messages; null once complete. */
  firstGap(): Span | null {
    let at = 0;
    for (const span of this.done) {
      if (span.start > at) return { start: at, end: span.start };
      at = span.end;
    }
    return at < this.size ? { start: at, end: this.size } : null;
  }

  /** Reserves [start, end) for one slice; refused past the announced size or over any other slice's bytes. */
  claim(start: number, end: number): ClaimAnswer {
    if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end < start) throw new RangeError(`bad span ${start}-${end}`);
    if (end > this.size) return { ok: false, why: 'pastEnd', span: { start, end } };
    if (end > start) {
      const other = this.overlapping(start, end);
      if (other) return { ok: false, why: 'overlap', span: other };
      // A slice that continues a received span merges into it whatever it brings: it adds no span,
      // and refusing it would leave a scattered upload's gaps unfillable. One from byte 0 adds at
      // most one span, once.
      if (this.done.length + this.claims.size >= MAX_SPANS && start !== 0 && !this.continuesReceived(start)) return { ok: false, why: 'scattered', span: { start, end } };
    }
    const id = this.nextId++;
    this.claims.set(id, { start, end, taken: 0 });
    return { ok: true, id };
  }

  /** `bytes` more of the slice's bytes taken; false (nothing recorded) when they would pass its end. */
  take(id: number, bytes: number): boolean {
    const claim = this.claimOf(id);
    if (claim.start + claim.taken + bytes > claim.end) return false;
    claim.taken += bytes;
    return true;
  }

  /** The span the slice claimed. */
  span(id: number): Span {
    const claim = this.claimOf(id);
    return { start: claim.start, end: claim.end };
  }

  /** Where the slice's next byte goes. */
  position(id: number): number {
    const claim = this.claimOf(id);
    return claim.start + claim.taken;
  }

  /** The slice's body ended well: what it took is received; the rest of its span is free again. */
  commit(id: number): void {
    const claim = this.claimOf(id);
    this.claims.delete(id);
    if (claim.taken > 0) this.add({ start: claim.start, end: claim.start + claim.taken });
  }

  /** The slice failed: none of it counts, and its whole span may be sent again. */
  release(id: number): Span {
    const claim = this.claimOf(id);
    this.claims.delete(id);
    return { start: claim.start, end: claim.end };
  }

  /** Whether every byte of [start, end) is received: a slice whose answer was lost, sent again. */
  holds(start: number, end: number): boolean {
    // Received spans never touch one another, so one span holds all of it or none does.
    return end > start && this.done.some((span) => span.start <= start && end <= span.end);
  }

  /** Whether every byte of [start, end) is received or taken by a slice on its way. */
  covered(start: number, end: number): boolean {
    const spans = [...this.done, ...[...this.claims.values()].map((c) => ({ start: c.start, end: c.start + c.taken }))].sort((a, b) => a.start - b.start);
    let at = start;
    for (const span of spans) {
      if (span.start > at) break;
      at = Math.max(at, span.end);
      if (at >= end) return true;
    }
    return at >= end;
  }

  private continuesReceived(start: number): boolean {
    return this.done.some((span) => span.end === start);
  }

  private overlapping(start: number, end: number): Span | null {
    for (const span of this.done) if (span.start < end && start < span.end) return { start: span.start, end: span.end };
    for (const claim of this.claims.values()) if (claim.end > claim.start && claim.start < end && start < claim.end) return { start: claim.start, end: claim.end };
    return null;
  }

  private claimOf(id: number): Claim {
    const claim = this.claims.get(id);
    if (!claim) throw new Error(`no slice ${id} on its way`);
    return claim;
  }

  /** Inserts a span no other overlaps, merging it with the ones it touches. */
  private add(span: Span): void {
    this.receivedBytes += span.end - span.start;
    let i = 0;
    while (i < this.done.length && (this.done[i] as Span).end < span.start) i++;
    let merged = span;
    let removed = 0;
    while (i + removed < this.done.length && (this.done[i + removed] as Span).start <= merged.end) {
      const other = this.done[i + removed] as Span;
      merged = { start: Math.min(merged.start, other.start), end: Math.max(merged.end, other.end) };
      removed++;
    }
    this.done.splice(i, removed, merged);
  }
}
