// A run's node index as the run view reads it: a first page that shows the top of the tree at
// once, then the rest in pages, each asked for as the one before arrives and before it is read.
// The service reads a page while the page parses the one before (measured for 100,000 nodes: the
// service's read and the page's parse took about as long as each other, one after the other when
// the rest came in one call).
import type { RlmApi } from '../../shared/api';
import type { NodeRow } from '../../shared/domain/node';
import { decodeNodeIndex, type NodeIndex } from '../../shared/nodeIndex';

/** Nodes in the first page of a run's index: the top of the tree, shown while the rest loads. */
export const FIRST_PAGE_NODES = 2000;

/**
 * Nodes in each later page: small enough that the service reads one while the page parses the
 * one before, large enough that the calls' own cost stays small.
 */
export const PAGE_NODES = 10_000;

/**
 * The pages after `first`, decoded, in order; null when `first` was the whole index. The next
 * page is already asked for when this returns and each time one is handed over. A reader that
 * stops early (the view closed) leaves at most one call in flight, whose failure matters to nobody.
 * ORDER: every page here is asked for after `first` arrived, so after the run's subscription
 * took effect (runStore.ts); browser mode relies on it to read these pages over HTTP rather than
 * the socket that carried the subscription (api/indexOverHttp.ts).
 */
export function restOfIndex(api: RlmApi, runId: string, first: NodeIndex): AsyncIterable<NodeRow[]> | null {
  if (first.complete || first.lastId === null) return null;
  const page = (afterId: number) => {
    const call = api.call('runs.nodeIndex', { runId, afterId, limit: PAGE_NODES });
    call.catch(() => undefined);
    return call;
  };
  let next = page(first.lastId);
  return {
    async *[Symbol.asyncIterator]() {
      for (;;) {
        const index = await next;
        const more = !index.complete && index.lastId !== null;
        if (more) next = page(index.lastId as number);
        yield decodeNodeIndex(index);
        if (!more) return;
      }
    },
  };
}
