// One RLM's trajectory, rebuilt from its iteration records as RLMScope's own tree (DESIGN §1):
// the RLM, then per turn its model call followed by one cell per code block; under a cell, the
// calls its code made (`rlm_calls`): plain sub-calls as `llm` nodes, child RLMs (entries carrying
// `metadata.{run_metadata, iterations}`) as whole subtrees built by a nested RlmBuilder.
import type { ChatMessage } from '../../../shared/domain/node';
import type { StopReason } from '../../../shared/domain/run';
import { asRecord, FieldReader, readFinalAnswer, readMessages, readUsage, textOf, type Report } from './fields';
import { labelOf, lastText, newNode, queryFromMessages } from './nodes';
import { addUsage, type Tally } from './tally';
import { parseLogTimestamp, secondsToMs } from './times';
import type { ImportedNode } from './types';

/**
 * Child RLMs nested deeper than this are not imported. The builder recurses once per level (a
 * few frames each), so a hostile log nesting `metadata` thousands deep must not reach the stack's
 * end; the reference library's own default is one level (`max_depth=1`).
 */
export const MAX_NESTING = 64;

/** The step between made-up times, when the log gives neither a timestamp nor a duration. */
export const STEP_MS = 1;

/** The text the library sends at the iteration limit, as the last (assistant) message. */
const LIMIT_PROMPT = 'Please provide a final answer';

export interface BuildScope {
  report: Report;
  assumeUtc: boolean;
  tally: Tally;
}

export interface RlmStart {
  depth: number;
  model: string | null;
  query: string | null;
  /** Epoch ms: where the RLM's clock starts (its first turn begins no earlier). */
  startAt: number;
  maxIterations: number | null;
}

export class RlmBuilder {
  readonly node: ImportedNode;
  /** The last iteration's `final_answer` (the run's answer is the last one logged). */
  answer: string | null = null;
  stopReason: StopReason | null = null;
  iterations = 0;
  iterationSeconds: number | null = null;
  /** The last turn's prompt as far as it was new, and the reply: the next prompt repeats both. */
  private previousPrompt: ChatMessage[] | null = null;
  private previousReply: string | null = null;
  private cursor: number;

  constructor(
    private readonly scope: BuildScope,
    private readonly start: RlmStart,
  ) {
    this.cursor = start.startAt;
    this.node = newNode('rlm', start.startAt, start.model, labelOf(start.query ?? 'RLM'));
    if (start.query !== null) this.node.payload.query = start.query;
    scope.tally.maxDepthReached = Math.max(scope.tally.maxDepthReached, start.depth);
  }

  /** Adds one iteration record; `where` names it in warnings (empty for a top-level record). */
  addIteration(record: Record<string, unknown>, where: string): void {
    const { report, tally } = this.scope;
    const fields = new FieldReader(record, where, report);
    const at = (key: string) => (where ? `${where}.${key}` : key);
    const stamp = fields.string('timestamp');
    const loggedAt = parseLogTimestamp(stamp, this.scope.assumeUtc);
    if (stamp !== null && loggedAt === null) report(`${at('timestamp')} is not a time (${stamp.slice(0, 40)}); ignored`);
    const seconds = fields.number('iteration_time');
    const prompt = readMessages(record['prompt'], at('prompt'), report);
    if (record['response'] === undefined) report(`${at('response')} is missing`);
    const reply = textOf(record['response']);
    const blocks = fields.array('code_blocks') ?? [];
    const finalAnswer = readFinalAnswer(record['final_answer'], where || 'record', report);
    const number = fields.number('iteration', true);

    this.iterations++;
    tally.turns++;
    if (seconds !== null) this.iterationSeconds = (this.iterationSeconds ?? 0) + seconds;

    // The limit record: the library's extra call after max_iterations, with no code run and
    // `iteration_time: null` (rlm/core/rlm.py, `_default_answer`).
    const atLimit =
      blocks.length === 0 &&
      fields.has('iteration_time') &&
      record['iteration_time'] === null &&
      (endsWithLimitPrompt(prompt) || (number !== null && this.start.maxIterations !== null && number > this.start.maxIterations));

    // Times: the record is written when the iteration ends; `iteration_time` is its length.
    const durationMs = secondsToMs(seconds);
    const blockMs = blocks.map((block) => secondsToMs(numberAt(asRecord(asRecord(block)?.['result'])?.['execution_time'])));
    const codeMs = blockMs.reduce<number>((sum, ms) => sum + (ms ?? 0), 0);
    let begin = this.cursor;
    if (loggedAt !== null && durationMs !== null) begin = Math.max(this.cursor, loggedAt - durationMs);
    if (loggedAt === null) tally.timesSynthesised = true;
    let turnEnd: number;
    if (durationMs !== null) turnEnd = begin + Math.max(0, durationMs - codeMs);
    else if (loggedAt !== null) turnEnd = Math.max(begin, loggedAt - codeMs);
    else turnEnd = begin + STEP_MS;

    const turn = newNode('llm', begin, this.start.model, labelOf(reply));
    turn.purpose = 'turn';
    turn.endedAt = turnEnd;
    turn.payload.prompt = this.newMessages(prompt, reply);
    turn.payload.text = reply;
    if (atLimit) turn.payload.notes = ['The library asked for a final answer at its iteration limit; no code ran.'];
    this.node.children.push(turn);

    let clock = turnEnd;
    blocks.forEach((block, i) => {
      const cell = this.cell(block, `${at('code_blocks')}[${i}]`, clock, blockMs[i] ?? null);
      if (!cell) return;
      this.node.children.push(cell);
      clock = cell.endedAt;
    });
    this.cursor = Math.max(clock, loggedAt ?? clock);

    this.answer = finalAnswer;
    this.stopReason = atLimit ? 'max-iterations' : null;
  }

