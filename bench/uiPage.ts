/// <reference lib="dom" />
// What the UI benchmarks measure inside the page. Each function is handed to page.evaluate, so
// it is self-contained: no imports, no closures over this module.

/** Opens a run by its route and resolves with the milliseconds until its tree shows rows. */
export function openRunAndTime(runId: string): Promise<number> {
  return new Promise((resolve, reject) => {
    performance.clearMarks();
    const started = performance.now();
    location.hash = `#/runs/${encodeURIComponent(runId)}`;
    const deadline = started + 60_000;
    const poll = () => {
      const tree = document.querySelector('[role="tree"][aria-label="Recursion tree"]');
      if (tree && tree.querySelector('[role="treeitem"]')) return resolve(performance.now() - started);
      if (performance.now() > deadline) return reject(new Error('the tree did not show within 60 s'));
      requestAnimationFrame(poll);
    };
    requestAnimationFrame(poll);
  });
}

/**
 * Frame intervals (ms between consecutive animation frames) over `durationMs`. With
 * `scrollPx`, the recursion tree's scrolling element moves that far each frame (a fast wheel
 * scroll), turning back at either end.
 */
export function frameIntervals(args: { durationMs: number; scrollPx: number }): Promise<number[]> {
  return new Promise((resolve) => {
    const tree = document.querySelector('[role="tree"][aria-label="Recursion tree"]') as HTMLElement | null;
    let scroller: HTMLElement | null = tree;
    while (scroller && scroller.scrollHeight <= scroller.clientHeight) scroller = scroller.parentElement;
    const intervals: number[] = [];
    let direction = 1;
    let last = -1;
    const end = performance.now() + args.durationMs;
    const frame = (now: number) => {
      if (last >= 0) intervals.push(now - last);
      last = now;
      if (args.scrollPx > 0 && scroller) {
        const max = scroller.scrollHeight - scroller.clientHeight;
        let next = scroller.scrollTop + direction * args.scrollPx;
        if (next >= max || next <= 0) {
          direction = -direction;
          next = Math.min(Math.max(next, 0), max);
        }
        scroller.scrollTop = next;
      }
      if (now < end) requestAnimationFrame(frame);
      else resolve(intervals);
    };
    requestAnimationFrame(frame);
  });
}

/**
 * Frame intervals while the "Step" slider (time travel) moves `stride` steps every frame, as a
 * dragged thumb does, turning back at either end. The first move builds the steps index: it is
 * made before measuring, so the figure is that of scrubbing.
 */
export function scrubFrameIntervals(args: { durationMs: number; stride: number }): Promise<number[]> {
  const slider = document.querySelector('input[type="range"]#run-step') as HTMLInputElement;
  const setValue = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')?.set as (this: HTMLInputElement, v: string) => void;
  const move = (to: number) => {
    setValue.call(slider, String(to));
    slider.dispatchEvent(new Event('input', { bubbles: true }));
  };
  const max = Number(slider.max);
  move(Math.floor(max / 2));
  return new Promise((resolve) => {
    const intervals: number[] = [];
    let at = Math.floor(max / 2);
    let direction = 1;
    let last = -1;
    let end = -1;
    const frame = (now: number) => {
      if (end < 0) end = now + args.durationMs;
      if (last >= 0) intervals.push(now - last);
      last = now;
      at += direction * args.stride;
      if (at >= max - 1 || at <= 0) {
        direction = -direction;
        at = Math.min(Math.max(at, 0), max - 1);
      }
      move(at);
      if (now < end) requestAnimationFrame(frame);
      else {
        move(max);
        resolve(intervals);
      }
    };
    // Two frames for the index built by the first move to be drawn before measuring.
    requestAnimationFrame(() => requestAnimationFrame(frame));
  });
}

/** How many tree rows the page has in the DOM, and how many nodes its tree says it holds. */
export function treeRowCount(): number {
  return document.querySelectorAll('[role="tree"][aria-label="Recursion tree"] [role="treeitem"]').length;
}

/** Goes back to the runs list (the run view unmounts). */
export function showRunsList(): void {
  location.hash = '#/runs';
}

/** Milliseconds between the run store's user-timing marks of the last open (rlm.open.*). */
export function openPhases(): Record<string, number> {
  const at = (name: string) => performance.getEntriesByName(name).at(-1)?.startTime ?? Number.NaN;
  return {
    fetch: at('rlm.open.received') - at('rlm.open.requested'),
    decode: at('rlm.open.decoded') - at('rlm.open.received'),
    build: at('rlm.open.built') - at('rlm.open.decoded'),
    whole: at('rlm.open.complete') - at('rlm.open.requested'),
  };
}

/** Resolves once the open run's whole index has arrived (the rlm.open.complete mark). */
export function wholeIndexLoaded(): Promise<void> {
  return new Promise((resolve) => {
    const poll = () => (performance.getEntriesByName('rlm.open.complete').length > 0 ? resolve() : requestAnimationFrame(poll));
    poll();
  });
}
