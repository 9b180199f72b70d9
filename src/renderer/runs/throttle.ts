// At most one call per interval however many events ask: the first at once, the rest folded
// into one trailing call, so the list never misses the last change of a burst.

export interface Throttled {
  (): void;
  /** Drops a pending trailing call; the throttle can be used again after. */
  cancel(): void;
}

export function throttle(fn: () => void, intervalMs: number, now: () => number = Date.now): Throttled {
  let last = -Infinity;
  let timer: ReturnType<typeof setTimeout> | null = null;

  const fire = () => {
    timer = null;
    last = now();
    fn();
  };

  const throttled = (() => {
    if (timer !== null) return;
    const wait = last + intervalMs - now();
    if (wait <= 0) fire();
    else timer = setTimeout(fire, wait);
  }) as Throttled;

  throttled.cancel = () => {
    if (timer !== null) clearTimeout(timer);
    timer = null;
  };
  return throttled;
}
