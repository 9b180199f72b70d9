// The database rows of runs and nodes, and their mapping to the domain shapes of src/shared.
// Pure functions: whatever a row holds, mapping it never throws, so every stored run stays
// readable even when one of its values is damaged.
import { type NodePayload, type UserSteering } from '../../shared/domain/node';
import { LEGACY_PART_BYTES, MIN_PART_BYTES, type InputDescription, type RunDetail, type RunOrigin, type RunStatus, type RunSummary, type StopReason } from '../../shared/domain/run';
import { DEFAULT_LIMITS, LIMIT_KEYS, type LimitKey, type RunLimits } from '../../shared/limits';
import { replayability } from '../../shared/domain/recording';
import type { RunSignal, RunSignalKind } from '../../shared/domain/signals';
import { capStrings, describeSize } from '../../shared/valuePreview';

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
  origin: RunOrigin;
  source: string | null;
  /** The recording's version (migration 005; 0 before it, and in a database read at an older schema). */
  recording?: number;
  /** A fork's parent run and edited node (migration 006; NULL for any other run). */
  forked_from_run?: string | null;
  forked_from_node?: number | null;
  /** A fork's calls answered from its parent's recording (migration 006; 0 before it). */
  cached_calls?: number;
  /** The run-away signals as JSON (migration 007; NULL before it, and for a run that recorded none). */
  signals?: string | null;
  /** The full lengths beside the previews of RUN_PREVIEW_COLUMNS. */
  query_chars?: number;
  answer_chars?: number | null;
  error_chars?: number | null;
}

/** One page of a run value: its characters from an offset, and the whole value's length. */
export interface ValuePage {
  text: string | null;
  chars: number | null;
}

/**
 * The runs columns with query, answer and error cut by SQLite to @preview characters and their
 * full lengths beside them (issue 9): a 200 MiB answer never enters JavaScript to be listed.
 * Lengths are SQLite's: characters (code points), as substr counts them.
 * `has`: the database has migration 4's columns (origin), migration 5's (recording) and migration
 * 6's (fork). A database opened read-only is read at the schema it has (it may never be writable,
 * see database.ts): before migration 4 every run was native, before migration 5 recorded before
 * exact replay, before migration 6 no run was a fork, and before migration 7 none kept signals.
 */
export function runPreviewColumns(has: { origin: boolean; recording: boolean; fork: boolean; signals: boolean }): string {
  return `id, created_at, ended_at, status, root_model, sub_model, base_url, limits_json, stop_reason, seed,
  priced_cost_usd, unpriced_calls, input_tokens, output_tokens, cached_tokens, model_calls, iterations,
  max_depth_reached, owner_pid, owner_host, heartbeat_at,
  ${has.origin ? 'origin, source' : "'native' AS origin, NULL AS source"},
  ${has.recording ? 'recording' : '0 AS recording'},
  ${has.fork ? 'forked_from_run, forked_from_node, cached_calls' : 'NULL AS forked_from_run, NULL AS forked_from_node, 0 AS cached_calls'},
  ${has.signals ? 'signals' : 'NULL AS signals'},
  substr(query, 1, @preview) AS query, length(query) AS query_chars,
  substr(answer, 1, @preview) AS answer, length(answer) AS answer_chars,
  substr(error, 1, @preview) AS error, length(error) AS error_chars`;
}

/** The columns of a database the store opened for writing (always migrated to the latest schema). */
export const RUN_PREVIEW_COLUMNS = runPreviewColumns({ origin: true, recording: true, fork: true, signals: true });

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
    // A row read before migration 004 ran (never through the store, which migrates first) is native.
    origin: row.origin === 'imported' ? 'imported' : 'native',
    source: row.source ?? null,
    queryChars: row.query_chars ?? row.query.length,
    answerChars: row.answer_chars !== undefined ? row.answer_chars : (row.answer?.length ?? null),
    errorChars: row.error_chars !== undefined ? row.error_chars : (row.error?.length ?? null),
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
    forkedFrom: row.forked_from_run == null ? null : { runId: row.forked_from_run, nodeId: row.forked_from_node ?? null },
    cachedCalls: row.cached_calls ?? 0,
    signals: parseSignals(row.signals ?? null, row.status),
  };
}

const SIGNAL_KINDS: ReadonlySet<string> = new Set<RunSignalKind>(['duplicate-subcalls', 'subcall-explosion', 'repetition', 'answer-discarded', 'budget-forecast']);

/**
 * A run's stored signals; entries that are not a RunSignal are left out (a damaged value is no
 * reason to lose the run). A budget forecast holds only while the run goes on: the engine
 * withdraws it at the end, and a run that ended without its end recorded (interrupted) keeps
 * its last set without it.
 */
export function parseSignals(json: string | null, status: RunStatus): RunSignal[] {
  if (json === null) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    return [];
  }
  if (!Array.isArray(parsed)) return [];
  const active = status === 'running' || status === 'paused';
  return parsed.filter((entry): entry is RunSignal => isRunSignal(entry) && (active || entry.kind !== 'budget-forecast'));
}

