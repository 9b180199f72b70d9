// Everything the engine says to the model. Pure functions of their arguments.
// The root model never sees the document: only its type, size and a short preview.
import type { ContextInfo } from '../../shared/domain/node';
import { formatDuration } from '../../shared/format';
import type { RestartInfo } from '../sandbox/host/cellResult';
import { mayStartRlm } from './limitChecks';

export interface PromptSettings {
  depth: number;
  maxDepth: number;
  maxIterations: number;
  outputChars: number;
  cellTimeoutMs: number;
}

const PREVIEW_CHARS = 300;
const LISTED_ITEMS = 20;

export function systemPrompt(settings: PromptSettings): string {
  const canRecurse = mayStartRlm(settings, settings.depth + 1);
  return `You are a Recursive Language Model (RLM). You answer a query about an input too large to read at once. The input is loaded into a JavaScript REPL as the variable \`context\`; you never see it whole — you explore it by writing code, and you may hand pieces of it to sub-models.

## The REPL (JavaScript, like Node's REPL)
- \`context\`: the input (described in the next message). Never print all of it: look at slices, search it with regular expressions and indexOf, split it into chunks.
- \`print(...values)\` (also \`console.log\`): what you print is shown to you after the code runs, cut to ${settings.outputChars.toLocaleString('en-US')} characters per turn — print counts, samples and summaries, not raw text.
- \`await llm_query(prompt, { model })\`: asks a sub-model and returns its answer as a string. A sub-model reads about 100,000 characters well; put the text it must read into the prompt.
- \`await llm_query_batched(prompts)\`: many sub-model calls in parallel; returns the answers in the same order. A failed item is an error message string in its slot. Prefer one batch of a few dozen well-sized chunks to thousands of tiny calls.
- \`await rlm_query(query, subContext)\`: ${canRecurse ? 'starts a child RLM with its own REPL whose `context` is `subContext` (a string or an array of strings) and returns its answer. Use it for a sub-problem that itself needs exploring.' : 'at this depth it is answered by a single sub-model call with the query and the sub-context as the prompt (no further recursion).'}
- \`SHOW_VARS()\`: lists the variables you have defined.
- \`FINAL(answer)\`: ends the task with your answer (a string; other values are given as JSON). \`FINAL_VAR("name")\`: the same, with the value of a variable.

Top-level declarations (const, let, var, function, class) persist to later turns, even when a later line of the same code throws. Top-level \`await\` works. There are no timers, no network, no files, no require or import. Math.random is seeded. Each code block may compute for ${Math.round(settings.cellTimeoutMs / 1000)} s (time spent waiting on llm_query does not count).

## How to work
1. Write JavaScript in \`\`\`repl fenced blocks. Every block of your reply runs, in order, and you see the output in the next message.
2. First look at the context: its size, its structure, a few samples.
3. Filter with code (regex, indexOf, split); use sub-model calls for what needs reading and understanding.
4. Do not give an answer before you have seen the output of your code: if a reply has code and FINAL in its text, the code runs and the FINAL in the text is ignored.
5. When you know the answer, call FINAL(...) in code, or write FINAL(answer) on a line of its own in a reply without code.
You have ${settings.maxIterations} turns.`;
}

export function firstUserMessage(query: string, context: ContextInfo): string {
  return `Query: ${query}\n\n${describeContext(context)}\n\nYou have not looked at the context yet: start by exploring it with code.`;
}

export function describeContext(context: ContextInfo): string {
  const preview = context.preview.slice(0, PREVIEW_CHARS);
  const more = context.preview.length > PREVIEW_CHARS || (context.kind === 'string' && context.length > preview.length);
  const previewText = `"""\n${preview}${more ? '…' : ''}\n"""`;
  if (context.kind === 'string') {
    return `Your context is a string of ${context.length.toLocaleString('en-US')} character${context.length === 1 ? '' : 's'}. It starts with:\n${previewText}`;
  }
  const names = context.names ?? [];
  const lengths = context.itemLengths ?? [];
  const listed = names
    .slice(0, LISTED_ITEMS)
    .map((name, i) => `- context[${i}]: ${name} (${(lengths[i] ?? 0).toLocaleString('en-US')} characters)`)
    .join('\n');
  const rest = names.length > LISTED_ITEMS ? `\n- … and ${names.length - LISTED_ITEMS} more (see context_names)` : '';
  const split = context.split
    ? '\nThe input was too large for one JavaScript string, so it arrives as consecutive parts: process them one by one (joining them would fail).'
    : '';
  return `Your context is an array of ${context.items ?? names.length} strings, ${context.length.toLocaleString('en-US')} characters in all; \`context_names\` holds their names:\n${listed}${rest}${split}\ncontext[0] starts with:\n${previewText}`;
}

export interface BlockOutcome {
  output: string;
  droppedChars: number;
  error: string | null;
  notes: string[];
}

