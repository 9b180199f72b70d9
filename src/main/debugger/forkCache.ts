// A stored run's recording as the cache a fork re-runs it with (engine/callCache.ts, DESIGN §11):
// for each recorded RLM, its turns by model and whole conversation, its sub-calls by model and
// prompt (in recorded order among equal ones), its children by query and context documents, and
// its cells in order with their clock and Math.random values. The user's one edit is applied
// where it belongs: a turn's or a sub-call's reply replaced, or a cell's code replaced inside the
// reply that held it (so the model's conversation shows the code that ran). Built once at the
// start of a fork; conversations are kept as hashes, not texts.
import { createHash } from 'node:crypto';
import type { ChatMessage } from '../../shared/domain/node';
import { RlmError } from '../../shared/errors';
import type { CachedReply, RecordedCellValues, RlmCache } from '../engine/callCache';
import { MAX_REPLY_CHARS, parseReply, withRunnableCode } from '../engine/replyParser';
import { isTimeZoneName } from './replay';
import { recordingOf, type CellRecording, type RecordingSource, type RlmRecording, type TurnRecording } from './recording';

/** The one change a fork makes: a recorded node's reply (an `llm` node) or code (a `cell`). */
export interface ForkEdit {
  nodeId: number;
  kind: 'reply' | 'code';
  text: string;
}

export interface ForkCache {
  /** The root RLM's cache; null when the run recorded none. */
  root: RlmCache | null;
  /** Whether the fork reached the edited step (false until it does; true when there is no edit). */
  readonly editApplied: boolean;
}

/**
 * The cache of run `runId` with `edit` applied. Throws, in one line, for an edit the run cannot
 * take: a node it does not have, an RLM, a reply edit of a cell or a code edit of a model call, a
 * cell whose code the model did not write (RLMScope's FINAL_VAR lookup).
 */
export function forkCache(source: RecordingSource, runId: string, edit: ForkEdit | null): ForkCache {
  const recording = recordingOf(source, runId);
  if (!recording) throw new RlmError('NOT_FOUND', `no run ${runId}`);
  const edits = resolveEdit(source, runId, recording.rlms, edit);
  const state = { applied: edit === null };
  const byId = new Map<number, RecordedRlm>();
  for (const rlm of recording.rlms) byId.set(rlm.nodeId, new RecordedRlm(rlm, edits, state));
  const subs = subCallsByRlm(source, runId, edits);
  // Each cell's RLM, once: looking each child's parent up by scanning was quadratic (8 s for 20,000 RLMs).
  const rlmOfCell = new Map<number, number>();
  for (const rlm of recording.rlms) for (const step of rlm.steps) if (step.kind === 'cell') rlmOfCell.set(step.nodeId, rlm.nodeId);
  for (const rlm of recording.rlms) {
    byId.get(rlm.nodeId)!.addSubs(subs.get(rlm.nodeId) ?? []);
    if (rlm.parentCellId === null) continue;
    const parent = rlmOfCell.get(rlm.parentCellId);
    if (parent !== undefined) byId.get(parent)!.addChild(byId.get(rlm.nodeId)!);
  }
  const root = recording.rlms.find((rlm) => rlm.parentCellId === null);
  return {
    root: root ? byId.get(root.nodeId)! : null,
    get editApplied() {
      return state.applied;
    },
  };
}

/** The edit as the cache applies it: replacement replies by recorded node, and the edited cell. */
interface ResolvedEdit {
  /** Recorded turn or sub-call node -> the text that answers it instead (and the cell whose code it replaced). */
  replies: Map<number, { text: string; codeOf?: number }>;
  /** The recorded cell whose code was replaced, and by what. */
  cell: { nodeId: number; code: string } | null;
}

