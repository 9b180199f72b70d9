// The `nodes` slice (src/shared/api/nodes.ts): a run's node index, whole or by pages, and one
// node's payload.
import type { nodesMethods } from '../../shared/api/nodes';
import { RlmError } from '../../shared/errors';
import { NODE_INDEX_ENCODING } from '../../shared/nodeIndex';
import { capStrings, cutMarker, SHOW_PREVIEW_CHARS } from '../../shared/valuePreview';
import type { RunRepository } from '../store/runRepository';
import type { Handlers } from './handlers';
import { runNotFound } from './runNotFound';

export function nodesHandlers(store: RunRepository): Handlers<keyof typeof nodesMethods> {
  return {
    'runs.nodes': async ({ runId }) => {
      if (!store.getRun(runId)) runNotFound(runId);
      return store.getNodes(runId);
    },
    'runs.nodeIndex': async ({ runId, afterId, limit }) => {
      if (!store.getRun(runId)) runNotFound(runId);
      // The first page counts the run's nodes (what the page says while the rest loads); later
      // pages do not, as counting reads every node again.
      const page = store.getNodeIndexPage(runId, afterId, limit, afterId === 0);
      return { encoding: NODE_INDEX_ENCODING, bytes: page.bytes, base: page.base, lastId: page.lastId, complete: limit === undefined || page.count < limit, total: page.total };
    },
    'nodes.get': async ({ runId, nodeId }) => {
      const payload = store.getPayload(runId, nodeId);
      if (!payload) throw new RlmError('NOT_FOUND', `run ${runId} has no node ${nodeId}`);
      // One message never carries an unbounded value (issue 9): a longer string is cut, and
      // says how long it was and where the whole of it is.
      return capStrings(payload, SHOW_PREVIEW_CHARS, cutMarker);
    },
  };
}
