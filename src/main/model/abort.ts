// Cancellation helpers for model calls. A run hands one AbortSignal to every call it makes,
// often hundreds at once; each call must follow that signal without adding its own listener to
// it (DESIGN §4: listeners pile up, every add/remove walks the list, Node warns past 10).

export function isAbortError(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { name?: unknown }).name === 'AbortError';
}

/** The error a cancelled call rejects with: the signal's reason when it is an AbortError. */
export function abortError(signal: AbortSignal): Error {
  if (isAbortError(signal.reason)) return signal.reason as Error;
  const error = new Error('the model call was aborted', { cause: signal.reason });
  error.name = 'AbortError';
  return error;
}

interface Fanout {
  callbacks: Set<() => void>;
  fire: () => void;
}

const fanouts = new WeakMap<AbortSignal, Fanout>();

/**
 * Runs callback when signal aborts, through a single listener per signal shared by every caller;
 * that listener is removed once the last caller unlinks. Returns the unlink function.
 */
export function linkAbort(signal: AbortSignal | undefined, callback: () => void): () => void {
  if (!signal) return () => {};
  if (signal.aborted) {
    // Too late for a listener; still tell the caller, but not before it has its unlink function.
    queueMicrotask(callback);
    return () => {};
  }
  let fanout = fanouts.get(signal);
  if (!fanout) {
    const callbacks = new Set<() => void>();
    const fire = (): void => {
      fanouts.delete(signal);
      for (const cb of [...callbacks]) cb();
      callbacks.clear();
    };
    fanout = { callbacks, fire };
    fanouts.set(signal, fanout);
    signal.addEventListener('abort', fire, { once: true });
  }
  const linked = fanout;
  // A fresh function per link, so linking the same callback twice needs two unlinks.
  const entry = (): void => callback();
  linked.callbacks.add(entry);
  return () => {
    if (!linked.callbacks.delete(entry) || linked.callbacks.size > 0) return;
    signal.removeEventListener('abort', linked.fire);
    if (fanouts.get(signal) === linked) fanouts.delete(signal);
  };
}

/** A wait that rejects with an AbortError as soon as the signal aborts, and leaves nothing behind. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(abortError(signal));
      return;
    }
    const unlink = linkAbort(signal, () => {
      clearTimeout(timer);
      reject(abortError(signal as AbortSignal));
    });
    const timer = setTimeout(() => {
      unlink();
      resolve();
    }, ms);
  });
}
