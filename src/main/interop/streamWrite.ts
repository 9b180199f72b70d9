// Writing an export to a Node stream with backpressure: a large export streams to its file or
// socket instead of piling up in memory behind a slow disk.
import type { Writable } from 'node:stream';

/** Writes `chunk`, and waits for the stream to drain when its buffer is full. */
export async function writeChunk(out: Writable, chunk: string | Uint8Array): Promise<void> {
  // A destroyed stream never drains, nor emits 'error' again: fail now rather than wait forever.
  if (out.destroyed) throw closedError(out);
  if (out.write(chunk)) return;
  // 'error' rejects the wait, and so does a 'close' without one (a download the browser cancelled
  // closes the response without an error): either way no 'drain' would ever come.
  await new Promise<void>((resolve, reject) => {
    const settle = (error?: Error) => {
      out.off('drain', onDrain).off('error', onError).off('close', onClose);
      if (error) reject(error);
      else resolve();
    };
    const onDrain = () => settle();
    const onError = (error: Error) => settle(error);
    const onClose = () => settle(closedError(out));
    out.once('drain', onDrain).once('error', onError).once('close', onClose);
  });
}

function closedError(out: Writable): Error {
  return out.errored ?? new Error("the export's destination was closed");
}