function resolveEdit(source: RecordingSource, runId: string, rlms: readonly RlmRecording[], edit: ForkEdit | null): ResolvedEdit {
  const resolved: ResolvedEdit = { replies: new Map(), cell: null };
  if (!edit) return resolved;
  const node = source.getNodes(runId).find((candidate) => candidate.id === edit.nodeId);
  if (!node) throw new RlmError('NOT_FOUND', `run ${runId} has no node ${edit.nodeId}`);
  if (node.kind === 'rlm') throw new RlmError('INVALID_INPUT', `node ${edit.nodeId} is an RLM: fork at one of its turns (--reply) or cells (--code)`);
  if (node.kind === 'llm') {
    if (edit.kind !== 'reply') throw new RlmError('INVALID_INPUT', `node ${edit.nodeId} is a model call: replace its reply with --reply or --reply-file, not its code`);
    resolved.replies.set(node.id, { text: edit.text });
    return resolved;
  }
  if (edit.kind !== 'code') throw new RlmError('INVALID_INPUT', `node ${edit.nodeId} is a cell: replace its code with --code or --code-file, not a reply`);
  // The reply that held the cell's code: the turn before it in its RLM, the cell's block among
  // the cells between them.
  for (const rlm of rlms) {
    const at = rlm.steps.findIndex((step) => step.nodeId === node.id);
    if (at < 0) continue;
    let turnAt = at - 1;
    while (turnAt >= 0 && rlm.steps[turnAt]!.kind !== 'turn') turnAt--;
    const turn = rlm.steps[turnAt] as TurnRecording | undefined;
    const cell = rlm.steps[at] as CellRecording;
    const index = at - turnAt - 1;
    const blocks = turn?.reply != null ? parseReply(turn.reply).runnable : [];
    if (!turn || turn.reply === null || blocks[index]?.code !== cell.code) {
      throw new RlmError('INVALID_INPUT', `cell ${node.id} was not written by the model (RLMScope looks up FINAL_VAR this way): fork at the turn before it with --reply`);
    }
    // A reply is read to MAX_REPLY_CHARS: past it, the new code would be cut, not run whole.
    const length = turn.reply.length - cell.code.length + edit.text.length;
    if (turn.reply.length > MAX_REPLY_CHARS || length > MAX_REPLY_CHARS) {
      const limit = MAX_REPLY_CHARS.toLocaleString('en-US');
      throw new RlmError('INVALID_INPUT', `with the new code of cell ${node.id}, the reply that holds it would be ${Math.max(length, turn.reply.length).toLocaleString('en-US')} characters, more than the ${limit} of a reply RLMScope reads`);
    }
    const patched = withRunnableCode(turn.reply, index, edit.text);
    const reparsed = patched === null ? null : parseReply(patched).runnable;
    if (patched === null || reparsed?.length !== blocks.length || reparsed[index]?.code !== edit.text) {
      throw new RlmError('INVALID_INPUT', `the new code of cell ${node.id} does not fit in its code block: a line of it closes the block's fence (\`\`\`)`);
    }
    resolved.replies.set(turn.nodeId, { text: patched, codeOf: node.id });
    resolved.cell = { nodeId: node.id, code: edit.text };
    return resolved;
  }
  throw new RlmError('INVALID_INPUT', `cell ${node.id} belongs to no RLM of run ${runId}`);
}

interface RecordedAnswer {
  nodeId: number;
  text: string;
}

/**
 * Every completed sub-call of the run, by the RLM whose code made it, in the order they started;
 * and the edited one even if it failed or was stopped (the edit is its answer).
 */
function subCallsByRlm(source: RecordingSource, runId: string, edits: ResolvedEdit): Map<number, Array<RecordedAnswer & { key: string }>> {
  const nodes = source.getNodes(runId);
  const parentOf = new Map(nodes.map((node) => [node.id, node.parentId]));
  const byRlm = new Map<number, Array<RecordedAnswer & { key: string }>>();
  for (const node of nodes) {
    const edited = edits.replies.get(node.id);
    if (node.kind !== 'llm' || node.purpose !== 'sub' || (node.status !== 'completed' && !edited) || node.parentId === null) continue;
    const rlmId = parentOf.get(node.parentId);
    const payload = source.getPayload(runId, node.id);
    const prompt = payload?.prompt;
    // A reply cut at its output cap is not served (as a turn's, in RecordedRlm.turn), unless edited.
    const text = edited?.text ?? (payload?.cutAtCap ? undefined : payload?.text);
    if (rlmId == null || text === undefined || prompt?.length !== 1 || node.model === null) continue;
    const list = byRlm.get(rlmId) ?? [];
    list.push({ nodeId: node.id, text, key: subKey(node.model, prompt[0]!.content) });
    byRlm.set(rlmId, list);
  }
  for (const list of byRlm.values()) list.sort((a, b) => a.nodeId - b.nodeId);
  return byRlm;
}

class RecordedRlm implements RlmCache {
  readonly nodeId: number;
  readonly seed: number | null;
  readonly timeZone: string | null;
  private readonly turns = new Map<string, TurnRecording>();
  /** Each recorded turn's reply, in order, and the edit's text for the edited one. */
  private readonly repliesInOrder: Array<{ reply: string | null; edited: string | undefined }> = [];
  private readonly cells: CellRecording[] = [];
  private readonly subs = new Map<string, RecordedAnswer[]>();
  private readonly children = new Map<string, RecordedRlm[]>();
  private turnIndex = 0;
  private cellIndex = 0;
  private onPath = true;

