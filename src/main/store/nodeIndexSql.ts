// The node index's tuples-2 (shared/nodeIndex.ts) as SQLite writes them: the expressions of one
// IndexTuple over a row of nodeColumns, and the run's IndexBase they count from. The decoder and
// these must agree; nodeIndexSql.test.ts reads the store's pages back through the decoder.
import { KIND_CODES, MAX_COUNTED_TIME, PURPOSE_CODES, STATUS_CODES, type IndexBase } from '../../shared/nodeIndex';

/**
 * A model name longer than this, in UTF-8 bytes, is not coded in the base: the base travels in
 * an HTTP header in browser mode (indexPageHttp.ts), where a model name from a hostile log could
 * otherwise make it too large to be read. Bytes, not length(): SQLite's characters stop at the
 * first NUL and skip any run of continuation bytes, so a name of "one character" can be any size.
 * A byte is at most 9 characters of the header (an invalid one, read as U+FFFD, percent-encoded).
 */
export const MAX_BASE_MODEL_BYTES = 500;

/**
 * The run's IndexBase as columns `base_time`, `base_root`, `base_sub`, from the runs row `@runId`;
 * INDEX_TUPLE takes them as parameters (indexBaseParams). Bound rather than joined: the join made
 * SQLite build each page in a temporary table first, +20% on a page's cost.
 */
export const INDEX_BASE_SELECT = `SELECT created_at AS base_time,
    CASE WHEN length(CAST(root_model AS BLOB)) <= ${MAX_BASE_MODEL_BYTES} THEN root_model END AS base_root,
    CASE WHEN length(CAST(sub_model AS BLOB)) <= ${MAX_BASE_MODEL_BYTES} THEN sub_model END AS base_sub
  FROM runs WHERE id = @runId`;

function codes(column: string, values: readonly string[]): string {
  // ELSE the value itself: a value the decoder has no code for is refused by it as damaged.
  return `CASE ${column} ${values.map((value, code) => `WHEN '${value}' THEN ${code}`).join(' ')} ELSE ${column} END`;
}

// The tables are STRICT (migration 001): a time or a count is a whole number, the sums are not
// null, and the checks below need no typeof(); each one is paid for every node of a page.

/** `value` (a whole number) is one a time can count from (MAX_COUNTED_TIME). */
function countable(value: string): string {
  return `${value} BETWEEN -${MAX_COUNTED_TIME} AND ${MAX_COUNTED_TIME}`;
}

/**
 * The subtree is the node's own model call: the decoder rebuilds it from the call's figures.
 * The sums are never null, so `IS` a figure also says the figure is there.
 */
const OWN_CALL = `sub_model_calls = 1 AND sub_input_tokens IS input_tokens AND sub_output_tokens IS output_tokens
  AND sub_unpriced_calls = (cost_usd IS NULL) AND sub_priced_cost_usd = coalesce(cost_usd, 0)`;

/** INDEX_TUPLE's parameters for `base`: its time bound as an integer, as the tables hold times. */
export function indexBaseParams(base: IndexBase): { baseTime: bigint | null; baseRoot: string | null; baseSub: string | null } {
  // better-sqlite3 binds a number as a real, and a real difference would be written `46.0`. A
  // time that is no whole number binds as null, and every time is then written whole.
  return { baseTime: Number.isSafeInteger(base.time) ? BigInt(base.time) : null, baseRoot: base.models[0], baseSub: base.models[1] };
}

/** The IndexBase of INDEX_BASE_SELECT's row; a run that is not there has no nodes, and counts from 0. */
export function toIndexBase(row: { base_time: number; base_root: string | null; base_sub: string | null } | undefined): IndexBase {
  return { time: row?.base_time ?? 0, models: [row?.base_root ?? null, row?.base_sub ?? null] };
}

const HEAD = [
  'id',
  'parent_id',
  codes('kind', KIND_CODES),
  'depth',
  'seq',
  codes('status', STATUS_CODES),
  `CASE WHEN ${countable('started_at')} AND ${countable('@baseTime')} THEN started_at - @baseTime ELSE json_array(started_at) END`,
  // A null ended_at gives a null difference.
  `CASE WHEN ended_at IS NULL OR (${countable('ended_at')} AND ${countable('started_at')}) THEN ended_at - started_at ELSE json_array(ended_at) END`,
  'label',
  'CASE WHEN model IS NULL THEN NULL WHEN model = @baseRoot THEN 0 WHEN model = @baseSub THEN 1 ELSE model END',
  codes('purpose', PURPOSE_CODES),
  'input_tokens',
  'output_tokens',
  'cached_tokens',
  'cost_usd',
  // As NodeRow reads them (toNodeRow): any usage_estimated but 0 is an estimate, a cached of 1
  // alone is cached (its CHECK, which a database written with the checks off need not hold).
  '(usage_estimated <> 0) + 2 * (cached = 1)',
].join(', ');

/**
 * One IndexTuple, over the columns of nodeColumns, with indexBaseParams bound. The subquery that
 * selects the nodes names its columns as the table does (id, parent_id, …).
 */
export const INDEX_TUPLE = `CASE WHEN ${OWN_CALL} THEN json_array(${HEAD})
  ELSE json_array(${HEAD}, sub_priced_cost_usd, sub_unpriced_calls, sub_input_tokens, sub_output_tokens, sub_model_calls) END`;
