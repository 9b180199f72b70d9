import { randomBytes } from 'node:crypto';

/** Sortable and readable: `r-20261125-131200-3fa9c1`. */
export function newRunId(now = new Date()): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  const date = `${now.getUTCFullYear()}${pad(now.getUTCMonth() + 1)}${pad(now.getUTCDate())}`;
  const time = `${pad(now.getUTCHours())}${pad(now.getUTCMinutes())}${pad(now.getUTCSeconds())}`;
  return `r-${date}-${time}-${randomBytes(3).toString('hex')}`;
}