  constructor(
    private readonly recording: RlmRecording,
    private readonly edit: ResolvedEdit,
    private readonly state: { applied: boolean },
  ) {
    this.nodeId = recording.nodeId;
    this.seed = recording.seed;
    const zone = recording.environment?.timeZone;
    this.timeZone = zone && isTimeZoneName(zone) ? zone : null;
    for (const step of recording.steps) {
      if (step.kind === 'turn') {
        const key = turnKey(step.model ?? '', step.messages);
        if (!this.turns.has(key)) this.turns.set(key, step);
        this.repliesInOrder.push({ reply: step.reply, edited: edit.replies.get(step.nodeId)?.text });
      } else {
        this.cells.push(step);
      }
    }
  }

  addSubs(answers: ReadonlyArray<RecordedAnswer & { key: string }>): void {
    for (const { key, nodeId, text } of answers) {
      const queue = this.subs.get(key) ?? [];
      queue.push({ nodeId, text });
      this.subs.set(key, queue);
    }
  }

  addChild(child: RecordedRlm): void {
    const key = childKey(child.recording.query, child.recording.documents);
    const queue = this.children.get(key) ?? [];
    queue.push(child);
    this.children.set(key, queue);
  }

  turn(model: string, messages: readonly ChatMessage[]): CachedReply | null {
    const recorded = this.turns.get(turnKey(model, messages));
    if (!recorded) return null;
    const edited = this.edit.replies.get(recorded.nodeId);
    if (edited !== undefined) {
      // A code edit is applied when its cell runs the new code (cell()), a reply edit here.
      if (edited.codeOf === undefined) this.state.applied = true;
      return { text: edited.text, nodeId: recorded.nodeId, edited: true, ...(edited.codeOf !== undefined ? { codeOf: edited.codeOf } : {}) };
    }
    // A reply cut at a cap a limit lowered may not be what this call, sent another cap, gets.
    return recorded.reply === null || recorded.cutAtCap ? null : { text: recorded.reply, nodeId: recorded.nodeId, edited: false };
  }

  replied(text: string): void {
    // The edited reply keeps the RLM on its path: the cells it holds before the edited one (or
    // with their recorded code) run in the recorded sandbox state, so they read the recorded values.
    const recorded = this.repliesInOrder[this.turnIndex++];
    if (recorded?.reply !== text && recorded?.edited !== text) this.onPath = false;
  }

  sub(model: string, prompt: string): CachedReply | null {
    const next = this.subs.get(subKey(model, prompt))?.shift();
    if (!next) return null;
    const edited = this.edit.replies.get(next.nodeId);
    if (edited !== undefined) this.state.applied = true;
    return { text: edited?.text ?? next.text, nodeId: next.nodeId, edited: edited !== undefined };
  }

  child(query: string, documents: readonly string[]): RlmCache | null {
    return this.children.get(childKey(query, documents))?.shift() ?? null;
  }

  cell(code: string): RecordedCellValues | null {
    const recorded = this.cells[this.cellIndex];
    if (!recorded) {
      this.onPath = false;
      return null;
    }
    const edit = this.edit.cell;
    if (edit && edit.nodeId === recorded.nodeId && edit.code === code) {
      // The branch point (the edited reply before it left the recorded path): the code is new,
      // so are the clock readings it will make.
      this.state.applied = true;
      return { clock: { runs: [], reads: 0 }, random: null, editOf: recorded.nodeId };
    }
    if (!this.onPath || recorded.code !== code) {
      this.onPath = false;
      return null;
    }
    return { clock: recorded.clock, random: recorded.random ? { epoch: recorded.random.epoch, draws: recorded.random.draws } : null, editOf: null };
  }

  cellDone(output: string, error: string | null): void {
    const recorded = this.cells[this.cellIndex++];
    if (!recorded || recorded.output !== output || recorded.error !== error) this.onPath = false;
  }
}

function hash(parts: readonly string[]): string {
  const digest = createHash('sha256');
  for (const part of parts) digest.update(`${part.length}:`).update(part);
  return digest.digest('base64');
}

export function turnKey(model: string, messages: readonly ChatMessage[]): string {
  return hash([model, ...messages.flatMap((message) => [message.role, message.content])]);
}

function subKey(model: string, prompt: string): string {
  return hash([model, prompt]);
}

function childKey(query: string, documents: readonly string[]): string {
  return hash([query, ...documents]);
}