/** The shape `show --json` prints and a portable file carries (domain/signals.ts). */
export function isRunSignal(value: unknown): value is RunSignal {
  if (!isObject(value)) return false;
  const { kind, nodeId, message, costUsd } = value;
  return (
    typeof kind === 'string' &&
    SIGNAL_KINDS.has(kind) &&
    (nodeId === null || (typeof nodeId === 'number' && Number.isSafeInteger(nodeId) && nodeId >= 1)) &&
    typeof message === 'string' &&
    (costUsd === null || (typeof costUsd === 'number' && Number.isFinite(costUsd) && costUsd >= 0))
  );
}

export function toRunDetail(row: RunRecord, inputs: InputDescription[], steering: UserSteering | null = null): RunDetail {
  const summary = toRunSummary(row);
  const recording = row.recording ?? 0;
  return {
    ...summary,
    limits: parseLimits(row.limits_json),
    dedupeSubcalls: parseDedupeSubcalls(row.limits_json),
    partBytes: parsePartBytes(row.limits_json),
    baseUrl: row.base_url,
    inputs,
    seed: row.seed,
    recording,
    ...replayability({ ...summary, recording, steering }),
  };
}

/**
 * The root RLM's record of what the user steered, as json_extract gives it; null when there is
 * none, or when it is not lists of node ids (a damaged file: a replay of it would then find the
 * difference cell by cell and say so).
 */
export function parseSteering(json: string | null | undefined): UserSteering | null {
  if (json === null || json === undefined) return null;
  const ids = (value: unknown): value is number[] => Array.isArray(value) && value.every((id) => Number.isSafeInteger(id));
  try {
    const parsed: unknown = JSON.parse(json);
    if (isObject(parsed) && ids(parsed.stopped) && ids(parsed.noted)) return { stopped: parsed.stopped, noted: parsed.noted };
  } catch {
    // damaged: as none
  }
  return null;
}

/**
 * The runs.limits_json text: the run's limits, and `dedupeSubcalls: true` when the run answered
 * repeated sub-calls from the first answer (issue 13). That switch is a setting of the run like
 * its limits and is read with them; kept in the same JSON rather than a column of its own, one
 * boolean did not warrant a migration (older rows, without it, did not deduplicate).
 */
export function runSettingsJson(limits: RunLimits, dedupeSubcalls: boolean | undefined, partBytes?: number): string {
  return JSON.stringify({ ...limits, ...(dedupeSubcalls ? { dedupeSubcalls: true } : {}), ...(partBytes !== undefined ? { partBytes } : {}) });
}

/**
 * Limits missing from an older or damaged row take their defaults, so the shape is always whole;
 * only the limits are taken (not the dedupe switch beside them, nor anything a damaged row holds).
 */
export function parseLimits(json: string): RunLimits {
  const parsed = parseObject(json);
  const limits: RunLimits = { ...DEFAULT_LIMITS };
  if (!parsed) return limits;
  for (const key of LIMIT_KEYS) if (key in parsed) (limits as Record<LimitKey, unknown>)[key] = parsed[key];
  return limits;
}

/**
 * The size of the parts a too-large input was split in (RunDetail.partBytes), kept beside the
 * limits as the dedupe switch is (issue 13: one number did not warrant a migration either); a
 * row from before it, or a damaged one, was split at the size every run used then.
 */
export function parsePartBytes(json: string): number {
  const partBytes = parseObject(json)?.partBytes;
  return typeof partBytes === 'number' && Number.isSafeInteger(partBytes) && partBytes >= MIN_PART_BYTES && partBytes <= LEGACY_PART_BYTES ? partBytes : LEGACY_PART_BYTES;
}

/** Whether the run deduplicated its sub-calls (runSettingsJson); false for any row without the switch. */
export function parseDedupeSubcalls(json: string): boolean {
  return parseObject(json)?.dedupeSubcalls === true;
}

function parseObject(json: string): Record<string, unknown> | null {
  try {
    const parsed: unknown = JSON.parse(json);
    return isObject(parsed) ? parsed : null;
  } catch {
    return null;
  }
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

/**
 * A payload's longest strings past this are cut when the whole payload cannot be one JSON text
 * (issue 9): an answer as long as V8 allows, JSON-quoted, is longer than any string may be.
 */
export const PAYLOAD_VALUE_MAX_CHARS = 64 * 1024 * 1024;

/**
 * The stored text of a payload. Never throws for length: a payload too long for one JSON string
 * keeps every value up to PAYLOAD_VALUE_MAX_CHARS and a marker where a longer one is cut, rather
 * than failing the write and leaving its node `running` forever. The run's own answer is kept
 * whole in its own column (runs.answer), which takes the string without JSON.
 */
export function payloadBody(payload: NodePayload): string {
  try {
    return JSON.stringify(payload);
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    return JSON.stringify(
      capStrings(payload, PAYLOAD_VALUE_MAX_CHARS, (chars) => `\n… [cut here: ${chars.toLocaleString('en-US')} characters (${describeSize(chars)}) are too long for one node record; a run's answer is kept whole: \`rlmscope show RUN --answer\`]`),
    );
  }
}
