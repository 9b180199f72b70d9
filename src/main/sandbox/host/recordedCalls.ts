// Serves one replayed cell's host calls from its recording (DESIGN §11), never from a model: each
// call the code makes must be the recorded one at its place (same kind, same request hash), and
// gets exactly what the original got. Results are handed over in the recorded groups — one group
// per wake-up of the sandbox — because which results settle together decides how the code's
// continuations interleave. Pure: the sandbox host feeds it calls and "the code is quiet" signals
// (a ping answered between two slices of the code) and sends what it returns.
import { CALL_NAMES, type CallKind } from '../../../shared/sandboxProtocol';

/** One recorded call, as recording.ts resolves it (a structural subset of its HostCallReplay). */
export interface RecordedCall {
  kind: CallKind;
  request: string | null;
  /** Resolved, rejected, or never answered (null). */
  ok: boolean | null;
  /** Exactly the text the code received. */
  value: string | null;
  /** Refused inside the sandbox: it never reaches the host, in the replay either. */
  refused: boolean;
}

/** What the recording has and what the replayed code did instead, one line each. */
export interface CallDivergence {
  expected: string;
  actual: string;
}

export interface CallAnswer {
  callId: number;
  ok: boolean;
  value: string;
}

/**
 * Quiet signals in a row with nothing new before the code is taken to wait for what the
 * replay will not give: a result handed over finishes its cell at the latest one event-loop
 * turn after the ping that follows it (harness.ts sends cellDone on the next setImmediate), so
 * three rounds leave a margin of one.
 */
const QUIET_ROUNDS = 3;

/** Why a replay answers a call with an error: it is not the recorded one, and no model is asked. */
export const NOT_RECORDED = 'replay: this call is not in the recording, and a replay never asks a model';

export class RecordedCallServer {
  /** Positions in `calls` of the calls that reached the host, in the order the code made them. */
  private readonly taken: number[] = [];
  private readonly groups: number[][] | null;
  private nextGroup = 0;
  /** Recorded position -> the replay's call id. */
  private readonly callIds = new Map<number, number>();
  /** Replay call ids waiting for an answer. */
  private readonly waiting = new Set<number>();
  private madeCount = 0;
  private quietRounds = 0;
  private heard = false;
  /** The first thing that did not match the recording; null while the replay is on its path. */
  divergence: CallDivergence | null = null;

  constructor(
    private readonly calls: readonly RecordedCall[],
    received: number[][] | null,
  ) {
    calls.forEach((call, position) => {
      if (!call.refused) this.taken.push(position);
    });
    this.groups = received;
  }

  /** A call the code made: the answers to send now (in recorded groups, most wait for `quiet`). */
  made(callId: number, kind: CallKind, request: string): CallAnswer[] {
    this.heard = true;
    const index = this.madeCount++;
    if (this.divergence !== null) return [{ callId, ok: false, value: NOT_RECORDED }];
    const position = this.taken[index];
    const recorded = position === undefined ? undefined : this.calls[position];
    if (position === undefined || !recorded) {
      return this.diverge({ expected: `no host call ${index + 1} (the recording has ${this.taken.length})`, actual: `host call ${index + 1}: ${CALL_NAMES[kind]} (request ${request})` }, callId);
    }
    if (recorded.kind !== kind || recorded.request !== request) {
      return this.diverge(
        { expected: `host call ${index + 1}: ${CALL_NAMES[recorded.kind]} (request ${recorded.request ?? 'none'})`, actual: `host call ${index + 1}: ${CALL_NAMES[kind]} (request ${request})` },
        callId,
      );
    }
    this.callIds.set(position, callId);
    // Killed during the original cell: the order it received results in is not known; answer
    // each call as it comes, as a live host would.
    if (this.groups === null && recorded.ok !== null) return [{ callId, ok: recorded.ok, value: recorded.value ?? '' }];
    // Also a call never answered (the original cell ended first): code that awaits it waits for
    // what the recording never gave, and is released by `quiet`.
    this.waiting.add(callId);
    return [];
  }

  /**
   * The code is quiet: everything it did in response to earlier answers has reached the host.
   * Returns the next recorded group when all its calls have been made; after several quiet
   * rounds with nothing to give, the code is waiting for what the recording never gave it (a
   * divergence), and every waiting call is failed so that the cell ends.
   */
  quiet(): CallAnswer[] {
    const group = this.groups?.[this.nextGroup];
    if (this.divergence === null && group && group.every((position) => this.callIds.has(position))) {
      this.nextGroup++;
      this.quietRounds = 0;
      this.heard = false;
      return group.map((position) => {
        const callId = this.callIds.get(position)!;
        const recorded = this.calls[position]!;
        this.waiting.delete(callId);
        return { callId, ok: recorded.ok === true, value: recorded.value ?? '' };
      });
    }
    if (this.heard) {
      this.heard = false;
      this.quietRounds = 0;
      return [];
    }
    if (++this.quietRounds < QUIET_ROUNDS || this.waiting.size === 0) return [];
    if (this.divergence === null) {
      const missing = group?.find((position) => !this.callIds.has(position));
      const call = missing === undefined ? undefined : this.calls[missing];
      this.divergence = call
        ? { expected: `host call ${this.taken.indexOf(missing!) + 1}: ${CALL_NAMES[call.kind]} (request ${call.request ?? 'none'}), whose result came next`, actual: 'the code waited without making it' }
        : { expected: 'the cell ends with the results it was given', actual: 'the code waits for a result the recording never delivered' };
    }
    return this.release();
  }

  /** Quiet for several rounds with nothing to give: the host may ping less often. */
  get idle(): boolean {
    return this.quietRounds >= QUIET_ROUNDS;
  }

  /** When the cell has ended: a divergence, or the recorded calls it did not make; null when it matched. */
  finish(): CallDivergence | null {
    if (this.divergence !== null) return this.divergence;
    if (this.madeCount < this.taken.length) return { expected: `${this.taken.length} host calls`, actual: `${this.madeCount} host calls` };
    return null;
  }

  private diverge(why: CallDivergence, callId: number): CallAnswer[] {
    this.divergence = why;
    return [...this.release(), { callId, ok: false, value: NOT_RECORDED }];
  }

  private release(): CallAnswer[] {
    const answers = [...this.waiting].map((callId) => ({ callId, ok: false, value: NOT_RECORDED }));
    this.waiting.clear();
    return answers;
  }
}
