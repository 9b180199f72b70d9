import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { abortError, isAbortError, linkAbort, sleep } from './abort';

describe('linkAbort', () => {
  it('shares one listener among all links and removes it with the last unlink', () => {
    const controller = new AbortController();
    const unlinks = Array.from({ length: 50 }, () => linkAbort(controller.signal, () => {}));
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1);
    for (const unlink of unlinks.slice(1)) unlink();
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1);
    unlinks[0]?.();
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    // Relinking after everything was unlinked still works.
    let fired = false;
    linkAbort(controller.signal, () => (fired = true));
    controller.abort();
    expect(fired).toBe(true);
  });

  it('calls every linked callback once on abort, and no unlinked one', () => {
    const controller = new AbortController();
    const calls: string[] = [];
    linkAbort(controller.signal, () => calls.push('a'));
    const unlinkB = linkAbort(controller.signal, () => calls.push('b'));
    const unlinkC = linkAbort(controller.signal, () => calls.push('c'));
    unlinkB();
    controller.abort();
    unlinkC(); // unlinking after the abort is harmless
    controller.abort();
    expect(calls).toEqual(['a', 'c']);
  });

  it('still reports a signal that was already aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    let fired = false;
    linkAbort(controller.signal, () => (fired = true));
    expect(fired).toBe(false);
    await Promise.resolve();
    expect(fired).toBe(true);
  });
});

describe('sleep', () => {
  it('resolves after the delay and leaves no listener', async () => {
    const controller = new AbortController();
    const started = Date.now();
    await sleep(30, controller.signal);
    expect(Date.now() - started).toBeGreaterThanOrEqual(25);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  it('rejects with an AbortError as soon as the signal aborts', async () => {
    const controller = new AbortController();
    const started = Date.now();
    setTimeout(() => controller.abort(), 10);
    const error = await sleep(10_000, controller.signal).catch((e: unknown) => e);
    expect(isAbortError(error)).toBe(true);
    expect(Date.now() - started).toBeLessThan(1000);
  });
});

describe('abortError', () => {
  it('keeps an AbortError reason and wraps any other one', () => {
    const plain = new AbortController();
    plain.abort();
    expect(abortError(plain.signal)).toBe(plain.signal.reason);
    const custom = new AbortController();
    custom.abort(new Error('run stopped by user'));
    const error = abortError(custom.signal);
    expect(isAbortError(error)).toBe(true);
    expect((error.cause as Error).message).toBe('run stopped by user');
    expect(isAbortError(new Error('x'))).toBe(false);
  });
});
