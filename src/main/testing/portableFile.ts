// The bytes of a run written as a portable file (interop/portable), in memory: the portable
// format's tests read them back, damage them or restore them.
import { PassThrough } from 'node:stream';
import type Database from 'better-sqlite3';
import { exportSourceFor } from '../interop/exportSource';
import { writePortable } from '../interop/portable/index';

export async function exported(db: Database.Database, runId: string): Promise<Buffer> {
  const out = new PassThrough();
  const parts: Buffer[] = [];
  out.on('data', (part: Buffer) => parts.push(part));
  await writePortable(exportSourceFor(db), runId, out);
  return Buffer.concat(parts);
}
