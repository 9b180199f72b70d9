// Duplicate sub-calls: the same (model, prompt) sent more than once in a run — how many, and what
// the copies cost (what `--dedupe-subcalls` would have saved). A prompt is kept as a 48-bit hash,
// never as text; a finished copy as nothing at all.
import { createHash } from 'node:crypto';
import type { ChatMessage, NodeRow } from '../../../shared/domain/node';
import type { SignalBook } from './book';
import { describeSpend, plural } from './spend';

/** The key of a sub-call's (model, prompt): 48 bits of its SHA-1, enough to tell 500,000 prompts apart. */
export function subCallKey(model: string, prompt: string | readonly ChatMessage[]): number {
  const hash = createHash('sha1').update(model);
  // Each message fed as it is (no JSON copy of a long prompt), behind its role and length so no
  // two prompts feed the same bytes.
  if (typeof prompt === 'string') hash.update(`\0user\0${prompt.length}\0`).update(prompt);
  else for (const message of prompt) hash.update(`\0${message.role}\0${message.content.length}\0`).update(message.content);
  return hash.digest().readUIntBE(0, 6);
}

const ID = 'duplicate-subcalls';

export class DuplicateSubCalls {
  /** Times each (model, prompt) key was sent. */
  private readonly sends = new Map<number, number>();
  private copies = 0;
  private repeatedPrompts = 0;
  private mostSends = 0;
  private firstCopyCell: number | null = null;
  /** Copies in flight: their cost is added when they end. */
  private readonly runningCopies = new Set<number>();
  private copiesCost = 0;
  private unpricedCopies = 0;
  /** Copies answered without a request (`--dedupe-subcalls`, or a fork's recording): marked cached. */
  private cachedCopies = 0;

  constructor(
    private readonly book: SignalBook,
    /** Distinct prompts remembered: past this, new prompts are not tracked. */
    private readonly maxPromptKeys: number,
  ) {}

  /** A sub-call was sent from `cellId`; its node is `nodeId`. */
  sent(nodeId: number, cellId: number, model: string, prompt: string | readonly ChatMessage[]): void {
    const key = subCallKey(model, prompt);
    const before = this.sends.get(key);
    if (before === undefined) {
      if (this.sends.size < this.maxPromptKeys) this.sends.set(key, 1);
      return;
    }
    this.sends.set(key, before + 1);
    this.copies++;
    if (before === 1) this.repeatedPrompts++;
    this.mostSends = Math.max(this.mostSends, before + 1);
    this.firstCopyCell ??= cellId;
    this.runningCopies.add(nodeId);
    this.report();
  }

  /** A model call's row changed: a copy that ended adds what it cost. */
  callUpdated(node: NodeRow): void {
    // A call given up on is charged while still running: its cost counts once it has ended.
    if (!this.runningCopies.has(node.id) || node.status === 'running') return;
    this.runningCopies.delete(node.id);
    if (node.cached) this.cachedCopies++;
    else if (node.costUsd !== null) this.copiesCost += node.costUsd;
    else if (node.inputTokens !== null) this.unpricedCopies++;
    this.report();
  }

  memory(): { promptKeys: number; runningCopies: number } {
    return { promptKeys: this.sends.size, runningCopies: this.runningCopies.size };
  }

  private report(): void {
    const running = this.runningCopies.size;
    const costUsd = this.unpricedCopies > 0 || (this.copiesCost === 0 && running > 0) ? null : this.copiesCost;
    const cost = describeSpend({ priced: this.copiesCost, unpriced: this.unpricedCopies });
    const pending = running > 0 ? ` (${running} still running)` : '';
    const copies = `${this.copies} sub-call${plural(this.copies)} repeated an earlier (model, prompt)`;
    const prompts = `${this.repeatedPrompts} prompt${plural(this.repeatedPrompts)} sent more than once, one up to ${this.mostSends} times`;
    const cached = this.cachedCopies;
    const sentences = [`${copies}: ${prompts}.`];
    if (this.copies > cached) sentences.push(`The copies cost ${cost}${pending}: what --dedupe-subcalls would have saved.`);
    if (cached > 0) sentences.push(`${cached} ${cached === 1 ? 'was' : 'were'} answered from the first at no cost.`);
    this.book.report({
      id: ID,
      kind: 'duplicate-subcalls',
      nodeId: this.firstCopyCell,
      message: sentences.join(' '),
      costUsd,
      seen: {
        kind: 'duplicate-subcalls',
        copies: this.copies,
        repeatedPrompts: this.repeatedPrompts,
        mostSends: this.mostSends,
        copiesRunning: running,
        unpricedCopies: this.unpricedCopies,
        cachedCopies: cached,
        copiesCostUsd: this.copiesCost,
      },
    });
  }
}
