// When "Fork from here" is offered, and what it sends (issue 12, DESIGN §11): a fork re-runs a
// native run from its recording with one step changed — a model call's reply, or a cell's code.
// Pure: the detail pane and its tests read the same rules.
import { FORK_EDIT_MAX_CHARS } from '../../../shared/api/debugger';
import type { NodeRow } from '../../../shared/domain/node';
import type { ForkOrigin, RunDetail } from '../../../shared/domain/run';

/** What a fork of the node replaces: an `llm` node's reply, a cell's code; nothing else forks. */
export type ForkEditKind = 'reply' | 'code';

export function forkEditKind(node: Pick<NodeRow, 'kind'>): ForkEditKind | null {
  return node.kind === 'cell' ? 'code' : node.kind === 'llm' ? 'reply' : null;
}

/** Whether the button shows, and if it does, whether it can be pressed (and why not). */
export type ForkOffer = { shown: false } | { shown: true; enabled: true; title: string } | { shown: true; enabled: false; title: string };

export function forkOffer(run: Pick<RunDetail, 'origin' | 'status' | 'replayable' | 'replayableWhy'>, node: Pick<NodeRow, 'kind'>): ForkOffer {
  const kind = forkEditKind(node);
  // An imported run was executed elsewhere (Python): it is shown and compared, never re-executed.
  if (kind === null || run.origin === 'imported') return { shown: false };
  if (run.replayable === false) return { shown: true, enabled: false, title: `Cannot fork: this run cannot be re-executed exactly — ${run.replayableWhy ?? 'its recording is incomplete'}` };
  if (run.status === 'running' || run.status === 'paused') {
    return { shown: true, enabled: false, title: 'Cannot fork yet: the run is still going. A fork re-runs a run that has ended, from its recording.' };
  }
  const what = kind === 'code' ? "this cell's code" : "this call's reply";
  return { shown: true, enabled: true, title: `Re-run this run with ${what} changed: every step before it is answered from the recording, at no cost` };
}

/** Why the edit cannot be sent as it is, or null. The service checks too; this saves a 4 MB round trip. */
export function editProblem(text: string): string | null {
  if (text.length > FORK_EDIT_MAX_CHARS) return `the edit is ${text.length.toLocaleString('en-US')} characters; a fork takes at most ${FORK_EDIT_MAX_CHARS.toLocaleString('en-US')}`;
  return null;
}

/** The toast a fork (or a rerun) started with warnings shows: all of them, in one notice. */
export function warningsText(warnings: readonly string[], what: 'fork' | 'rerun' = 'fork'): string | null {
  if (warnings.length === 0) return null;
  return `The ${what} started with ${warnings.length === 1 ? 'a warning' : `${warnings.length} warnings`}: ${warnings.join(' · ')}`;
}

/** What a fork's header says of its parent: "Forked from <id> at node <n>", "(other settings)", "(deleted)". */
export function forkOriginText(origin: ForkOrigin, parentDeleted: boolean): string {
  if (parentDeleted) return `Forked from ${origin.runId} (deleted)`;
  return origin.nodeId === null ? `Forked from ${origin.runId} (other settings)` : `Forked from ${origin.runId} at node ${origin.nodeId}`;
}
