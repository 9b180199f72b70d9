// The SQL the run store writes with, prepared once per store: preparing is the costly part of a
// statement. What it reads with is in runReadStatements.ts, shared with the read-only reader.
import type Database from 'better-sqlite3';
import type { LlmPurpose, NodeKind, NodeStatus } from '../../shared/domain/node';
import type { RunOrigin, RunStatus, StopReason } from '../../shared/domain/run';
import { RECORDING_VERSION } from '../../shared/domain/recording';
import { NODE_COLUMNS, type NodeTuple } from './nodeTuple';
import { RUN_PREVIEW_COLUMNS, type RunRecord } from './runRows';

export interface ActiveRun {
  id: string;
  owner_pid: number;
  owner_host: string;
  heartbeat_at: number | null;
}

export type RunStatements = ReturnType<typeof prepareStatements>;

/** A node's own usage, as setUsage and setCallUsage set it (runTransactions.ts usageColumns). */
export interface UsageColumns {
  runId: string;
  id: number;
  inputTokens: number;
  outputTokens: number;
  cachedTokens: number;
  costUsd: number | null;
  estimated: number;
}

export function prepareStatements(db: Database.Database) {
  return {
    // The heartbeat starts at creation: a last sign of life even if the owner never beats.
    insertRun: db.prepare<{
      id: string;
      createdAt: number;
      query: string;
      rootModel: string;
      subModel: string;
      baseUrl: string;
      limitsJson: string;
      seed: number;
      ownerPid: number;
      ownerHost: string;
      forkedFromRun: string | null;
      forkedFromNode: number | null;
    }>(
      `INSERT INTO runs (id, created_at, status, query, root_model, sub_model, base_url, limits_json, seed,
         owner_pid, owner_host, heartbeat_at, recording, forked_from_run, forked_from_node)
       VALUES (@id, @createdAt, 'running', @query, @rootModel, @subModel, @baseUrl, @limitsJson, @seed,
         @ownerPid, @ownerHost, @createdAt, ${RECORDING_VERSION}, @forkedFromRun, @forkedFromNode)`,
    ),
    // A run written whole (insertWholeRun): ended, with its totals, its origin and no owner to
    // watch (owner_pid 0: markInterrupted looks only at running and paused runs).
    insertWholeRun: db.prepare<{
      id: string;
      createdAt: number;
      endedAt: number | null;
      status: RunStatus;
      query: string;
      rootModel: string;
      subModel: string;
      baseUrl: string;
      limitsJson: string;
      answer: string | null;
      stopReason: StopReason | null;
      error: string | null;
      seed: number;
      pricedCostUsd: number;
      unpricedCalls: number;
      inputTokens: number;
      outputTokens: number;
      cachedTokens: number;
      modelCalls: number;
      iterations: number;
      maxDepthReached: number;
      origin: RunOrigin;
      source: string | null;
      /** The recording's version (domain/recording.ts): 0 for a log written by another tool. */
      recording: number;
      forkedFromRun: string | null;
      forkedFromNode: number | null;
      cachedCalls: number;
      signals: string | null;
    }>(
      `INSERT INTO runs (id, created_at, ended_at, status, query, root_model, sub_model, base_url, limits_json,
         answer, stop_reason, error, seed, priced_cost_usd, unpriced_calls, input_tokens, output_tokens,
         cached_tokens, model_calls, iterations, max_depth_reached, owner_pid, owner_host, heartbeat_at, origin, source, recording,
         forked_from_run, forked_from_node, cached_calls, signals)
       VALUES (@id, @createdAt, @endedAt, @status, @query, @rootModel, @subModel, @baseUrl, @limitsJson,
         @answer, @stopReason, @error, @seed, @pricedCostUsd, @unpricedCalls, @inputTokens, @outputTokens,
         @cachedTokens, @modelCalls, @iterations, @maxDepthReached, 0, '', NULL, @origin, @source, @recording,
         @forkedFromRun, @forkedFromNode, @cachedCalls, @signals)`,
    ),
    insertWholeNode: db.prepare<{
      runId: string;
      id: number;
      parentId: number | null;
      kind: NodeKind;
      depth: number;
      seq: number;
      status: NodeStatus;
      startedAt: number;
      endedAt: number | null;
      label: string;
      model: string | null;
      purpose: LlmPurpose | null;
      inputTokens: number | null;
      outputTokens: number | null;
      cachedTokens: number | null;
      costUsd: number | null;
      estimated: number;
      subPriced: number;
      subUnpriced: number;
      subInput: number;
      subOutput: number;
      subCalls: number;
      cached: number;
    }>(
      `INSERT INTO nodes (run_id, id, parent_id, kind, depth, seq, status, started_at, ended_at, label, model, purpose,
         input_tokens, output_tokens, cached_tokens, cost_usd, usage_estimated,
         sub_priced_cost_usd, sub_unpriced_calls, sub_input_tokens, sub_output_tokens, sub_model_calls, cached)
       VALUES (@runId, @id, @parentId, @kind, @depth, @seq, @status, @startedAt, @endedAt, @label, @model, @purpose,
         @inputTokens, @outputTokens, @cachedTokens, @costUsd, @estimated,
         @subPriced, @subUnpriced, @subInput, @subOutput, @subCalls, @cached)`,
    ),
    insertInput: db.prepare<{ runId: string; ord: number; name: string; hash: string; bytes: number }>(
      `INSERT INTO run_inputs (run_id, ord, name, hash, bytes) VALUES (@runId, @ord, @name, @hash, @bytes)`,
    ),
    // Which documents a run uses (inputs, child contexts): what deleting a run checks.
    insertRunDocument: db.prepare<{ runId: string; hash: string }>(
      `INSERT OR IGNORE INTO run_documents (run_id, hash) VALUES (@runId, @hash)`,
    ),
    insertNode: db.prepare<{
      runId: string;
      id: number;
      parentId: number | null;
      kind: NodeKind;
      depth: number;
      seq: number;
      status: NodeStatus;
      startedAt: number;
      label: string;
      model: string | null;
      purpose: LlmPurpose | null;
      cached: number;
    }>(
      `INSERT INTO nodes (run_id, id, parent_id, kind, depth, seq, status, started_at, label, model, purpose, cached)
       VALUES (@runId, @id, @parentId, @kind, @depth, @seq, @status, @startedAt, @label, @model, @purpose, @cached)`,
    ),
    // An upsert, so updateNode can also give a payload to a node that was stored without one.
    putPayload: db.prepare<{ runId: string; nodeId: number; body: string }>(
      `INSERT INTO node_payloads (run_id, node_id, body) VALUES (@runId, @nodeId, @body)
       ON CONFLICT (run_id, node_id) DO UPDATE SET body = excluded.body`,
    ),
    updateNode: db.prepare<
      {
        runId: string;
        id: number;
        status: NodeStatus | null;
        setEndedAt: number;
        endedAt: number | null;
        label: string | null;
        setModel: number;
        model: string | null;
      },
      NodeTuple
    >(
      // endedAt and model may be set to null, so "left out" travels as a separate flag.
      `UPDATE nodes SET
         status = coalesce(@status, status),
         ended_at = CASE WHEN @setEndedAt THEN @endedAt ELSE ended_at END,
         label = coalesce(@label, label),
         model = CASE WHEN @setModel THEN @model ELSE model END
       WHERE run_id = @runId AND id = @id
       RETURNING ${NODE_COLUMNS}`,
    ).raw(true),
    setUsage: db.prepare<UsageColumns>(
      `UPDATE nodes SET input_tokens = @inputTokens, output_tokens = @outputTokens,
         cached_tokens = @cachedTokens, cost_usd = @costUsd, usage_estimated = @estimated
       WHERE run_id = @runId AND id = @id`,
    ),
    // One statement for the whole ancestor chain: each level is a primary-key lookup, and UNION
    // (not UNION ALL) stops at a damaged parent_id that would loop.
    rollUp: db.prepare<
      { runId: string; id: number; priced: number; unpriced: number; inputTokens: number; outputTokens: number; calls: number },
      NodeTuple
    >(
      `WITH RECURSIVE chain (id) AS (
         SELECT @id
         UNION
         SELECT nodes.parent_id FROM nodes JOIN chain ON nodes.run_id = @runId AND nodes.id = chain.id
         WHERE nodes.parent_id IS NOT NULL
       )
       UPDATE nodes SET
         sub_priced_cost_usd = sub_priced_cost_usd + @priced,
         sub_unpriced_calls = sub_unpriced_calls + @unpriced,
         sub_input_tokens = sub_input_tokens + @inputTokens,
         sub_output_tokens = sub_output_tokens + @outputTokens,
         sub_model_calls = sub_model_calls + @calls
       WHERE run_id = @runId AND id IN (SELECT id FROM chain)
       RETURNING ${NODE_COLUMNS}`,
    ).raw(true),
    // A model call's node, its own usage and its subtree's (a call has no children) in one write.
    setCallUsage: db.prepare<UsageColumns & { priced: number; unpriced: number }>(
      `UPDATE nodes SET input_tokens = @inputTokens, output_tokens = @outputTokens,
         cached_tokens = @cachedTokens, cost_usd = @costUsd, usage_estimated = @estimated,
         sub_priced_cost_usd = sub_priced_cost_usd + @priced,
         sub_unpriced_calls = sub_unpriced_calls + @unpriced,
         sub_input_tokens = sub_input_tokens + @inputTokens,
         sub_output_tokens = sub_output_tokens + @outputTokens,
         sub_model_calls = sub_model_calls + 1
       WHERE run_id = @runId AND id = @id`,
    ),
    addRunUsage: db.prepare<{
      runId: string;
      priced: number;
      unpriced: number;
      inputTokens: number;
      outputTokens: number;
      cachedTokens: number;
      calls: number;
    }>(
      `UPDATE runs SET
         priced_cost_usd = priced_cost_usd + @priced,
         unpriced_calls = unpriced_calls + @unpriced,
         input_tokens = input_tokens + @inputTokens,
         output_tokens = output_tokens + @outputTokens,
         cached_tokens = cached_tokens + @cachedTokens,
         model_calls = model_calls + @calls
       WHERE id = @runId`,
    ),
    // A fork's call answered from its parent's recording: counted apart from the live calls.
    addCachedCall: db.prepare<{ runId: string }>(`UPDATE runs SET cached_calls = cached_calls + 1 WHERE id = @runId`),
    bumpRun: db.prepare<{ runId: string; iterations: number; depth: number }>(
      `UPDATE runs SET iterations = iterations + @iterations, max_depth_reached = max(max_depth_reached, @depth)
       WHERE id = @runId`,
    ),
    setRunStatus: db.prepare<{ runId: string; status: RunStatus }>(`UPDATE runs SET status = @status WHERE id = @runId`),
    setRunSignals: db.prepare<{ runId: string; signals: string }>(`UPDATE runs SET signals = @signals WHERE id = @runId`),
    finishRun: db.prepare<
      {
        runId: string;
        status: RunStatus;
        endedAt: number;
        answer: string | null;
        stopReason: StopReason | null;
        error: string | null;
        signals: string | null;
        preview: number;
      },
      RunRecord
    >(
      `UPDATE runs SET status = @status, ended_at = @endedAt, answer = @answer, stop_reason = @stopReason,
         error = @error, signals = coalesce(@signals, signals)
       WHERE id = @runId RETURNING ${RUN_PREVIEW_COLUMNS}`,
    ),
    heartbeat: db.prepare<{ runId: string; at: number }>(`UPDATE runs SET heartbeat_at = @at WHERE id = @runId`),
    activeRuns: db.prepare<[], ActiveRun>(
      `SELECT id, owner_pid, owner_host, heartbeat_at FROM runs WHERE status IN ('running', 'paused')`,
    ),
    // The last sign of life: the latest node start or end, or heartbeat; never before the run
    // began, never after `now` (a clock set back must not give a run an end in the future).
    interruptRun: db.prepare<{ runId: string; now: number }, { ended_at: number }>(
      `UPDATE runs SET status = 'interrupted', ended_at = max(created_at, min(@now, max(
         created_at,
         coalesce(heartbeat_at, 0),
         coalesce((SELECT max(coalesce(max(ended_at), 0), max(started_at)) FROM nodes WHERE run_id = @runId), 0)
       )))
       WHERE id = @runId AND status IN ('running', 'paused')
       RETURNING ended_at`,
    ),
    interruptNodes: db.prepare<{ runId: string; endedAt: number }>(
      `UPDATE nodes SET status = 'interrupted', ended_at = max(started_at, @endedAt)
       WHERE run_id = @runId AND status = 'running'`,
    ),
    // A node still `running` in a run that has ended (issue 9: a cell whose record failed stayed
    // running forever) ends with its run: as the run ended (a completed run's leftovers were
    // cut short: stopped), at the run's end.
    endLeftoverNodes: db.prepare<{ runId: string | null }>(
      `UPDATE nodes SET
         status = (SELECT CASE runs.status WHEN 'completed' THEN 'stopped' ELSE runs.status END FROM runs WHERE runs.id = nodes.run_id),
         ended_at = max(started_at, coalesce((SELECT ended_at FROM runs WHERE runs.id = nodes.run_id), started_at))
       WHERE status = 'running' AND (@runId IS NULL OR run_id = @runId)
         AND run_id IN (SELECT id FROM runs WHERE status NOT IN ('running', 'paused'))`,
    ),
    // Read first: a writer opening the database takes the write lock only when there is
    // something to end (the reader of runReader.ts never ends anything).
    hasLeftoverNodes: db.prepare<[], { found: number }>(
      `SELECT 1 AS found FROM nodes WHERE status = 'running'
         AND run_id IN (SELECT id FROM runs WHERE status NOT IN ('running', 'paused')) LIMIT 1`,
    ),
  };
}
