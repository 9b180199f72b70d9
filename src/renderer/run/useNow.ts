// Clocks for elapsed times.
import { useEffect, useState } from 'react';
import { isActive } from './runModel';
import type { RunRepository } from './runStore';
import { useRunState } from './useRunState';

/** The current time, ticking while `ticking` is true. */
export function useNow(ticking: boolean, everyMs = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!ticking) return;
    setNow(Date.now());
    const timer = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(timer);
  }, [ticking, everyMs]);
  return now;
}

/**
 * "Now" for the run's running nodes: ticking once a second while the run goes (and fresh on any
 * render in between); once the run has ended, its end, so that a node still marked running (an
 * interrupted run) stops counting.
 */
export function useRunClock(store: RunRepository): number {
  const active = useRunState(store, (s) => s.run !== null && isActive(s.run.status));
  const endedAt = useRunState(store, (s) => s.run?.endedAt ?? null);
  const ticking = useNow(active);
  return active || endedAt === null ? Math.max(ticking, Date.now()) : endedAt;
}
