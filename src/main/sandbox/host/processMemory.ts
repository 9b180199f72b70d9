import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';

/**
 * Resident memory of another process in bytes. Linux reads /proc (cheap enough to poll every
 * 200 ms); macOS asks `ps`; elsewhere null, and the V8 heap cap is the only guard.
 */
export async function residentBytes(pid: number): Promise<number | null> {
  if (process.platform === 'linux') {
    try {
      const status = await readFile(`/proc/${pid}/status`, 'utf8');
      const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
      return match ? Number(match[1]) * 1024 : null;
    } catch {
      return null;
    }
  }
  if (process.platform === 'darwin') {
    return new Promise((resolve) => {
      execFile('ps', ['-o', 'rss=', '-p', String(pid)], (error, stdout) => {
        const kb = Number.parseInt(String(stdout).trim(), 10);
        resolve(error || Number.isNaN(kb) ? null : kb * 1024);
      });
    });
  }
  return null;
}
