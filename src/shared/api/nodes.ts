// The `nodes` slice of the RlmApi: a run's tree of model calls and cells, as an index of rows and
// one node's payload at a time.
import { z } from 'zod';
import type { NodePayload, NodeRow } from '../domain/node';
import type { NodeIndex } from '../nodeIndex';
import { runIdSchema } from '../schemas';
import { runRefSchema } from './runs';

export const nodeRefSchema = z.object({ runId: runIdSchema, nodeId: z.number().int().min(1) });

/** A page of a run's node index: the nodes after `afterId`, in creation order, at most `limit`. */
export const nodeIndexSchema = z.object({
  runId: runIdSchema,
  afterId: z.number().int().min(0).default(0),
  limit: z.number().int().min(1).max(10_000_000).optional(),
});

export const nodesMethods = {
  'runs.nodes': runRefSchema,
  'runs.nodeIndex': nodeIndexSchema,
  'nodes.get': nodeRefSchema,
} as const;

export interface NodesResults {
  /** The node index of a run, in creation order, without payloads. */
  'runs.nodes': NodeRow[];
  /**
   * The same index in its compact form (nodeIndex.ts), by pages: what the page loads, so a
   * 100,000-node run shows its first rows while the rest is on its way.
   */
  'runs.nodeIndex': NodeIndex;
  'nodes.get': NodePayload;
}
