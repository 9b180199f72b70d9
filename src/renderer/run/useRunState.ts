// Reads one slice of the open run's state; re-renders only when that slice changes. Selectors
// must return primitives or references held in the state (a new object each call would loop).
import { useStore } from 'zustand';
import type { RunRepository, RunViewState } from './runStore';

export function useRunState<T>(store: RunRepository, selector: (state: RunViewState) => T): T {
  return useStore(store.state, selector);
}
