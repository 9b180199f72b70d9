// The RLMs of a run that are going now, each steerable on its own (issue 13, "act on one branch"):
// the user may stop one child RLM with its subtree while the rest of the run goes on, or leave
// any of them a note it reads at its next turn. An RLM is here from its node's creation to its end.
import type { UserSteering } from '../../shared/domain/node';
import { linkAbort } from '../model/abort';

/**
 * The reason an RLM the user stopped aborts with. An AbortError, so that its model calls in
 * flight reject with it as they do with any abort (model/abort.ts), and its own class, so that
 * its parent's `rlm_query` can tell this stop from its own cell ending.
 */
export class RlmStoppedByUser extends Error {
  constructor(readonly nodeId: number) {
    super('stopped by the user');
    this.name = 'AbortError';
  }
}

/** What the parent's code receives from `rlm_query` when the user stopped that child. */
export function userStoppedAnswer(nodeId: number): string {
  return `Error: the user stopped this child RLM (node ${nodeId})`;
}

/** How a note reaches the RLM's conversation (a user message of its next turn). */
export function userNoteMessage(text: string): string {
  return `Note from the user: ${text}`;
}

/**
 * The most notes that may wait for one RLM's next turn: each becomes part of its prompt, so a
 * caller sending note after note must not grow it (and the memory holding them) without end.
 */
export const MAX_WAITING_NOTES = 20;

export class LiveRlm {
  private readonly controller = new AbortController();
  private readonly queued: string[] = [];
  private readonly unlink: () => void;
  private markEnded: () => void = () => undefined;
  /** Resolves once it has left the live RLMs, its end recorded in the same step. */
  readonly ended = new Promise<void>((resolve) => (this.markEnded = resolve));

  /** `parent`: what stops it besides the user (its parent's cell ending; the run, for the root). */
  constructor(
    readonly nodeId: number,
    readonly isRoot: boolean,
    parent: AbortSignal,
  ) {
    // Through the parent's one shared listener (model/abort.ts): a cell may start many children.
    this.unlink = linkAbort(parent, () => this.controller.abort(parent.reason));
  }

  /** Aborts when this RLM must stop: the user stopped it, or whatever stops its parent's cell. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get stoppedByUser(): boolean {
    return this.controller.signal.reason instanceof RlmStoppedByUser;
  }

  stop(): void {
    this.controller.abort(new RlmStoppedByUser(this.nodeId));
  }

  /** Stops it and waits for its end (prompt: its calls, its sandbox and its gate all follow its signal). */
  async stopAndWait(): Promise<void> {
    this.stop();
    await this.ended;
  }

  /** Queues a note for its next turn; false when MAX_WAITING_NOTES already wait. */
  note(text: string): boolean {
    if (this.queued.length >= MAX_WAITING_NOTES) return false;
    this.queued.push(text);
    return true;
  }

  /** The notes sent since the last take, oldest first. */
  takeNotes(): string[] {
    return this.queued.splice(0);
  }

  dispose(): void {
    this.unlink();
    this.markEnded();
  }
}

export class LiveRlms {
  private readonly live = new Map<number, LiveRlm>();
  /** What the user did so far, as the root RLM's payload records it (replay.ts reads it). */
  private readonly steering: UserSteering = { stopped: [], noted: [] };

  add(nodeId: number, isRoot: boolean, parent: AbortSignal): LiveRlm {
    const rlm = new LiveRlm(nodeId, isRoot, parent);
    this.live.set(nodeId, rlm);
    return rlm;
  }

  get(nodeId: number): LiveRlm | undefined {
    return this.live.get(nodeId);
  }

  /** It ended: returns the notes it never read. */
  remove(rlm: LiveRlm): string[] {
    this.live.delete(rlm.nodeId);
    rlm.dispose();
    return rlm.takeNotes();
  }

  /** Notes what the user did to an RLM; returns the run's record of it, to store. */
  steered(action: 'stopped' | 'noted', nodeId: number): UserSteering {
    const list = this.steering[action];
    if (!list.includes(nodeId)) list.push(nodeId);
    return { stopped: [...this.steering.stopped], noted: [...this.steering.noted] };
  }
}
