// Follow mode in the DOM: after the tree changed, scroll the newest row into view while
// following; stop following when the reader scrolls up or drags the scrollbar, resume when they
// scroll back to the end.
import { useLayoutEffect, useRef, type RefObject } from 'react';
import type { Virtualizer } from '@tanstack/react-virtual';
import { isActive } from '../runModel';
import type { RunRepository } from '../runStore';
import { useRunState } from '../useRunState';
import { followScrollTarget } from './follow';

export function useTreeFollow(store: RunRepository, scroller: RefObject<HTMLDivElement | null>, virtualizer: Virtualizer<HTMLDivElement, Element>, rowHeight: number) {
  const version = useRunState(store, (s) => s.treeVersion);
  const following = useRunState(store, (s) => s.following);
  const runActive = useRunState(store, (s) => s.run !== null && isActive(s.run.status));

  useLayoutEffect(() => {
    const el = scroller.current;
    const { model, rows } = store.state.getState();
    if (!el || !model || !rows) return;
    // The viewport as the virtualiser last saw it, not read from the DOM: a read here would force
    // a layout right after this frame's commit, and scrollToIndex would add a few more. One
    // write of scrollTop is all a frame of a live run pays for following.
    const view = { scrollTop: virtualizer.scrollOffset ?? 0, height: virtualizer.scrollRect?.height ?? 0, rowHeight };
    const target = followScrollTarget(following, runActive, model.tree, rows, view);
    if (target !== null) el.scrollTop = Math.max(0, (target + 1) * rowHeight - view.height);
  }, [store, scroller, virtualizer, rowHeight, version, following, runActive]);

  // When the reader last scrolled by hand: only their own scrolling back to the end resumes
  // following (scrolls made by the keyboard or by follow mode itself do not).
  const handScrolledAt = useRef(0);
  const atEnd = (el: HTMLElement) => el.scrollTop > 0 && el.scrollTop + el.clientHeight >= el.scrollHeight - rowHeight / 2;
  return {
    following,
    runActive,
    /** Wheel up, or a press on the scrollbar: the reader takes over the scrolling. */
    onWheel(e: { deltaY: number; currentTarget: HTMLElement }) {
      handScrolledAt.current = performance.now();
      if (e.deltaY < 0 && e.currentTarget.scrollHeight > e.currentTarget.clientHeight) store.setFollowing(false);
    },
    onPointerDown(e: { clientX: number; currentTarget: HTMLElement }) {
      const el = e.currentTarget;
      if (e.clientX <= el.getBoundingClientRect().left + el.clientWidth) return;
      handScrolledAt.current = performance.now();
      store.setFollowing(false);
    },
    /** Scrolling back to the end by hand resumes following, as in a terminal. */
    onScroll(e: { currentTarget: HTMLElement }) {
      const byHand = performance.now() - handScrolledAt.current < 1000;
      if (byHand && runActive && !store.state.getState().following && atEnd(e.currentTarget)) store.setFollowing(true);
    },
    resume: () => store.setFollowing(true),
  };
}