  /** Closes the RLM: its answer, status and end. */
  finish(): ImportedNode {
    const { node } = this;
    node.endedAt = Math.max(this.cursor, node.startedAt);
    if (this.answer !== null) node.payload.answer = this.answer;
    if (this.stopReason !== null) node.payload.stopReason = this.stopReason;
    // No answer: the log simply ends (the library writes nothing when a limit raises).
    node.status = this.answer !== null ? 'completed' : 'interrupted';
    if (node.payload.query === undefined) {
      const query = queryFromMessages(node.payload.messages ?? []);
      if (query !== null) {
        node.payload.query = query;
        node.label = labelOf(query);
      }
    }
    return node;
  }

  /**
   * The messages this turn added. Each record logs the whole message list, so a turn's own part
   * is what follows the longest prefix shared with the previous turn, less the previous reply
   * (shown on that turn). A child's records may each repeat its *final* list: the list is first
   * cut at this turn's own reply.
   */
  private newMessages(prompt: ChatMessage[], reply: string): ChatMessage[] {
    const previous = this.previousPrompt;
    const from = previous === null ? 0 : previous.length + 1;
    const own = prompt.findIndex((m, i) => i >= from && m.role === 'assistant' && m.content === reply);
    const sent = own === -1 ? prompt : prompt.slice(0, own);
    this.previousPrompt = sent;
    const previousReply = this.previousReply;
    this.previousReply = reply;
    if (previous === null) {
      // The first turn: the system prompt and the context description belong to the RLM.
      this.node.payload.messages = sent.slice(0, -1);
      return sent.slice(-1);
    }
    let common = 0;
    while (common < previous.length && common < sent.length && sameMessage(previous[common]!, sent[common]!)) common++;
    const added = sent.slice(common);
    return added[0]?.role === 'assistant' && added[0].content === previousReply ? added.slice(1) : added;
  }

  private cell(value: unknown, where: string, begin: number, ms: number | null): ImportedNode | null {
    const { report, tally } = this.scope;
    const record = asRecord(value);
    if (!record) {
      report(`${where} is not a code block; skipped`);
      return null;
    }
    tally.codeBlocks++;
    const fields = new FieldReader(record, where, report);
    const code = fields.string('code') ?? '';
    const result = fields.record('result');
    const results = result ? new FieldReader(result, `${where}.result`, report) : null;
    const stdout = results?.string('stdout') ?? '';
    const stderr = results?.string('stderr') ?? '';
    results?.number('execution_time'); // read for its warning only: the time was taken with the turn's
    const calls = results?.array('rlm_calls', true) ?? [];
    const answered = results?.has('final_answer') && result?.['final_answer'] != null;

    const cell = newNode('cell', begin, null, labelOf(code));
    cell.payload = { code, output: stdout, language: 'python' };
    // The library counts any stderr as an error (`max_errors`): it holds "\nExcType: message".
    if (stderr.trim() !== '') {
      cell.payload.error = stderr;
      cell.status = 'failed';
    }
    if (answered) cell.payload.notes = ['This block set the answer.'];
    let clock = begin;
    calls.forEach((call, j) => {
      const child = this.call(call, `${where}.result.rlm_calls[${j}]`, clock);
      if (!child) return;
      cell.children.push(child);
      clock = child.endedAt;
    });
    if (ms === null) tally.timesSynthesised = true;
    cell.endedAt = Math.max(begin + (ms ?? STEP_MS), clock);
    return cell;
  }

