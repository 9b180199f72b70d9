// The database rows of runs and nodes, and their mapping to the domain shapes of src/shared.
// Pure functions: whatever a row holds, mapping it never throws, so every stored run stays
// readable even when one of its values is damaged.
import {
  DEFAULT_LIMITS,
  type InputDescription,
  type NodePayload,
  type RunDetail,
  type RunLimits,
  type RunStatus,
  type RunSummary,
  type StopReason,
} from '../../shared/domain';

export interface RunRecord {
  id: string;
  created_at: number;
  ended_at: number | null;
  status: RunStatus;
  query: string;
  root_model: string;
  sub_model: string;
  base_url: string;
  limits_json: string;
  answer: string | null;
  stop_reason: StopReason | null;
  error: string | null;
  seed: number;
  priced_cost_usd: number;
  unpriced_calls: number;
  input_tokens: number;
  output_tokens: number;
  cached_tokens: number;
  model_calls: number;
  iterations: number;
  max_depth_reached: number;
  owner_pid: number;
  owner_host: string;
  heartbeat_at: number | null;
}

export type { NodeTuple } from '../../shared/nodeIndex';
export { toNodeRow } from '../../shared/nodeIndex';

/** The columns of NodeTuple, in its order (run_id is known to the caller). */
export const NODE_COLUMNS = `id, parent_id, kind, depth, seq, status, started_at, ended_at, label, model, purpose,
  input_tokens, output_tokens, cached_tokens, cost_usd, usage_estimated,
  sub_priced_cost_usd, sub_unpriced_calls, sub_input_tokens, sub_output_tokens, sub_model_calls`;

export function toRunSummary(row: RunRecord): RunSummary {
  return {
    runId: row.id,
    status: row.status,
    answer: row.answer,
    stopReason: row.stop_reason,
    error: row.error,
    query: row.query,
    rootModel: row.root_model,
    subModel: row.sub_model,
    createdAt: row.created_at,
    endedAt: row.ended_at,
    durationMs: row.ended_at === null ? null : row.ended_at - row.created_at,
    // An unknown price is unknown, never 0: one unpriced call makes the whole total unknown.
    costUsd: row.unpriced_calls > 0 ? null : row.priced_cost_usd,
    pricedCostUsd: row.priced_cost_usd,
    unpricedCalls: row.unpriced_calls,
    inputTokens: row.input_tokens,
    outputTokens: row.output_tokens,
    cachedTokens: row.cached_tokens,
    modelCalls: row.model_calls,
    iterations: row.iterations,
    maxDepthReached: row.max_depth_reached,
  };
}

export function toRunDetail(row: RunRecord, inputs: InputDescription[]): RunDetail {
  return { ...toRunSummary(row), limits: parseLimits(row.limits_json), baseUrl: row.base_url, inputs };
}

/** Limits missing from an older or damaged row take their defaults, so the shape is always whole. */
export function parseLimits(json: string): RunLimits {
  try {
    const parsed: unknown = JSON.parse(json);
    if (isObject(parsed)) return { ...DEFAULT_LIMITS, ...(parsed as Partial<RunLimits>) };
  } catch {
    // fall through to the defaults
  }
  return { ...DEFAULT_LIMITS };
}

/** A damaged payload becomes an error the UI can show, never an exception. */
export function parsePayload(body: unknown): NodePayload {
  if (typeof body !== 'string') return { error: 'payload unreadable: not text' };
  try {
    const parsed: unknown = JSON.parse(body);
    if (isObject(parsed)) return parsed as NodePayload;
    return { error: 'payload unreadable: not a JSON object' };
  } catch (error) {
    return { error: `payload unreadable: ${error instanceof Error ? error.message : String(error)}` };
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
