// Sub-call rows told apart. Code sends many prompts built from one template (`'Summarise this
// part of the log: ' + chunk`), so the rows of a cell's sub-calls all start alike, and at 1024
// pixels the label column shows only that common start. The text that a cell's sub-calls all
// start with is found once, and each row shows what comes after it, an ellipsis before. A cell
// with one sub-call (a loop that asks once per turn) is compared with the sub-calls of the other
// cells of its RLM instead.
//
// Cheap enough for a live run of 100,000 nodes: computed only for the rows being drawn, cached
// per cell and per RLM, and extended as calls are added (a fold over the new ones) instead of
// recomputed.
import type { TreeIndex } from '../treeModel';

/** A shared start shorter than this leaves room for the rest of the label: nothing is cut. */
export const MIN_SHARED = 24;
/** Kept before the first difference when it falls inside one long word (an id, a path). */
const CONTEXT_CHARS = 16;

interface Group {
  /** Per cell folded in: how many of its children, and the last of them. */
  folded: Map<number, { count: number; lastId: number }>;
  members: number;
  /** The label every folded sub-call starts with (null before the first). */
  prefix: string | null;
}

/** Shared starts of sub-call labels, per cell and per RLM; one per open run's tree. */
export interface SharedStarts {
  cells: Map<number, Group>;
  rlms: Map<number, Group>;
}

export function createSharedStarts(): SharedStarts {
  return { cells: new Map(), rlms: new Map() };
}

/** The length of the longest common prefix of `a` and `b`, at most `limit`. */
export function commonPrefixLength(a: string, b: string, limit = Math.min(a.length, b.length)): number {
  const end = Math.min(limit, a.length, b.length);
  let i = 0;
  while (i < end && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  return i;
}

/**
 * Folds the children of `cells` (ids of cell nodes; others are skipped) into `group`. Sub-call
 * labels never change once recorded, so only children appended since the last fold are read;
 * any other change to a list (a child arriving out of order) refolds the group.
 */
function fold(tree: TreeIndex, group: Group, cells: readonly number[]): void {
  for (let attempt = 0; attempt < 2; attempt++) {
    let changed = false;
    for (const cell of cells) {
      if (tree.nodes.get(cell)?.kind !== 'cell') continue;
      const kids = tree.children.get(cell);
      if (!kids) continue;
      const seen = group.folded.get(cell) ?? { count: 0, lastId: -1 };
      if (seen.count > kids.length || (seen.count > 0 && kids[seen.count - 1] !== seen.lastId)) {
        changed = true;
        break;
      }
      let prefix = group.prefix;
      for (let i = seen.count; i < kids.length; i++) {
        const label = tree.nodes.get(kids[i] as number)?.label ?? '';
        // Most calls keep the shared start as it is: one native comparison, no loop in script.
        if (prefix === null) prefix = label;
        else if (!label.startsWith(prefix)) prefix = prefix.slice(0, commonPrefixLength(prefix, label));
      }
      group.prefix = prefix;
      group.members += kids.length - seen.count;
      if (kids.length > 0) group.folded.set(cell, { count: kids.length, lastId: kids[kids.length - 1] as number });
    }
    if (!changed) return;
    group.folded.clear();
    group.members = 0;
    group.prefix = null;
  }
}

function groupOf(map: Map<number, Group>, key: number): Group {
  let group = map.get(key);
  if (!group) {
    group = { folded: new Map(), members: 0, prefix: null };
    map.set(key, group);
  }
  return group;
}

/**
 * The length of the text that the sub-calls of `cellId` all start with; when the cell made only
 * one, that of the sub-calls of all the cells of its RLM. 0 when there is nothing to compare with.
 */
export function sharedStart(tree: TreeIndex, cellId: number, cache: SharedStarts): number {
  const cell = groupOf(cache.cells, cellId);
  fold(tree, cell, [cellId]);
  if (cell.members >= 2) return cell.prefix?.length ?? 0;
  const rlmId = tree.nodes.get(cellId)?.parentId ?? null;
  if (rlmId === null) return 0;
  const rlm = groupOf(cache.rlms, rlmId);
  fold(tree, rlm, tree.children.get(rlmId) ?? []);
  return rlm.members >= 2 ? (rlm.prefix?.length ?? 0) : 0;
}

/**
 * `label` with its first `shared` characters left out when they are many: from the start of the
 * word in which it differs from its siblings (one word earlier when the difference starts a word,
 * so that "part 7" does not read "7"), after an ellipsis. Short shared starts are kept whole.
 */
export function distinctLabel(label: string, shared: number): string {
  if (shared < MIN_SHARED) return label;
  const at = Math.min(shared, label.length);
  let cut = wordStart(label, at);
  // A label all of which its siblings share (equal prompts, "part 1" beside "part 10") keeps its
  // last two words too.
  if (cut === at || at === label.length) cut = wordStart(label, skipSpaceBack(label, cut));
  cut = Math.max(cut, at - CONTEXT_CHARS);
  if (cut < MIN_SHARED / 2) return label;
  return `…${label.slice(cut)}`;
}

/** What the row of `id` shows as its label: distinct among its siblings under a cell. */
export function rowLabel(tree: TreeIndex, id: number, cache: SharedStarts): string {
  const node = tree.nodes.get(id);
  if (!node) return '';
  const parent = node.parentId === null ? undefined : tree.nodes.get(node.parentId);
  // Only a cell's children are sub-calls made from one piece of code; an RLM's turns and cells
  // differ by themselves.
  if (!parent || parent.kind !== 'cell') return node.label;
  return distinctLabel(node.label, sharedStart(tree, parent.id, cache));
}

function isSpace(text: string, i: number): boolean {
  const c = text.charCodeAt(i);
  return c === 32 || c === 9 || c === 10 || c === 13;
}

/** The start of the word that holds position `i` (or ends just before it). */
function wordStart(text: string, i: number): number {
  let j = i;
  while (j > 0 && !isSpace(text, j - 1)) j--;
  return j;
}

function skipSpaceBack(text: string, i: number): number {
  let j = i;
  while (j > 0 && isSpace(text, j - 1)) j--;
  return j;
}