  /**
   * One `rlm_calls` entry. Batched calls are laid end to end: the log gives each the batch's
   * time divided by its size, not when it ran.
   */
  private call(value: unknown, where: string, begin: number): ImportedNode | null {
    const { report, tally } = this.scope;
    const record = asRecord(value);
    if (!record) {
      report(`${where} is not a call record; skipped`);
      return null;
    }
    const fields = new FieldReader(record, where, report);
    const model = fields.string('root_model');
    const prompt = readMessages(record['prompt'], `${where}.prompt`, report);
    if (record['response'] === undefined) report(`${where}.response is missing`);
    const response = textOf(record['response']);
    const error = fields.string('error', true);
    const ms = secondsToMs(fields.number('execution_time'));
    const usage = readUsage(record, where, report);
    const metadata = fields.record('metadata', true);
    const depth = this.start.depth + 1;
    // A failed batched prompt carries `error` (since 2026-06); a failed child returns its error
    // as the response ("Error: Child RLM completion failed - …").
    const failed = error !== null || response.startsWith('Error:');
    if (depth === 1) addUsage(tally.usage, usage);
    if (failed) tally.failedCalls++;

    // A child's trajectory: `metadata: {run_metadata, iterations}` (since 2026-02).
    const trajectory = metadata && ('iterations' in metadata || 'run_metadata' in metadata) ? metadata : null;
    let node: ImportedNode;
    if (trajectory || (failed && /child rlm/i.test(response))) {
      tally.childRlms++;
      node = trajectory ? this.child(trajectory, where, depth, begin, model, prompt) : newNode('rlm', begin, model, labelOf(lastText(prompt)));
      node.reportedUsage = usage;
      if (node.payload.query === undefined) node.payload.query = lastText(prompt);
      if (node.payload.answer === undefined && !failed) node.payload.answer = response;
      // The parent received its reply: an answer, even where the child's own records lack one.
      if (node.status === 'interrupted' && !failed && response !== '') node.status = 'completed';
      tally.maxDepthReached = Math.max(tally.maxDepthReached, depth);
    } else {
      tally.subCalls++;
      node = newNode('llm', begin, model, labelOf(lastText(prompt)));
      node.purpose = 'sub';
      node.payload = { prompt, text: response };
      Object.assign(node, usage);
    }
    if (failed) {
      node.status = 'failed';
      node.payload.error = error ?? response;
    }
    if (ms === null) tally.timesSynthesised = true;
    node.endedAt = Math.max(node.endedAt, begin + (ms ?? STEP_MS));
    return node;
  }

  private child(metadata: Record<string, unknown>, where: string, depth: number, begin: number, callModel: string | null, prompt: ChatMessage[]): ImportedNode {
    const { report } = this.scope;
    const settings = asRecord(metadata['run_metadata']);
    if (!settings) report(`${where}.metadata.run_metadata is missing`);
    const model = typeof settings?.['root_model'] === 'string' ? settings['root_model'] : callModel;
    const maxIterations = numberAt(settings?.['max_iterations']);
    const query = prompt.length > 0 ? lastText(prompt) : null;
    if (depth > MAX_NESTING) {
      report(`${where}: child RLMs nested deeper than ${MAX_NESTING} levels are not imported`);
      const node = newNode('rlm', begin, model, labelOf(query ?? 'RLM'));
      node.payload.notes = [`Its trajectory is nested deeper than ${MAX_NESTING} RLMs and was not imported.`];
      return node;
    }
    const builder = new RlmBuilder(this.scope, { depth, model, query, startAt: begin, maxIterations });
    const iterations = metadata['iterations'];
    if (!Array.isArray(iterations)) report(`${where}.metadata.iterations is missing or not a list`);
    else
      iterations.forEach((item, k) => {
        const record = asRecord(item);
        if (record) builder.addIteration(record, `${where}.metadata.iterations[${k}]`);
        else report(`${where}.metadata.iterations[${k}] is not an iteration record; skipped`);
      });
    return builder.finish();
  }
}

function numberAt(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

function sameMessage(a: ChatMessage, b: ChatMessage): boolean {
  return a.role === b.role && a.content === b.content;
}

function endsWithLimitPrompt(prompt: ChatMessage[]): boolean {
  const last = prompt[prompt.length - 1];
  return last !== undefined && last.role === 'assistant' && last.content.startsWith(LIMIT_PROMPT);
}
