// One Recursive Language Model: a root model that sees only a description of its context,
// writes code that a sandbox runs, reads the output, and goes round until it answers with FINAL
// (DESIGN §1, §3). Children started by `rlm_query` run this same loop one level deeper.
import type { ChatMessage } from '../../shared/domain/node';
import type { StopReason } from '../../shared/domain/run';
import type { ContextSource } from '../../shared/sandboxProtocol';
import type { CellResult } from '../sandbox/host/cellResult';
import { Sandbox } from '../sandbox/host/sandbox';
import { linkAbort } from '../model/abort';
import { mayTakeTurn } from './limitChecks';
import type { RlmCache } from './callCache';
import { answerWithoutCall, callModel, errorMessage, type ModelCallSpec } from './modelCall';
import { findFinal, MAX_REPLY_CHARS, parseReply, type ParsedReply } from './replyParser';
import type { BoundedPrefix } from './tokenBound';
import {
  finalAnswerRequest,
  finalVarMissing,
  firstUserMessage,
  notes,
  nudgeMessage,
  replOutputMessage,
  systemPrompt,
  type BlockOutcome,
} from './prompts';
import { RunawayGuard } from './runawayGuard';
import type { RunContext } from './runContext';
import { serveSandboxCall } from './subCalls';
import { hostCallsOf } from './hostCallRecord';
import { RlmStoppedByUser, userNoteMessage, type LiveRlm } from './liveRlms';

export interface RlmTask {
  parentId: number | null;
  depth: number;
  query: string;
  model: string;
  context: ContextSource;
  /** Files the sandbox reads itself. */
  readablePaths: string[];
  /** Its sandbox's memory limit (sandboxMemoryMb), already held in the run's sandbox memory. */
  memoryMb: number;
  /** Content hashes of the context's documents in the store. */
  documents: string[];
  /** Aborts this RLM only (its parent's cell ended); the user may also stop it (liveRlms.ts). */
  signal?: AbortSignal;
  /** Told its node's id once it exists (the parent cell's recording links to it). */
  onNode?: (id: number) => void;
  /** A fork: the recorded RLM at this place in the tree, asked before each call (callCache.ts). */
  cache?: RlmCache | null;
}

export interface RlmOutcome {
  answer: string | null;
  /** Set when the answer was forced at the iteration limit, or when there is none. */
  stopReason: StopReason | null;
}

export async function runRlm(run: RunContext, task: RlmTask): Promise<RlmOutcome> {
  const { recorder } = run.deps;
  const nodeId = recorder.addNode(
    { parentId: task.parentId, kind: 'rlm', depth: task.depth, label: task.query, model: task.model },
    { query: task.query, documents: task.documents },
  );
  task.onNode?.(nodeId);
  // A fork's RLM draws the recorded RLM's Math.random values: its cells can reproduce the recording's.
  const seed = task.cache?.seed ?? sandboxSeed(run.settings.seed, nodeId);
  run.reachedDepth(task.depth);
  // Steerable from here to its end (the try below always takes it out): the user may stop it
  // (not the root) or send it notes.
  const live = run.rlms.add(nodeId, task.parentId === null, task.signal ?? run.signal);
  const loop = new RlmLoop(run, task, nodeId, live);
  try {
    const outcome = await loop.execute(seed);
    ended(run, live);
    recorder.finish(nodeId, 'completed', { answer: outcome.answer ?? undefined, stopReason: outcome.stopReason ?? undefined });
    return outcome;
  } catch (error) {
    ended(run, live);
    const stopped = run.stopReason;
    if (!stopped && live.stoppedByUser) {
      // Only this RLM (and its subtree, through its sandbox's calls): the run goes on.
      // The run's record first: were the process to die between the two writes, the run would
      // still not be offered for an exact re-execution.
      recorder.update(ROOT_NODE_ID, { steering: run.rlms.steered('stopped', nodeId) });
      recorder.finish(nodeId, 'stopped', { error: 'stopped by the user', stopReason: 'user' });
      throw new RlmStoppedByUser(nodeId);
    }
    recorder.finish(nodeId, stopped || live.signal.aborted ? 'stopped' : 'failed', {
      error: stopped ? stopped.message : errorMessage(error),
      ...(stopped ? { stopReason: stopped.reason } : {}),
    });
    throw error;
  } finally {
    loop.dispose();
  }
}

/** A run's root RLM is its first node; it holds the run's record of what the user steered. */
const ROOT_NODE_ID = 1;

