// Counts over one run's whole tree, kept while its RLMs are built: the run's totals
// (ImportedTotals), without walking the tree again.
import type { UsageFigures } from './types';

export interface Tally {
  turns: number;
  codeBlocks: number;
  subCalls: number;
  childRlms: number;
  failedCalls: number;
  maxDepthReached: number;
  /** Usage of the calls made by the root's own cells: each child's figure covers its whole subtree. */
  usage: UsageFigures;
  timesSynthesised: boolean;
}

export function newTally(): Tally {
  return {
    turns: 0,
    codeBlocks: 0,
    subCalls: 0,
    childRlms: 0,
    failedCalls: 0,
    maxDepthReached: 0,
    usage: { inputTokens: null, outputTokens: null, costUsd: null },
    timesSynthesised: false,
  };
}

export function addUsage(into: UsageFigures, usage: UsageFigures): void {
  if (usage.inputTokens !== null) into.inputTokens = (into.inputTokens ?? 0) + usage.inputTokens;
  if (usage.outputTokens !== null) into.outputTokens = (into.outputTokens ?? 0) + usage.outputTokens;
  if (usage.costUsd !== null) into.costUsd = (into.costUsd ?? 0) + usage.costUsd;
}

