// Run as a process by interrupted.test.ts: restores a run into the database named by argv[2]
// from items whose large document is cut by SIGKILL after a transaction of its chunks was
// committed. Nothing in this process cleans up: what it leaves is what a kill leaves.
import { createHash } from 'node:crypto';
import { DEFAULT_LIMITS } from '../../shared/limits';
import type { PortableItem } from '../interop/portable';
import { openDatabase } from '../store/database';
import { CHUNK_BYTES } from '../store/documentStore';
import { restorePortableRun } from '../store/portableRestore';

const SMALL = Buffer.from('small, staged whole before the kill\n');
const LARGE_BYTES = 6 * CHUNK_BYTES;
/** Never checked: the process dies before the large document's end. */
export const LARGE_HASH = 'f'.repeat(64);

async function* items(): AsyncGenerator<PortableItem> {
  const sha = (data: Buffer) => createHash('sha256').update(data).digest('hex');
  yield {
    kind: 'run',
    run: {
      runId: 'killed', status: 'completed', stopReason: null, rootModel: 'r', subModel: 's', baseUrl: 'http://127.0.0.1:9/v1', createdAt: 1_000, endedAt: 2_000, seed: 1,
      origin: 'native', source: null, recording: 0, limits: DEFAULT_LIMITS, pricedCostUsd: 0, unpricedCalls: 0, inputTokens: 0, outputTokens: 0, cachedTokens: 0, modelCalls: 0, iterations: 0, maxDepthReached: 0,
      inputs: [{ name: 'small.txt', bytes: SMALL.length, hash: sha(SMALL) }, { name: 'large.txt', bytes: LARGE_BYTES, hash: LARGE_HASH }],
      query: 'q', answer: 'a', error: null,
    },
  };
  yield { kind: 'document', hash: sha(SMALL), bytes: SMALL.length, chunks: (async function* () { yield SMALL; })() };
  yield {
    kind: 'document', hash: LARGE_HASH, bytes: LARGE_BYTES,
    chunks: (async function* () {
      const piece = Buffer.alloc(1024 * 1024, 0x61);
      // Four chunks' worth: they are committed as one transaction before the next piece is asked for.
      for (let i = 0; i < 4 * (CHUNK_BYTES / piece.length); i++) yield piece;
      process.kill(process.pid, 'SIGKILL');
      await new Promise(() => undefined);
    })(),
  };
}

if (require.main === module) {
  const db = openDatabase(process.argv[2] as string);
  void restorePortableRun(db, items());
}