/**
 * Out of the live RLMs before its end is recorded: from then on a stop or a note is refused
 * (already ended) rather than taken and lost. Notes it never read are said on its node.
 */
function ended(run: RunContext, live: LiveRlm): void {
  const unread = run.rlms.remove(live);
  if (unread.length === 0) return;
  const what = unread.length === 1 ? 'a note from the user arrived' : `${unread.length} notes from the user arrived`;
  run.deps.recorder.appendNote(live.nodeId, `${what} after its last turn and ${unread.length === 1 ? 'was' : 'were'} not delivered`);
}

class RlmLoop {
  private sandbox: Sandbox | null = null;
  private readonly messages: ChatMessage[] = [];
  /** The conversation so far as the provider counted it (tokenBound.ts); null until a turn reports usage. */
  private reported: BoundedPrefix | null = null;
  /** Messages already stored with an earlier turn. */
  private sent = 0;
  private currentCell = 0;
  private readonly guard = new RunawayGuard(3);
  /** Its turns so far (the one under way included). */
  private turns = 0;
  private readonly disposeSandbox = () =>
    this.sandbox?.dispose(
      this.run.signal.aborted ? 'the run was stopped' : this.live.stoppedByUser ? `the user stopped RLM node ${this.nodeId}` : 'the cell that started this child RLM ended',
    );

  constructor(
    private readonly run: RunContext,
    private readonly task: RlmTask,
    private readonly nodeId: number,
    /** Its own stop (its parent's cell ending, or the user) and the user's notes. */
    private readonly live: LiveRlm,
  ) {
    // Through the run's one shared listener (model/abort.ts): a listener per RLM on the run's
    // signal piled up past Node's warning at eleven child RLMs at once.
    this.unlinks = [linkAbort(run.signal, this.disposeSandbox), linkAbort(live.signal, this.disposeSandbox)];
  }

  private readonly unlinks: Array<() => void>;

  dispose(): void {
    for (const unlink of this.unlinks) unlink();
    this.sandbox?.dispose();
  }

  async execute(seed: number): Promise<RlmOutcome> {
    const { run, task } = this;
    this.throwIfStopped();
    const limits = run.limits;
    this.sandbox = await Sandbox.start({
      launcher: run.deps.launcher,
      context: task.context,
      readablePaths: task.readablePaths,
      seed,
      memoryMb: task.memoryMb,
      cellTimeoutMs: limits.cellTimeoutMs,
      outputChars: limits.outputChars,
      // A child's signal aborts with the run too (stopping the run disposes its parent's sandbox).
      signal: this.live.signal,
      ...(task.cache?.timeZone ? { timeZone: task.cache.timeZone } : {}),
      onCall: (call, signal, link) => serveSandboxCall(run, { depth: task.depth, cellId: this.currentCell, cache: task.cache ?? null }, call, signal, link),
    });
    this.throwIfStopped(); // stopped while the sandbox started: the abort listener came too early
    const context = this.sandbox.contextInfo;
    run.deps.recorder.update(this.nodeId, { context, seed, environment: this.sandbox.environment });
    const settings = { depth: task.depth, maxDepth: limits.maxDepth, maxIterations: limits.maxIterations, outputChars: limits.outputChars, cellTimeoutMs: limits.cellTimeoutMs };
    this.messages.push({ role: 'system', content: systemPrompt(settings) }, { role: 'user', content: firstUserMessage(task.query, context) });

    for (let turn = 0; mayTakeTurn(limits, turn); turn++) {
      const reply = parseReply(await this.modelTurn());
      const answer = reply.runnable.length > 0 ? await this.runBlocks(reply, turn) : await this.readAnswer(reply, turn);
      if (answer !== null) return { answer, stopReason: null };
    }
    return this.forceFinal();
  }

  /** Between two steps (a model turn, a cell): where a paused run waits, unless this RLM is stopped. */
  private async checkpoint(): Promise<void> {
    this.throwIfStopped();
    try {
      await this.run.gate.pass(this.live.signal);
    } catch (error) {
      this.throwIfStopped();
      throw error;
    }
    this.throwIfStopped();
  }

  private throwIfStopped(): void {
    this.run.throwIfStopped();
    if (this.live.signal.aborted) throw this.live.signal.reason;
  }

