// Schemas for everything that enters the service: validated at the edge (IPC, WebSocket, CLI),
// never trusted.
import { z } from 'zod';

const positiveInt = (max: number) => z.number().int().min(1).max(max);

export const runLimitsSchema = z.object({
  maxIterations: positiveInt(10_000),
  maxDepth: z.number().int().min(0).max(10),
  maxCalls: positiveInt(10_000_000).nullable(),
  maxTokens: positiveInt(Number.MAX_SAFE_INTEGER).nullable(),
  maxCostUsd: z.number().positive().max(1_000_000).nullable(),
  maxSeconds: z.number().positive().max(30 * 24 * 3600).nullable(),
  cellTimeoutMs: z.number().int().min(10).max(24 * 3600 * 1000),
  sandboxMemoryMb: z.number().int().min(64).max(4_000_000).nullable(),
  concurrency: positiveInt(1024),
  outputChars: z.number().int().min(100).max(100_000_000),
});

export const runInputSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('path'), path: z.string().min(1).max(4096) }),
  z.object({ kind: z.literal('text'), name: z.string().min(1).max(512), text: z.string() }),
]);
export type RunInput = z.infer<typeof runInputSchema>;

const runId = z.string().min(1).max(100);
const modelName = z.string().trim().min(1).max(200);

export const startRunSchema = z.object({
  query: z.string().trim().min(1, 'the query is empty').max(200_000),
  inputs: z.array(runInputSchema).max(100_000).default([]),
  rootModel: modelName.optional(),
  subModel: modelName.optional(),
  limits: runLimitsSchema.partial().optional(),
  /** Seed for the sandboxes' Math.random; random when absent. */
  seed: z.number().int().min(0).max(2 ** 31 - 1).optional(),
});

export const listRunsSchema = z
  .object({
    limit: z.number().int().min(1).max(10_000).default(200),
    offset: z.number().int().min(0).default(0),
    search: z.string().max(1000).optional(),
  })
  .default({ limit: 200, offset: 0 });

export const runRefSchema = z.object({ runId });
export const nodeRefSchema = z.object({ runId, nodeId: z.number().int().min(1) });
