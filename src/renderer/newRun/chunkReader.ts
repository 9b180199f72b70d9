// Base64 of a file's slice, read in a worker (chunkWorker.ts) so the window never waits on it;
// where a worker cannot start, FileReader on the page does the same, more slowly.
import type { ChunkReply } from './chunkWorker';
import { readBase64 } from './uploadFile';

let worker: Worker | null | undefined;
let nextId = 1;
const waiting = new Map<number, { blob: Blob; resolve(data: string): void; reject(error: unknown): void }>();

function startWorker(): Worker | null {
  try {
    const started = new Worker(new URL('./chunkWorker.ts', import.meta.url), { type: 'module' });
    started.onmessage = (event: MessageEvent<ChunkReply>) => {
      const reply = event.data;
      const caller = waiting.get(reply.id);
      waiting.delete(reply.id);
      if (!caller) return;
      if ('data' in reply) caller.resolve(reply.data);
      else caller.reject(new Error(`the file could not be read: ${reply.error}`));
    };
    started.onerror = (event) => {
      // A worker that cannot load (a page served where module workers are refused): the reads
      // in flight, and all later ones, go to FileReader instead.
      event.preventDefault();
      worker = null;
      for (const caller of waiting.values()) readBase64(caller.blob).then(caller.resolve, caller.reject);
      waiting.clear();
    };
    return started;
  } catch {
    return null;
  }
}

export function readChunk(blob: Blob): Promise<string> {
  if (worker === undefined) worker = startWorker();
  if (!worker) return readBase64(blob);
  const id = nextId++;
  const target = worker;
  return new Promise((resolve, reject) => {
    waiting.set(id, { blob, resolve, reject });
    target.postMessage({ id, blob });
  });
}
