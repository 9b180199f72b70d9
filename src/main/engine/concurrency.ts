// Two small waiting rooms the engine needs: a semaphore bounding model calls in flight over a
// whole run, and a gate that holds every step while a run is paused. Hundreds of waiters follow
// the run's one signal through linkAbort's shared listener, not a listener each.
import { linkAbort } from '../model/abort';

export class Semaphore {
  private available: number;
  private readonly waiting: Array<() => void> = [];

  constructor(size: number) {
    this.available = size;
  }

  /** Resolves to a release function; rejects if `signal` aborts while waiting. */
  acquire(signal: AbortSignal): Promise<() => void> {
    if (signal.aborted) return Promise.reject(signal.reason);
    if (this.available > 0) {
      this.available--;
      return Promise.resolve(this.releaser());
    }
    return new Promise((resolve, reject) => {
      const unlink = linkAbort(signal, () => {
        const index = this.waiting.indexOf(grant);
        if (index !== -1) this.waiting.splice(index, 1);
        reject(signal.reason);
      });
      const grant = () => {
        unlink();
        resolve(this.releaser());
      };
      this.waiting.push(grant);
    });
  }

  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiting.shift();
      if (next) next();
      else this.available++;
    };
  }
}

export class StepGate {
  private paused = false;
  private steps = 0;
  private readonly waiting = new Set<() => void>();

  get isPaused(): boolean {
    return this.paused;
  }

  /**
   * Waits while paused (a step lets one waiter through); rejects if `signal` aborts, or `own`: a
   * call whose cell or RLM ended while it waited leaves at once, so the next Step goes to a call
   * that will be made rather than to one that would only throw.
   */
  pass(signal: AbortSignal, own?: AbortSignal): Promise<void> {
    if (signal.aborted) return Promise.reject(signal.reason);
    if (own?.aborted) return Promise.reject(own.reason);
    if (!this.paused) return Promise.resolve();
    if (this.steps > 0) {
      this.steps--;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const leave = (reason: unknown) => {
        unlinks.forEach((unlink) => unlink());
        this.waiting.delete(wake);
        reject(reason);
      };
      const unlinks = [linkAbort(signal, () => leave(signal.reason))];
      if (own) unlinks.push(linkAbort(own, () => leave(own.reason)));
      const wake = () => {
        unlinks.forEach((unlink) => unlink());
        resolve();
      };
      this.waiting.add(wake);
    });
  }

  pause(): void {
    this.paused = true;
    this.steps = 0;
  }

  resume(): void {
    this.paused = false;
    this.steps = 0;
    for (const wake of [...this.waiting]) wake();
    this.waiting.clear();
  }

  /** While paused: let exactly one step through. */
  step(): void {
    if (!this.paused) return;
    const first = this.waiting.values().next();
    if (first.done) {
      // Nothing waits yet: the next step may go. Pressing Step again before then does not
      // store up more steps.
      this.steps = 1;
      return;
    }
    this.waiting.delete(first.value);
    first.value();
  }
}
