// The last few node payloads fetched, so going back and forth between nodes does not refetch.
// Keyed by node id and the node's payload revision (treeModel `payloadRev`): a newer revision
// is fetched again, while the older payload is still shown instead of a blank.

export interface CachedPayload<T> {
  rev: number;
  value: T;
}

export class PayloadCache<T> {
  private readonly entries = new Map<number, CachedPayload<T>>();

  constructor(private readonly limit = 16) {}

  /** The payload of this exact revision, if held. */
  get(id: number, rev: number): T | undefined {
    const entry = this.entries.get(id);
    return entry && entry.rev === rev ? entry.value : undefined;
  }

  /** Whatever revision is held for the node (shown while a newer one loads). */
  latest(id: number): CachedPayload<T> | undefined {
    return this.entries.get(id);
  }

  set(id: number, rev: number, value: T): void {
    const held = this.entries.get(id);
    // A slow answer for an older revision must not replace a newer one.
    if (held && held.rev > rev) return;
    this.entries.delete(id);
    this.entries.set(id, { rev, value });
    // Maps iterate in insertion order: the first key is the least recently stored.
    while (this.entries.size > this.limit) {
      const oldest = this.entries.keys().next().value as number;
      this.entries.delete(oldest);
    }
  }
}