  /** The user's notes sent since its last turn: user messages of this turn, said on its node. */
  private takeUserNotes(): void {
    const texts = this.live.takeNotes();
    if (texts.length === 0) return;
    for (const text of texts) this.messages.push({ role: 'user', content: userNoteMessage(text) });
    const { recorder } = this.run.deps;
    const what = texts.length === 1 ? 'a note from the user was' : `${texts.length} notes from the user were`;
    recorder.update(ROOT_NODE_ID, { steering: this.run.rlms.steered('noted', this.nodeId) });
    recorder.appendNote(this.nodeId, `${what} delivered at turn ${this.turns} (in that turn's prompt)`);
  }

  private async modelTurn(): Promise<string> {
    await this.checkpoint();
    this.turns++;
    // After the gate: a note sent while the run was paused is read at the turn that follows.
    this.takeUserNotes();
    const spec: ModelCallSpec = {
      parentId: this.nodeId,
      depth: this.task.depth,
      purpose: 'turn',
      model: this.task.model,
      messages: this.messages,
      newMessages: this.messages.slice(this.sent),
      signal: this.live.signal,
      prefix: this.reported ?? undefined,
      onUsage: (usage) => {
        // Its prompt and this reply, as the provider counted them: the next turn's input bound.
        this.reported = usage.estimated ? null : { messages: this.messages.length + 1, tokens: usage.inputTokens + usage.outputTokens };
      },
    };
    const cache = this.task.cache;
    const recorded = cache?.turn(this.task.model, this.messages) ?? null;
    const text = recorded ? await answerWithoutCall(this.run, spec, recorded) : await callModel(this.run, spec);
    cache?.replied(text);
    this.run.countTurn(this.task.depth);
    this.messages.push({ role: 'assistant', content: text });
    this.sent = this.messages.length;
    return text;
  }

  /** A reply without code to run: an answer in its text, or a nudge back to the REPL. */
  private async readAnswer(reply: ParsedReply, turn: number): Promise<string | null> {
    const final = findFinal(reply.prose);
    const max = this.run.limits.maxIterations;
    const nextTurn = turn + 2;
    const tagged = reply.other.filter((block) => block.language !== '');
    let feedback: string;
    if (final && tagged.length > 0) {
      // Code in another language next to an answer: the model has not seen any output either.
      feedback = `${nudgeMessage(tagged.map((block) => block.language), nextTurn, max)}\n\nNote: ${notes.answerIgnored}`;
    } else if (final?.kind === 'FINAL') {
      return final.answer;
    } else if (final?.kind === 'FINAL_VAR') {
      const { result } = await this.runCell(`FINAL_VAR(${JSON.stringify(final.name)})`);
      if (result.final !== null) return result.final;
      feedback = `${finalVarMissing(final.name, result.error ?? 'no value')}\n\n[turn ${nextTurn} of ${max}]`;
    } else {
      feedback = nudgeMessage(reply.other.map((block) => block.language), nextTurn, max);
    }
    if (reply.ignoredChars > 0) feedback = `${feedback}\n\nNote: ${replyCutNote(reply)}`;
    const warning = this.checkRunaway(null, reply.prose.trim());
    this.messages.push({ role: 'user', content: warning ? `${feedback}\n\nNote: ${warning}` : feedback });
    return null;
  }

  /** A reply with code: every block runs; the model sees the output in the next message. */
  private async runBlocks(reply: ParsedReply, turn: number): Promise<string | null> {
    const general: string[] = [];
    if (findFinal(reply.prose)) general.push(notes.answerIgnored);
    if (reply.other.length > 0) general.push(notes.notRun(reply.other.map((block) => block.language)));
    if (reply.ignoredChars > 0) general.push(replyCutNote(reply));
    const { answer, outcomes, produced } = await this.executeBlocks(reply);
    if (answer !== null) return answer;
    const code = reply.runnable.map((block) => block.code).join('\n');
    const output = produced.join('\n').trim();
    const warning = this.checkRunaway(code, output);
    if (warning) general.push(warning);
    const { outputChars, maxIterations } = this.run.limits;
    this.messages.push({ role: 'user', content: replOutputMessage(outcomes, { outputChars, nextTurn: turn + 2, maxIterations, notes: general }) });
    return null;
  }

