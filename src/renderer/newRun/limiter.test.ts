import { describe, expect, it } from 'vitest';
import { createLimiter } from './limiter';

describe('createLimiter', () => {
  it('runs at most N tasks at once, in order, and passes results and errors on', async () => {
    const limit = createLimiter(2);
    let running = 0;
    let peak = 0;
    const order: number[] = [];
    const task = (i: number) => async () => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, 5));
      running--;
      order.push(i);
      if (i === 3) throw new Error('three');
      return i * 10;
    };
    const results = await Promise.allSettled([0, 1, 2, 3, 4].map((i) => limit(task(i))));
    expect(peak).toBe(2);
    expect(order.slice().sort()).toEqual([0, 1, 2, 3, 4]);
    expect(results[1]).toEqual({ status: 'fulfilled', value: 10 });
    expect(results[3]).toMatchObject({ status: 'rejected' });
  });
});
