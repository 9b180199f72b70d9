// In-process delivery of run events to subscribers: the IPC and WebSocket transports and the CLI
// subscribe here. A listener that throws does not stop the others, nor the engine.
// A run's events go to that run's subscribers and to those of every run (`null`); the app's own
// events (runId null) belong to no run and go to the `null` subscribers only, once.
import type { RlmEvent, Unsubscribe } from '../../shared/api';

type Listener = (event: RlmEvent) => void;

export class EventBus {
  private readonly listeners = new Map<string | null, Set<Listener>>();

  subscribe(runId: string | null, listener: Listener): Unsubscribe {
    let set = this.listeners.get(runId);
    if (!set) {
      set = new Set();
      this.listeners.set(runId, set);
    }
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0 && this.listeners.get(runId) === set) this.listeners.delete(runId);
    };
  }

  emit(event: RlmEvent): void {
    const keys = event.runId === null ? [null] : [event.runId, null];
    for (const key of keys) {
      const set = this.listeners.get(key);
      if (!set) continue;
      for (const listener of [...set]) {
        try {
          listener(event);
        } catch {
          // A subscriber's failure is its own.
        }
      }
    }
  }

  get size(): number {
    let n = 0;
    for (const set of this.listeners.values()) n += set.size;
    return n;
  }
}
