// Sub-call explosion: one cell fanning out to far more sub-calls than the run's other cells or
// than a threshold, or child RLMs over the whole run growing past a threshold. Kept per cell (a
// count and a spend), never per sub-call.
import type { NodeRow } from '../../../shared/domain/node';
import type { SignalBook } from './book';
import { costUsdOf, describeSpend, noSpend, spendOf, type Spend } from './spend';
import type { SignalThresholds } from './thresholds';

interface CellState {
  rlmId: number;
  subCalls: number;
  childRlms: number;
  spend: Spend;
  /** When to look again whether it fans out too far: its sub-call count then. */
  nextCheck: number;
}

const CHILDREN_ID = 'subcall-explosion:children';

function explosionId(cellId: number): string {
  return `subcall-explosion:${cellId}`;
}

export class SubCallExplosion {
  private readonly cells = new Map<number, CellState>();
  /** Depth-1 RLMs' spend, and its sum: every child's cost is in one of theirs. */
  private readonly childSpend = new Map<number, Spend>();
  private readonly childTotal: Spend = noSpend();
  private childRlms = 0;
  /** The cell that started the most child RLMs. */
  private busiestCell: { id: number; children: number } | null = null;

  constructor(
    private readonly book: SignalBook,
    private readonly limits: SignalThresholds,
  ) {}

  cellAdded(node: NodeRow, rlmId: number): void {
    this.cells.set(node.id, { rlmId, subCalls: 0, childRlms: 0, spend: spendOf(node.subtree), nextCheck: 0 });
  }

  /** A child RLM started from the cell `parentId`. */
  childAdded(node: NodeRow, parentId: number): void {
    if (node.depth === 1) this.childSpent(node.id, spendOf(node.subtree));
    this.childRlms++;
    const cell = this.cells.get(parentId);
    if (cell) {
      cell.childRlms++;
      if (cell.childRlms > (this.busiestCell?.children ?? 0)) this.busiestCell = { id: parentId, children: cell.childRlms };
    }
    this.checkChildRlms();
  }

  subCall(cellId: number, rlmId: number): void {
    const cell = this.cells.get(cellId) ?? this.addCell(cellId, rlmId);
    cell.subCalls++;
    if (this.book.has(explosionId(cellId))) this.report(cellId, cell, null);
    else if (cell.subCalls >= cell.nextCheck) this.checkCell(cellId, cell);
  }

  cellUpdated(node: NodeRow): void {
    const cell = this.cells.get(node.id);
    if (!cell) return;
    cell.spend = spendOf(node.subtree);
    if (this.book.has(explosionId(node.id))) this.report(node.id, cell, null);
    // A cell that ended may now stand out against the others, or the others against it.
    if (node.status !== 'running') this.recheckCells();
  }

  /** An RLM's spend changed: a depth-1 child's counts toward the children's. */
  rlmSpent(rlmId: number, spend: Spend): void {
    if (!this.childSpend.has(rlmId)) return;
    this.childSpent(rlmId, spend);
    if (this.book.has(CHILDREN_ID)) this.checkChildRlms();
  }

  memory(): { cells: number; childRlms: number } {
    return { cells: this.cells.size, childRlms: this.childSpend.size };
  }

  /** A sub-call's cell seen before its row (the engine feeds rows first; this keeps an odd order from losing counts). */
  private addCell(cellId: number, rlmId: number): CellState {
    const cell: CellState = { rlmId, subCalls: 0, childRlms: 0, spend: noSpend(), nextCheck: 0 };
    this.cells.set(cellId, cell);
    return cell;
  }

  /** Whether one cell's sub-calls stand out: past the absolute threshold, or far past the others' median. */
  private checkCell(cellId: number, cell: CellState): void {
    const { explosionSubCalls, explosionMinSubCalls, explosionRatio, explosionMinPeers } = this.limits;
    if (cell.subCalls > explosionSubCalls) {
      this.report(cellId, cell, null);
      return;
    }
    if (cell.subCalls <= explosionMinSubCalls) {
      cell.nextCheck = explosionMinSubCalls + 1;
      return;
    }
    const others: number[] = [];
    for (const [id, other] of this.cells) if (id !== cellId && other.subCalls > 0) others.push(other.subCalls);
    if (others.length >= explosionMinPeers) {
      const median = medianOf(others);
      if (cell.subCalls > explosionRatio * median) {
        this.report(cellId, cell, median);
        return;
      }
      // Look again when it could pass: the others' median moves only as cells are added.
      cell.nextCheck = Math.min(explosionSubCalls + 1, Math.floor(explosionRatio * median) + 1);
      return;
    }
    cell.nextCheck = explosionSubCalls + 1;
  }

  private recheckCells(): void {
    for (const [id, cell] of this.cells) {
      if (cell.subCalls > this.limits.explosionMinSubCalls && !this.book.has(explosionId(id))) {
        cell.nextCheck = 0;
        this.checkCell(id, cell);
      }
    }
  }

  private report(cellId: number, cell: CellState, median: number | null): void {
    const previous = this.book.get(explosionId(cellId))?.seen;
    const medianOfOthers = median ?? (previous?.kind === 'subcall-explosion' ? previous.medianOfOthers : null);
    const threshold = medianOfOthers === null ? this.limits.explosionSubCalls : Math.floor(this.limits.explosionRatio * medianOfOthers);
    const against = medianOfOthers === null
      ? `past ${threshold}`
      : `over ${this.limits.explosionRatio}× the median of the run's other cells (${medianOfOthers})`;
    this.book.report({
      id: explosionId(cellId),
      kind: 'subcall-explosion',
      nodeId: cellId,
      message: `One cell made ${cell.subCalls} sub-calls, ${against}; it has cost ${describeSpend(cell.spend)} so far.`,
      costUsd: costUsdOf(cell.spend),
      seen: { kind: 'subcall-explosion', what: 'subcalls', count: cell.subCalls, threshold, medianOfOthers },
    });
  }

  private checkChildRlms(): void {
    if (this.childRlms <= this.limits.explosionChildRlms) return;
    const busiest = this.busiestCell;
    const from = busiest === null ? '' : ` (${busiest.children} started by one cell)`;
    this.book.report({
      id: CHILDREN_ID,
      kind: 'subcall-explosion',
      nodeId: busiest?.id ?? null,
      message: `${this.childRlms} child RLMs so far${from}, past ${this.limits.explosionChildRlms}; they have cost ${describeSpend(this.childTotal)}.`,
      costUsd: costUsdOf(this.childTotal),
      seen: { kind: 'subcall-explosion', what: 'child-rlms', count: this.childRlms, threshold: this.limits.explosionChildRlms, medianOfOthers: null },
    });
  }

  /** A depth-1 RLM's spend, kept in the sum by difference (a run of 1,000 children must not add them up per call). */
  private childSpent(rlmId: number, spend: Spend): void {
    const before = this.childSpend.get(rlmId) ?? noSpend();
    this.childTotal.priced += spend.priced - before.priced;
    this.childTotal.unpriced += spend.unpriced - before.unpriced;
    this.childSpend.set(rlmId, spend);
  }
}

function medianOf(values: number[]): number {
  const sorted = values.sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}
