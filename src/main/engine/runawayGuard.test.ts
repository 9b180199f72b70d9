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

  it('does not take silent turns, or replies without code, for a loop of code', () => {
    const guard = new RunawayGuard(3);
    for (const code of ['const a = 1', 'const b = 2', 'const c = 3', 'const d = 4']) expect(guard.observe(code, '').action).toBe('ok');
    for (const reply of ['I will look.', 'Let me think.', 'Now the answer.']) expect(guard.observe(null, reply).action).toBe('ok');
  });

  it('counts the same reply without code, over and over', () => {
    const guard = new RunawayGuard(3);
    guard.observe(null, 'I cannot do that.');
    guard.observe(null, 'I cannot do that.');
    expect(guard.observe(null, 'I cannot do that.')).toEqual({ action: 'warn', what: 'produced the same output', turns: 3 });
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
