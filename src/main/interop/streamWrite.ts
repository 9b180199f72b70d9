// Writing an export to a Node stream with backpressure: a large export streams to its file or
// socket instead of piling up in memory behind a slow disk.
import { once } from 'node:events';
import type { Writable } from 'node:stream';

/** Writes `chunk`, and waits for the stream to drain when its buffer is full. */
export async function writeChunk(out: Writable, chunk: string | Uint8Array): Promise<void> {
  if (out.write(chunk)) return;
  // 'error' rejects the wait; a destroyed stream would otherwise never drain.
  await once(out, 'drain');
}
