import { readdirSync, readFileSync } from 'node:fs';

/** Pids of live sandbox processes forked by this process (Linux: read from /proc). */
export function sandboxChildren(parent = process.pid): number[] {
  return childrenRunning('sandbox.js', parent);
}

/** Pids of live processes started by this process whose command line holds `mark` (Linux). */
export function childrenRunning(mark: string, parent = process.pid): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const state = fields[0];
      const ppid = Number(fields[1]);
      if (ppid !== parent || state === 'Z') continue;
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(mark)) pids.push(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  return pids;
}
