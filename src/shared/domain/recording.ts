// What a run records so that any of its RLMs can be re-executed on its own (DESIGN §11): for each
// cell, every call its code made to the host, in order, with what the code received. Answers a
// node already stores (a sub-call's reply, a child RLM's answer) are referred to, not copied.
// Plain data only.
import type { CallKind } from '../sandboxProtocol';
import type { UserSteering } from './node';

/**
 * The version of the recording a run was made with (the runs table's `recording` column).
 * 0: before exact replay (a cell's host calls, their order and the Math.random draw counts were
 * not kept). 1: every cell has `hostCalls` and `randomDraws`, every RLM its sandbox's time zone.
 */
export const RECORDING_VERSION = 1;

/** cell: the calls its code made, in the order it made them, and the order it received the results. */
export interface HostCalls {
  calls: HostCallRecord[];
  /**
   * Positions in `calls`, in the order the code's promises were settled, one list per wake-up of
   * the sandbox (results that arrived together settled together). null when the sandbox process
   * was killed during the cell and could not say.
   */
  received: number[][] | null;
  /** Calls or results past the per-cell limit (CELL_LIMITS.hostCalls), counted and not recorded. */
  cut?: number;
}

/** One item of a batch: the `llm` node whose reply it was, or the text in its slot (an error) and the node that failed, if any. */
export type BatchItemRecord = number | { node?: number; text: string };

export interface HostCallRecord {
  kind: CallKind;
  /** First 16 hex digits of the sha256 of the call as the sandbox sent it; absent for a call refused inside the sandbox. */
  request?: string;
  /** Refused inside the sandbox before it reached the host (too large, too much waiting): `value` says why. */
  refused?: true;
  /** The code's promise resolved (true) or rejected (false); absent: the cell ended before any answer. */
  ok?: boolean;
  /**
   * The node holding the details: `llm` (a sub-call; or `rlm_query` past the depth limit) or
   * `rlm` (a child). When ok and no `value`, the answer is that node's reply text or answer.
   */
  node?: number;
  /** llm_query_batched: one entry per prompt; the code received the array of their texts. */
  items?: BatchItemRecord[];
  /** What the code received when no node holds it: an error message, a refusal. */
  value?: string;
}

/** Whether a run's recording lets it be re-executed exactly, and if not, why (one line). */
export function replayability(run: { origin?: 'native' | 'imported'; source?: string | null; recording: number; steering?: UserSteering | null }): {
  replayable: boolean;
  replayableWhy: string | null;
} {
  if (run.origin === 'imported') {
    return { replayable: false, replayableWhy: `imported from ${run.source ?? 'a file'}: a run made elsewhere is shown and compared, never re-executed` };
  }
  if (run.recording < 1) {
    return {
      replayable: false,
      replayableWhy: 'recorded before exact replay: its cells kept neither the result of every host call in order nor how many Math.random values they drew',
    };
  }
  if (run.recording > RECORDING_VERSION) {
    return { replayable: false, replayableWhy: `recorded by a newer RLMScope (recording version ${run.recording}; this one knows up to ${RECORDING_VERSION})` };
  }
  const steered = steeringWhy(run.steering);
  if (steered) return { replayable: false, replayableWhy: steered };
  return { replayable: true, replayableWhy: null };
}

/**
 * What the user did to single RLMs while the run went (issue 13), which a re-execution would not
 * do again: it would run a stopped RLM on and never send the notes. Null when nothing.
 */
function steeringWhy(steering: UserSteering | null | undefined): string | null {
  const stopped = steering?.stopped ?? [];
  const noted = steering?.noted ?? [];
  const parts = [
    ...(stopped.length > 0 ? [`stopped ${rlmList(stopped)}`] : []),
    ...(noted.length > 0 ? [`sent notes to ${rlmList(noted)}`] : []),
  ];
  if (parts.length === 0) return null;
  return `the user ${parts.join(' and ')} while it ran, which a re-execution would not do again`;
}

function rlmList(ids: readonly number[]): string {
  const shown = ids.slice(0, 5).join(', ');
  const more = ids.length > 5 ? ` and ${ids.length - 5} more` : '';
  return `${ids.length === 1 ? 'RLM node' : 'RLM nodes'} ${shown}${more}`;
}
