// The input of the scan and load benchmarks: an ASCII log of an exact size with one needle line
// near the end, written a megabyte at a time so the bench process never holds the whole file.
import { closeSync, openSync, writeSync } from 'node:fs';

/** What the benchmarks search for: the only FATAL line, with the only 7-digit request id. */
export const NEEDLE_TEXT = 'id=9424242';
export const NEEDLE_REGEX = String.raw`/FATAL \S+ request id=(\d+)/`;

export interface LogFile {
  path: string;
  bytes: number;
  /** Offsets of "FATAL" (where NEEDLE_REGEX matches) and of NEEDLE_TEXT in the file and in the string. */
  fatalAt: number;
  needleAt: number;
}

const LEVELS = ['INFO', 'DEBUG', 'INFO', 'WARN', 'INFO'];
const CHUNK = 1024 * 1024;

function two(n: number): string {
  return String(n).padStart(2, '0');
}

function logLine(i: number, level = LEVELS[i % LEVELS.length], id = 100_000 + ((i * 7919) % 900_000)): string {
  const time = `2024-05-${two(1 + (i % 28))}T${two(i % 24)}:${two(i % 60)}:${two((i * 7) % 60)}.${String(i % 1000).padStart(3, '0')}Z`;
  const status = i % 53 === 0 ? 404 : 200;
  return `${time} ${level} worker-${i % 16} request id=${id} user=u${i % 5000} path=/api/v1/items/${i % 997} status=${status} took=${i % 300}ms\n`;
}

export function writeLogFile(path: string, bytes: number): LogFile {
  const fd = openSync(path, 'w');
  const needleFrom = Math.floor(bytes * 0.99);
  let written = 0;
  let line = 0;
  let fatalAt = -1;
  let needleAt = -1;
  try {
    while (written < bytes) {
      let chunk = '';
      while (chunk.length < CHUNK) {
        if (fatalAt < 0 && written + chunk.length >= needleFrom) {
          const fatal = logLine(line++, 'FATAL', 9_424_242);
          fatalAt = written + chunk.length + fatal.indexOf('FATAL');
          needleAt = written + chunk.length + fatal.indexOf(NEEDLE_TEXT);
          chunk += fatal;
        } else {
          chunk += logLine(line++);
        }
      }
      const room = bytes - written;
      // The last line is cut to size; it still ends the file with a newline.
      if (chunk.length >= room) chunk = `${chunk.slice(0, room - 1)}\n`;
      written += writeSync(fd, chunk);
    }
  } finally {
    closeSync(fd);
  }
  if (fatalAt < 0) throw new Error('the log is too small for its needle');
  return { path, bytes, fatalAt, needleAt };
}
