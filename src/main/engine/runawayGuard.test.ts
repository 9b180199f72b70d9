import { describe, expect, it } from 'vitest';
import { RunawayGuard } from './runawayGuard';

describe('RunawayGuard', () => {
  it('warns on the third identical turn and stops on the fourth', () => {
    const guard = new RunawayGuard(3);
    expect(guard.observe('a', 'x').action).toBe('ok');
    expect(guard.observe('a', 'x').action).toBe('ok');
    expect(guard.observe('a', 'x')).toEqual({ action: 'warn', what: 'ran the same code', turns: 3 });
    expect(guard.observe('a', 'x')).toEqual({ action: 'stop', what: 'ran the same code', turns: 4 });
  });

  it('counts the same output from different code', () => {
    const guard = new RunawayGuard(3);
    guard.observe('a', 'same');
    guard.observe('b', 'same');
    expect(guard.observe('c', 'same')).toEqual({ action: 'warn', what: 'produced the same output', turns: 3 });
  });

  it('forgives a loop the model broke out of', () => {
    const guard = new RunawayGuard(2);
    guard.observe('a', 'x');
    expect(guard.observe('a', 'x').action).toBe('warn');
    expect(guard.observe('b', 'y').action).toBe('ok');
    guard.observe('c', 'z');
    expect(guard.observe('c', 'z').action).toBe('warn');
  });
});
