// Decides whether the process that owns a still-active run is alive, for RunRepository.markInterrupted.
import { hostname } from 'node:os';
import type { OwnerCheck } from './runRepository';

export interface OwnerCheckOptions {
  now: number;
  /** A heartbeat older than this means the owner is gone, even if its pid exists. */
  staleMs: number;
  /** This machine's name; defaults to os.hostname(). */
  host?: string;
}

/**
 * On this machine the owner must still exist; anywhere, its heartbeat must be fresh. The pid
 * alone is not enough: after a reboot (or in a container, where pids restart from 1) the pid of
 * a dead owner is often reused by an unrelated process, even by the one asking.
 */
export function ownerCheck(options: OwnerCheckOptions): OwnerCheck {
  const host = options.host ?? hostname();
  return (pid, ownerHost, heartbeatAt) => {
    if (heartbeatAt === null || options.now - heartbeatAt > options.staleMs) return false;
    return ownerHost !== host || isProcessAlive(pid);
  };
}

export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0); // signal 0 checks existence and delivers nothing
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to another user.
    return (error as { code?: unknown }).code === 'EPERM';
  }
}
