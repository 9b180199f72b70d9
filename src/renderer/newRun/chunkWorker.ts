// Runs in a Worker: reads one slice of a file and returns it as base64. Chromium's FileReader
// does its base64 on the page's main thread (≈130 ms per 4 MiB, measured), which froze the
// window during a 1 GB upload; here that work happens off it.

// The worker's FileReaderSync, absent from the DOM typings this project compiles with.
declare const FileReaderSync: { new (): { readAsDataURL(blob: Blob): string } };

export interface ChunkRequest {
  id: number;
  blob: Blob;
}

export type ChunkReply = { id: number; data: string } | { id: number; error: string };

self.onmessage = (event: MessageEvent<ChunkRequest>) => {
  const { id, blob } = event.data;
  let reply: ChunkReply;
  try {
    const url = new FileReaderSync().readAsDataURL(blob);
    reply = { id, data: url.slice(url.indexOf(',') + 1) };
  } catch (error) {
    reply = { id, error: error instanceof Error ? error.message : String(error) };
  }
  postMessage(reply);
};
