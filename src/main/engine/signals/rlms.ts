// The run's RLMs as the signals about one RLM need them: its depth (to name it) and what its
// subtree has spent (to say what a loop or a dropped answer cost since it began).
import type { NodeRow } from '../../../shared/domain/node';
import { noSpend, spendOf, type Spend } from './spend';

export interface RlmInfo {
  /** 0 for the root; null when its row was not seen. */
  depth: number | null;
  cost: Spend;
}

export class RlmTable {
  private readonly rlms = new Map<number, RlmInfo>();

  added(node: NodeRow): void {
    this.rlms.set(node.id, { depth: node.depth, cost: spendOf(node.subtree) });
  }

  get(rlmId: number): RlmInfo | undefined {
    return this.rlms.get(rlmId);
  }

  /** The RLM, kept even when its row was not seen (a fact about it may come first). */
  ensure(rlmId: number): RlmInfo {
    let rlm = this.rlms.get(rlmId);
    if (!rlm) {
      rlm = { depth: null, cost: noSpend() };
      this.rlms.set(rlmId, rlm);
    }
    return rlm;
  }

  get size(): number {
    return this.rlms.size;
  }
}

export function rlmName(rlm: RlmInfo): string {
  if (rlm.depth === 0) return 'the root RLM';
  return rlm.depth === null ? 'an RLM' : `a child RLM (depth ${rlm.depth})`;
}
