import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { isProcessAlive, ownerCheck } from './ownerCheck';

describe('ownerCheck', () => {
  const now = 100_000;
  const alive = ownerCheck({ now, staleMs: 30_000, host: 'here' });
  const deadPid = spawnSync(process.execPath, ['-e', '']).pid;

  it('tells a live local owner from a dead one', () => {
    expect(isProcessAlive(process.pid)).toBe(true);
    expect(isProcessAlive(deadPid)).toBe(false);
    expect(alive(process.pid, 'here', now - 1_000)).toBe(true);
    expect(alive(deadPid, 'here', now - 1_000)).toBe(false);
  });

  it('counts an owner with a stale or missing heartbeat as gone, even if its pid exists', () => {
    expect(alive(process.pid, 'here', now - 60_000)).toBe(false);
    expect(alive(process.pid, 'here', null)).toBe(false);
  });

  it('judges an owner on another machine by its heartbeat alone', () => {
    expect(alive(deadPid, 'elsewhere', now - 1_000)).toBe(true);
    expect(alive(deadPid, 'elsewhere', now - 60_000)).toBe(false);
  });
});
