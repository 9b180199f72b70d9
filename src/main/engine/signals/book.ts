// The signals that hold now, and what one event changed in them: the ledger every detector part
// writes to. A change is told when what the user reads (message, node) differs.
import type { DetectedSignal, SignalChange } from '../../../shared/domain/signals';

export class SignalBook {
  private readonly current = new Map<string, DetectedSignal>();
  private changes: SignalChange[] = [];

  has(id: string): boolean {
    return this.current.has(id);
  }

  get(id: string): DetectedSignal | undefined {
    return this.current.get(id);
  }

  /** Records the signal's state; new, or changed when its message or node differs. */
  report(signal: DetectedSignal): void {
    const previous = this.current.get(signal.id);
    this.current.set(signal.id, signal);
    if (!previous) this.changes.push({ change: 'new', signal });
    else if (previous.message !== signal.message || previous.nodeId !== signal.nodeId) this.changes.push({ change: 'changed', signal });
  }

  withdraw(id: string): void {
    const previous = this.current.get(id);
    if (!previous) return;
    this.current.delete(id);
    this.changes.push({ change: 'withdrawn', signal: previous });
  }

  /** The changes since the last call. */
  takeChanges(): SignalChange[] {
    const changes = this.changes;
    this.changes = [];
    return changes;
  }

  /** In the order they first appeared. */
  all(): DetectedSignal[] {
    return [...this.current.values()];
  }

  get size(): number {
    return this.current.size;
  }
}