export interface FeedbackOptions {
  outputChars: number;
  /** The number of the turn the model is about to take, from 1. */
  nextTurn: number;
  maxIterations: number;
  notes: string[];
}

/**
 * The user message after a reply with code: each block's output, errors and notes. Errors and
 * notes are always shown; the outputs share what is left of the turn's character limit, and
 * each cut one says so.
 */
export function replOutputMessage(blocks: BlockOutcome[], options: FeedbackOptions): string {
  const frame = blocks.map((block, i) => {
    const header = blocks.length > 1 ? `Output of block ${i + 1}:` : 'Output:';
    const dropped = block.droppedChars > 0 ? `\n… [${block.droppedChars.toLocaleString('en-US')} more characters not kept: print less]` : '';
    const error = block.error ? `\nError: ${block.error}` : '';
    const notes = block.notes.map((note) => `\nNote: ${note}`).join('');
    return { header, tail: `${dropped}${error}${notes}` };
  });
  const general = options.notes.map((note) => `\n\nNote: ${note}`).join('');
  const fixed = frame.reduce((sum, f) => sum + f.header.length + f.tail.length + 3, general.length);
  const outputs = fitOutputs(blocks.map((block) => block.output.trimEnd()), Math.max(0, options.outputChars - fixed));
  const parts = frame.map((f, i) => `${f.header}\n${outputs[i] || '(nothing printed)'}${f.tail}`);
  return `${parts.join('\n\n')}${general}\n\n[turn ${options.nextTurn} of ${options.maxIterations}]`;
}

/** Shares `budget` characters among texts: short ones whole, long ones cut with a note. */
export function fitOutputs(texts: string[], budget: number): string[] {
  const result = [...texts];
  let remaining = budget;
  let left = texts.length;
  const byLength = texts.map((text, i) => ({ text, i })).sort((a, b) => a.text.length - b.text.length);
  for (const { text, i } of byLength) {
    const share = Math.floor(remaining / left--);
    if (text.length > share) result[i] = `${text.slice(0, share)}\n… [output truncated: ${(text.length - share).toLocaleString('en-US')} more characters not shown; print less]`;
    remaining -= Math.min(text.length, share);
  }
  return result;
}

export const notes = {
  answerIgnored:
    'Your reply also gave a FINAL answer in its text. It was ignored, because you had not seen the output of your code yet. Check the output above, then answer.',
  skippedBlocks: (count: number) => `${count} more block(s) of your reply were not run, because FINAL was called.`,
  notRun: (languages: string[]) =>
    `Blocks tagged ${languages.map((l) => (l ? `\`${l}\`` : 'without a language')).join(', ')} were not run: the REPL runs JavaScript in \`\`\`repl (or \`\`\`js) blocks.`,
  restarted: (restart: RestartInfo) => {
    const { reason, when, restoredCells, lostCells, cut } = restart;
    const parts = [
      `The sandbox process was killed (${reason}) ${when === 'during' ? 'while this block ran' : 'after your previous block, by work that went on after it ended'} and restarted in ${formatDuration(restart.ms)}.`,
      `${restoredCells} earlier block(s) were re-run to restore your variables.`,
    ];
    if (lostCells > 0) {
      const why = cut === 'sandbox'
        ? `this sandbox's restarts have already spent the ${formatDuration(restart.budgetMs)} they may spend re-running blocks`
        : cut === 'restart'
          ? `re-running them would take more than the ${formatDuration(restart.budgetMs)} one restart may spend`
          : 're-running them killed the sandbox again';
      parts.push(`${lostCells} were not (${why}): define again what you need from them.`);
    }
    if (when === 'during') parts.push('Nothing this block did was kept.');
    return parts.join(' ');
  },
  replyCut: (ignoredChars: number, maxChars: number) =>
    `Your reply was too long: only its first ${maxChars.toLocaleString('en-US')} characters (up to a line break) were read, and the last ${ignoredChars.toLocaleString('en-US')} were ignored (code and answers in them included). Write shorter replies.`,
  runaway: (what: string, turns: number) =>
    `Your last ${turns} turns ${what}. Change your approach or give your answer: if the next turn repeats it, the run will be stopped.`,
};

export function nudgeMessage(otherLanguages: string[], nextTurn: number, maxIterations: number): string {
  const base = otherLanguages.length
    ? notes.notRun(otherLanguages)
    : 'Your reply had no ```repl code block and no FINAL(...).';
  return `${base} Write JavaScript in a \`\`\`repl block to explore \`context\`, or give your answer with FINAL(...) on a line of its own.\n\n[turn ${nextTurn} of ${maxIterations}]`;
}

export function finalAnswerRequest(maxIterations: number): string {
  return `You have used all ${maxIterations} turns. Reply now with your best final answer as FINAL(...) on a line of its own, without code.`;
}

export function finalVarMissing(name: string, error: string): string {
  return `FINAL_VAR(${name}) could not be read: ${error}`;
}
