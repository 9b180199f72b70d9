import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { Semaphore, StepGate } from './concurrency';

describe('Semaphore', () => {
  it('lets `size` holders in and queues the rest in order', async () => {
    const semaphore = new Semaphore(2);
    const signal = new AbortController().signal;
    const order: number[] = [];
    const first = await semaphore.acquire(signal);
    await semaphore.acquire(signal);
    const third = semaphore.acquire(signal).then((release) => (order.push(3), release));
    const fourth = semaphore.acquire(signal).then((release) => (order.push(4), release));
    await Promise.resolve();
    expect(order).toEqual([]);
    first();
    first(); // releasing twice frees one slot only
    await third;
    expect(order).toEqual([3]);
    (await third)();
    await fourth;
    expect(order).toEqual([3, 4]);
  });

  it('follows the run signal with one listener however many wait', async () => {
    const semaphore = new Semaphore(1);
    const controller = new AbortController();
    await semaphore.acquire(controller.signal);
    const waiting = Array.from({ length: 1000 }, () => semaphore.acquire(controller.signal).catch((error: Error) => error.message));
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1);
    controller.abort(new Error('stopped'));
    expect(new Set(await Promise.all(waiting))).toEqual(new Set(['stopped']));
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  it('rejects a waiter whose signal aborts', async () => {
    const semaphore = new Semaphore(1);
    await semaphore.acquire(new AbortController().signal);
    const controller = new AbortController();
    const waiting = semaphore.acquire(controller.signal);
    controller.abort(new Error('stopped'));
    await expect(waiting).rejects.toThrow('stopped');
  });
});

describe('StepGate', () => {
  it('holds steps while paused, lets one through per step, and all on resume', async () => {
    const gate = new StepGate();
    const signal = new AbortController().signal;
    await gate.pass(signal);
    gate.pause();
    const passed: string[] = [];
    const a = gate.pass(signal).then(() => passed.push('a'));
    const b = gate.pass(signal).then(() => passed.push('b'));
    await Promise.resolve();
    expect(passed).toEqual([]);
    gate.step();
    await a;
    expect(passed).toEqual(['a']);
    gate.resume();
    await b;
    expect(passed).toEqual(['a', 'b']);
  });

  it('releases waiters when the run stops', async () => {
    const gate = new StepGate();
    gate.pause();
    const controller = new AbortController();
    const waiting = gate.pass(controller.signal);
    controller.abort(new Error('stopped'));
    await expect(waiting).rejects.toThrow('stopped');
  });

  it('gives a Step to a call that will be made, not to one whose cell ended while it waited', async () => {
    const gate = new StepGate();
    gate.pause();
    const run = new AbortController().signal;
    const stoppedChild = new AbortController();
    const passed: string[] = [];
    const a = gate.pass(run, stoppedChild.signal).then(
      () => passed.push('a'),
      (error: Error) => passed.push(`a left: ${error.message}`),
    );
    const b = gate.pass(run, new AbortController().signal).then(() => passed.push('b'));
    stoppedChild.abort(new Error('the user stopped this child RLM'));
    await a;
    gate.step();
    await b;
    expect(passed).toEqual(['a left: the user stopped this child RLM', 'b']);
  });

  it('refuses at once a call whose own signal has already aborted', async () => {
    const gate = new StepGate();
    gate.pause();
    const own = new AbortController();
    own.abort(new Error('cell over'));
    await expect(gate.pass(new AbortController().signal, own.signal)).rejects.toThrow('cell over');
  });
});