  /** Runs a reply's blocks in order; FINAL in code ends the RLM once its cell is done. */
  private async executeBlocks(reply: ParsedReply): Promise<{ answer: string | null; outcomes: BlockOutcome[]; produced: string[] }> {
    const outcomes: BlockOutcome[] = [];
    // What the model's code itself printed or threw, for the run-away guard: the host's messages
    // (a timeout, a restart) repeat whatever the code was, so they say nothing about a loop.
    const produced: string[] = [];
    for (const [index, block] of reply.runnable.entries()) {
      await this.checkpoint();
      const { result, cellNotes } = await this.runCell(block.code);
      outcomes.push({ output: result.output, droppedChars: result.droppedChars, error: result.error, notes: cellNotes });
      produced.push(`${result.output}${result.errorFromCode ? (result.error ?? '') : ''}`);
      if (result.final !== null) {
        const skipped = reply.runnable.length - index - 1;
        if (skipped > 0) this.run.deps.recorder.appendNote(this.currentCell, notes.skippedBlocks(skipped));
        return { answer: result.final, outcomes, produced };
      }
    }
    return { answer: null, outcomes, produced };
  }

  private async runCell(code: string): Promise<{ result: CellResult; cellNotes: string[] }> {
    const { recorder } = this.run.deps;
    const cellId = recorder.addNode({ parentId: this.nodeId, kind: 'cell', depth: this.task.depth, label: code }, { code });
    this.currentCell = cellId;
    const sandbox = this.sandbox;
    // A fork's cell on the recorded path reads the recorded clock and Math.random values.
    const recorded = this.task.cache?.cell(code) ?? null;
    const result = sandbox ? await sandbox.runCell(code, recorded ?? undefined) : null;
    if (!result) throw new Error('the sandbox is gone');
    this.task.cache?.cellDone(result.output, result.error ?? null);
    const restart = result.restart;
    const cellNotes = restart ? [notes.restarted(restart)] : [];
    const stopped = this.run.signal.aborted || this.live.signal.aborted;
    recorder.finish(cellId, stopped ? 'stopped' : result.error ? 'failed' : 'completed', {
      output: result.output,
      ...(result.error ? { error: result.error } : {}),
      ...(result.final !== null ? { answer: result.final } : {}),
      ...(result.clock.reads ? { clockRecord: result.clock } : {}),
      ...(result.random ? { random: result.random, randomDraws: result.randomDraws } : {}),
      hostCalls: hostCallsOf(result.calls),
      ...(cellNotes.length ? { notes: cellNotes } : {}),
      ...(recorded?.editOf != null ? { forkEdit: { nodeId: recorded.editOf } } : {}),
    });
    if (stopped) await this.checkpoint();
    return { result, cellNotes };
  }

  /** Stops the run on a repeated loop; returns the warning to give the model, if any. */
  private checkRunaway(code: string | null, output: string): string | null {
    this.run.deps.recorder.signals.turn(this.nodeId, code, output);
    const verdict = this.guard.observe(code, output);
    if (verdict.action === 'ok') return null;
    if (verdict.action === 'stop') {
      this.run.stop('runaway', `the model ${verdict.what} ${verdict.turns} turns in a row, after a warning`);
      this.run.throwIfStopped();
    }
    return notes.runaway(verdict.what, verdict.turns);
  }

  /**
   * At the iteration limit the model is asked once for its best answer: FINAL in its text, or in
   * code it wrote anyway (which runs), or failing both its prose when it wrote no code.
   */
  private async forceFinal(): Promise<RlmOutcome> {
    this.messages.push({ role: 'user', content: finalAnswerRequest(this.run.limits.maxIterations) });
    const reply = parseReply(await this.modelTurn());
    const stopReason = 'max-iterations' as const;
    if (reply.runnable.length > 0) {
      const { answer } = await this.executeBlocks(reply);
      return { answer, stopReason };
    }
    const final = findFinal(reply.prose);
    if (final?.kind === 'FINAL') return { answer: final.answer, stopReason };
    if (final?.kind === 'FINAL_VAR') {
      const { result } = await this.runCell(`FINAL_VAR(${JSON.stringify(final.name)})`);
      return { answer: result.final, stopReason };
    }
    return { answer: reply.prose.trim() || null, stopReason };
  }
}

/** A reply past the parser's cap was read only in part: the model must know (DESIGN §3). */
function replyCutNote(reply: ParsedReply): string {
  return notes.replyCut(reply.ignoredChars, MAX_REPLY_CHARS);
}

/** Each sandbox of a run gets its own seed, derived from the run's so a replay reproduces it. */
function sandboxSeed(runSeed: number, nodeId: number): number {
  let h = Math.imul((runSeed ^ 0x9e3779b9) >>> 0, 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ nodeId, 0xc2b2ae35) >>> 0;
  h ^= h >>> 16;
  return h % 2 ** 31;
}
