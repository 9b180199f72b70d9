// Sub-call rows told apart. Code sends many prompts built from one template (`'Summarise this
// part of the log: ' + chunk`), so the rows of a cell's sub-calls all start alike, and at 1024
// pixels the label column shows only that common start. Per cell, the text all its sub-calls
// start with is found once, and each row shows what comes after it, an ellipsis before.
//
// Cheap enough for a live run of 100,000 nodes: computed only for the rows being drawn, cached
// per cell, and extended as calls are added (a fold over the new ones) instead of recomputed.
import type { TreeIndex } from './treeModel';

/** A shared start shorter than this leaves room for the rest of the label: nothing is cut. */
export const MIN_SHARED = 24;
/** Kept before the first difference when it falls inside one long word (an id, a path). */
const CONTEXT_CHARS = 16;

interface Group {
  /** Children folded in so far, and the last of them: a change other than an append is seen. */
  count: number;
  lastId: number;
  /** The label every folded child starts with. */
  prefix: string;
}

/** Shared starts of sibling labels, per parent node; one per open run's tree. */
export type SharedStarts = Map<number, Group>;

export function createSharedStarts(): SharedStarts {
  return new Map();
}

/** The length of the longest common prefix of `a` and `b`, at most `limit`. */
export function commonPrefixLength(a: string, b: string, limit = Math.min(a.length, b.length)): number {
  const end = Math.min(limit, a.length, b.length);
  let i = 0;
  while (i < end && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  return i;
}

/**
 * The length of the text every child of `parentId` starts its label with; 0 for fewer than two
 * children. Sub-call labels never change once recorded, so children appended since the last call
 * are folded in; any other change to the list (a child arriving out of order) refolds it all.
 */
export function sharedStart(tree: TreeIndex, parentId: number, cache: SharedStarts): number {
  const kids = tree.children.get(parentId);
  if (!kids || kids.length < 2) return 0;
  let group = cache.get(parentId);
  if (group && (group.count > kids.length || kids[group.count - 1] !== group.lastId)) group = undefined;
  if (!group) {
    group = { count: 1, lastId: kids[0] as number, prefix: tree.nodes.get(kids[0] as number)?.label ?? '' };
    cache.set(parentId, group);
  }
  let prefix = group.prefix;
  for (let i = group.count; i < kids.length && prefix.length > 0; i++) {
    const label = tree.nodes.get(kids[i] as number)?.label ?? '';
    // Most calls keep the shared start as it is: one native comparison, no loop in script.
    if (!label.startsWith(prefix)) prefix = prefix.slice(0, commonPrefixLength(prefix, label));
  }
  group.prefix = prefix;
  group.count = kids.length;
  group.lastId = kids[kids.length - 1] as number;
  return prefix.length;
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
