// The host calls of the one cell a sandbox runs at a time (DESIGN §11): each call its code makes
// is served live by the sandbox's `onCall`, answered from a run's recording (a replay:
// recordedCalls.ts), or re-answered as recorded when an earlier cell is re-run to restore
// variables after a restart. Every answer is kept — for the cell's recording, and for a restore.
// The sandbox (sandbox.ts) owns the process and passes the child's messages in; this owns what
// was asked and answered.
import { createHash } from 'node:crypto';
import { CALL_NAMES, CELL_LIMITS, type CallKind, type ChildMessage } from '../../../shared/sandboxProtocol';
import { callPayloadSchemas } from '../../../shared/sandboxProtocolSchemas';
import type { CallAnswer, RecordedCallServer } from './recordedCalls';

export type SandboxCall =
  | { kind: 'llm'; prompt: string; model?: string }
  | { kind: 'llm_batched'; prompts: string[]; model?: string }
  | { kind: 'rlm'; query: string; context?: string | string[] };

/** Serves a sub-call: resolves to the text the code receives; a rejection becomes an error there. */
export type ServeCall = (call: SandboxCall, signal: AbortSignal, link: CallLink) => Promise<string>;

/** The nodes behind one host call, filled in by whoever serves it (opaque to the sandbox). */
export interface CallLink {
  /** The node holding the answer or the failure: a sub-call's `llm` node, a child's `rlm` node. */
  node?: number;
  /**
   * A batch, item by item: the `llm` node (absent when the item was refused before its call) and,
   * for a failed item, the text in its slot.
   */
  items?: Array<{ node?: number; error?: string }>;
}

/** One call a cell's code made, as the host saw it. */
export interface MadeCall {
  /** The sandbox's id for it: the order the code made the calls the host took. */
  callId: number;
  kind: CallKind;
  /** The first 16 hex digits of the sha256 of the call as the sandbox sent it (kind-specific JSON). */
  request: string;
  link: CallLink;
  /** What the host answered; absent when the cell ended before the answer. */
  result?: { ok: boolean; value: string };
}

export type CallResults = Map<number, { ok: boolean; value: string }>;

/** Where a cell's calls are answered from. */
export type CallSource =
  | { kind: 'live'; serve: ServeCall }
  /** A cell re-run to restore variables: the results it got the first time, no model asked. */
  | { kind: 'restore'; results: CallResults }
  /** A cell replayed from a run's recording. */
  | { kind: 'recording'; server: RecordedCallServer };

export class CellHostCalls {
  /** Every answer sent, by call id: what a restore re-answers the cell with. */
  readonly results: CallResults = new Map();
  /** The calls the host took, for the recording (live cells only). */
  private readonly taken = new Map<number, MadeCall>();
  private takenCut = 0;
  private readonly inFlight = new Map<number, AbortController>();
  /** The cell has ended: a late answer is neither sent nor kept (the code never received it). */
  private over = false;

  /** `send` delivers an answer to the code (the sandbox drops it once the cell is over). */
  constructor(
    private readonly source: CallSource,
    private readonly send: (callId: number, ok: boolean, value: string) => void,
  ) {}

  /** Answered from a run's recording (a replay), which hands results over when the code is quiet. */
  get recording(): RecordedCallServer | null {
    return this.source.kind === 'recording' ? this.source.server : null;
  }

  /** A call the code made. */
  serve(message: Extract<ChildMessage, { type: 'call' }>): void {
    const { callId, kind, payload } = message;
    const source = this.source;
    if (source.kind === 'recording') {
      this.answerAll(source.server.made(callId, kind, requestHash(payload)));
      return;
    }
    if (source.kind === 'restore') {
      const recorded = source.results.get(callId);
      if (recorded) this.answer(callId, recorded.ok, recorded.value);
      else this.answer(callId, false, 'the replay made a call the original cell did not make');
      return;
    }
    // Recorded before it is served: a call refused here is a call the code made all the same.
    const link: CallLink = {};
    if (this.taken.size < CELL_LIMITS.hostCalls) this.taken.set(callId, { callId, kind, request: requestHash(payload), link });
    else this.takenCut++;
    const call = parseCall(kind, payload);
    if (typeof call === 'string') {
      this.answer(callId, false, call);
      return;
    }
    const controller = new AbortController();
    this.inFlight.set(callId, controller);
    source.serve(call, controller.signal, link).then(
      (value) => this.answer(callId, true, value),
      (error: unknown) => this.answer(callId, false, error instanceof Error ? error.message : String(error)),
    );
  }

  /** The code is quiet (a replay): the recording's next group of results, if it is due. */
  quiet(): void {
    if (this.source.kind === 'recording') this.answerAll(this.source.server.quiet());
  }

  /** The cell is over: calls still in flight are aborted, nobody will read their answers. */
  end(reason: string): void {
    this.over = true;
    for (const controller of this.inFlight.values()) controller.abort(abortError(reason));
    this.inFlight.clear();
  }

  /** The calls the host took, in the order they were made, for the cell's recording. */
  made(): { made: MadeCall[]; madeCut?: number } {
    return { made: [...this.taken.values()].sort((a, b) => a.callId - b.callId), ...(this.takenCut > 0 ? { madeCut: this.takenCut } : {}) };
  }

  private answerAll(answers: readonly CallAnswer[]): void {
    for (const { callId, ok, value } of answers) this.answer(callId, ok, value);
  }

  private answer(callId: number, ok: boolean, value: string): void {
    if (this.over) return;
    this.inFlight.delete(callId);
    const result = { ok, value };
    this.results.set(callId, result);
    const taken = this.taken.get(callId);
    if (taken) taken.result = result;
    this.send(callId, ok, value);
  }
}

/** The call, or why it is refused (shown to the model as the call's error). */
function parseCall(kind: SandboxCall['kind'], payload: string): SandboxCall | string {
  const name = CALL_NAMES[kind];
  let data: unknown;
  try {
    data = JSON.parse(payload);
  } catch {
    return `${name}: malformed call`;
  }
  const parsed = callPayloadSchemas[kind].safeParse(data);
  if (!parsed.success) return `${name}: ${parsed.error.issues[0]?.message ?? 'malformed call'}`;
  return { kind, ...parsed.data } as SandboxCall;
}

/** A short fingerprint of a call's request, for matching calls that no node describes. */
function requestHash(payload: string): string {
  return createHash('sha256').update(payload).digest('hex').slice(0, 16);
}

/** An AbortError with this message: what a call aborted for this reason rejects with. */
export function abortError(message: string): Error {
  const error = new Error(message);
  error.name = 'AbortError';
  return error;
}
