// Reads a model's reply: which code blocks to run, and whether its text gives a final answer.
// Pure functions; the RLM loop decides what to do with them (DESIGN §3).
//
// Model output is untrusted input parsed on the parent's main thread, which also serves every
// other request (IPC, the browser-mode WebSocket). So both functions are hand-written scanners
// that touch each character a bounded number of times (no regex with overlapping quantifiers:
// the old fence regex took 11 s on one line of "```" + 120,000 spaces + "`", and `findFinal`
// rescanned to the end for every unclosed `FINAL(`: 56 s for 60,000 of them), and they read at
// most MAX_REPLY_CHARS of a reply. Linear and bounded, a reply at the cap parses in tens of
// milliseconds (replyParser.test.ts measures it), the order of JSON-parsing the streamed reply
// itself; that is why parsing stays on the main thread instead of moving to a worker.

export interface CodeBlock {
  /** The fence's language tag, lower-cased ('' when none). */
  language: string;
  code: string;
}

export interface ParsedReply {
  /** Blocks the sandbox runs: tagged `repl`, `js` or `javascript`. */
  runnable: CodeBlock[];
  /** Other fenced blocks (python, untagged, ...): shown to the model as not run. */
  other: CodeBlock[];
  /** The reply without any fenced block: where a textual FINAL(...) counts. */
  prose: string;
  /** Characters past MAX_REPLY_CHARS that were not read (0 almost always): the model is told. */
  ignoredChars: number;
}

export type FinalInText = { kind: 'FINAL'; answer: string } | { kind: 'FINAL_VAR'; name: string };

/**
 * The most of one reply that is parsed. A million characters is about 250,000 tokens, beyond the
 * output limit of every current model, so only a runaway or hostile reply reaches it; the rest is
 * ignored (cut at a line break, so no line is read in half) and the model is told.
 */
export const MAX_REPLY_CHARS = 1_000_000;

const RUNNABLE = new Set(['repl', 'js', 'javascript']);

export function parseReply(text: string): ParsedReply {
  const { read, ignoredChars } = bound(text);
  const lines = read.split('\n');
  const runnable: CodeBlock[] = [];
  const other: CodeBlock[] = [];
  const prose: string[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i] ?? '';
    const open = openFence(line);
    if (!open) {
      prose.push(line);
      i++;
      continue;
    }
    const body: string[] = [];
    i++;
    // An unclosed fence runs to the end of the reply (a reply cut off mid-block).
    while (i < lines.length && !closesFence(lines[i] ?? '', open.char, open.length)) body.push(lines[i++] ?? '');
    i++;
    const block = { language: open.language, code: body.join('\n') };
    if (RUNNABLE.has(open.language)) runnable.push(block);
    else other.push(block);
  }
  return { runnable, other, prose: prose.join('\n'), ignoredChars };
}

/**
 * The reply with the code of its `index`-th runnable block replaced (a fork's edit of a cell's
 * code, DESIGN §11): the same text around it, fences included. null when the reply has no such
 * block, or is longer than what is parsed.
 */
export function withRunnableCode(text: string, index: number, code: string): string | null {
  if (text.length > MAX_REPLY_CHARS) return null;
  const lines = text.split('\n');
  let seen = 0;
  let i = 0;
  while (i < lines.length) {
    const open = openFence(lines[i] ?? '');
    i++;
    if (!open) continue;
    const start = i;
    while (i < lines.length && !closesFence(lines[i] ?? '', open.char, open.length)) i++;
    if (RUNNABLE.has(open.language) && seen++ === index) return [...lines.slice(0, start), ...code.split('\n'), ...lines.slice(i)].join('\n');
    i++;
  }
  return null;
}

function bound(text: string): { read: string; ignoredChars: number } {
  if (text.length <= MAX_REPLY_CHARS) return { read: text, ignoredChars: 0 };
  const lastBreak = text.lastIndexOf('\n', MAX_REPLY_CHARS);
  const read = text.slice(0, lastBreak > 0 ? lastBreak : MAX_REPLY_CHARS);
  return { read, ignoredChars: text.length - read.length };
}

/**
 * An opening fence, as CommonMark-ish as before: at most three spaces, a run of three or more
 * backticks or tildes, optional whitespace, the language tag (up to whitespace or a backtick),
 * and no backtick anywhere after the run (so an inline ```code``` is not a fence). One pass.
 */
function openFence(line: string): { char: string; length: number; language: string } | null {
  let i = 0;
  while (i < 3 && line[i] === ' ') i++;
  const char = line[i];
  if (char !== '`' && char !== '~') return null;
  const start = i;
  while (line[i] === char) i++;
  const length = i - start;
  if (length < 3) return null;
  if (line.indexOf('`', i) !== -1) return null;
  while (i < line.length && isSpace(line.charCodeAt(i))) i++;
  const tagStart = i;
  while (i < line.length && !isSpace(line.charCodeAt(i))) i++; // no backtick is left to stop at
  return { char, length, language: line.slice(tagStart, i).toLowerCase() };
}

/** A closing fence: at most three spaces, at least `length` of the fence's character, then only whitespace. */
function closesFence(line: string, char: string, length: number): boolean {
  let i = 0;
  while (i < 3 && line[i] === ' ') i++;
  const start = i;
  while (line[i] === char) i++;
  if (i - start < length) return false;
  for (; i < line.length; i++) if (!isSpace(line.charCodeAt(i))) return false;
  return true;
}

/** The characters JavaScript's `\s` matches (the old regexes used it; kept exactly). */
function isSpace(code: number): boolean {
  if (code < 128) return code === 32 || (code >= 9 && code <= 13);
  return (
    code === 0xa0 || code === 0x1680 || (code >= 0x2000 && code <= 0x200a) || code === 0x2028 || code === 0x2029 ||
    code === 0x202f || code === 0x205f || code === 0x3000 || code === 0xfeff
  );
}

/**
 * Finds `FINAL(...)` or `FINAL_VAR(...)` at the start of a line, with balanced parentheses (so
 * `FINAL(f(x) + 1)` and multi-line answers work) and nothing but punctuation after the closing
 * parenthesis on its line (so "FINAL(x) is what I will return later" in a plan does not count).
 * The first candidate in the text that passes wins. Linear in the text: see `closingParens`.
 */
export function findFinal(fullText: string): FinalInText | null {
  const text = bound(fullText).read;
  const candidates = findCandidates(text);
  if (candidates.length === 0) return null;
  const closes = closingParens(text, candidates);
  const restChecked = new Map<number, boolean>();
  for (const [index, candidate] of candidates.entries()) {
    const close = closes[index] ?? -1;
    if (close === -1) continue;
    let restOk = restChecked.get(close);
    if (restOk === undefined) restChecked.set(close, (restOk = onlyPunctuationAfter(text, close)));
    if (!restOk) continue;
    const { open } = candidate;
    if (candidate.kind === 'FINAL_VAR') {
      // A name never holds '(' (unquoting keeps it), so such an inner is rejected without being
      // copied: the inners that do get copied then never overlap, which keeps this loop linear.
      const paren = text.indexOf('(', open + 1);
      if (paren !== -1 && paren < close) continue;
      const name = unquote(text.slice(open + 1, close).trim()).trim();
      if (/^[A-Za-z_$][\w$]*$/.test(name)) return { kind: 'FINAL_VAR', name };
      continue;
    }
    return { kind: 'FINAL', answer: unquote(text.slice(open + 1, close).trim()) };
  }
  return null;
}

interface Candidate {
  kind: 'FINAL' | 'FINAL_VAR';
  /** Index of its opening parenthesis. */
  open: number;
}

/** `^[ \t]*(FINAL_VAR|FINAL)\(` with the `m` flag: a line starts after \n, \r, U+2028 or U+2029. */
function findCandidates(text: string): Candidate[] {
  const found: Candidate[] = [];
  let lineStart = 0;
  while (lineStart <= text.length) {
    let i = lineStart;
    for (let code = text.charCodeAt(i); code === 32 || code === 9; code = text.charCodeAt(++i));
    if (text.startsWith('FINAL_VAR(', i)) found.push({ kind: 'FINAL_VAR', open: i + 9 });
    else if (text.startsWith('FINAL(', i)) found.push({ kind: 'FINAL', open: i + 5 });
    let next = i;
    while (next < text.length && !isLineTerminator(text.charCodeAt(next))) next++;
    lineStart = next + 1;
  }
  return found;
}

function isLineTerminator(code: number): boolean {
  return code === 10 || code === 13 || code === 0x2028 || code === 0x2029;
}

/** `/^[\s.*`_]*$/` on the rest of the line after `close` (up to the next \n). */
function onlyPunctuationAfter(text: string, close: number): boolean {
  for (let i = close + 1; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === 10) return true;
    if (!isSpace(code) && code !== 46 && code !== 42 && code !== 96 && code !== 95) return false;
  }
  return true;
}

// The scanner's states: outside quotes, inside one of three quotes, or inside one right after a
// backslash (the next character is skipped).
const OUTSIDE = 0; // then 1, 2, 3: inside ", ` or '
const SKIP = 4; // added to a quote state

/**
 * For each candidate, the index of the parenthesis closing its opening one (-1 if none), skipping
 * quoted strings — exactly what scanning forward from each candidate on its own gives, but in one
 * pass. Scanning from each would be quadratic (every unclosed candidate scans to the end). The
 * scan from a candidate is a deterministic walk whose state is (quote state, depth); scans that
 * reach the same quote state at the same character walk together from then on, their depths
 * moving in step. So the pass keeps at most one group per quote state (seven), each with a
 * level counter and a max-heap of its scans' "bases" (depth = level - base): a ')' outside quotes
 * closes the scans whose depth reaches 0, which are those at the top of the heap. Groups that
 * reach the same state merge (a leftist heap merges in O(log n), with a lazy shift to put both
 * in one frame). Total O(n · 7 + candidates · log candidates).
 */
function closingParens(text: string, candidates: Candidate[]): number[] {
  const closes = new Array<number>(candidates.length).fill(-1);
  const groups: Group[] = [];
  let nextCandidate = 0;
  let nextOpen = candidates[0]?.open ?? -1;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (i === nextOpen) {
      // A new scan starts here outside quotes, at depth 0 (this '(' takes it to 1 below).
      let outside = groups.find((g) => g.state === OUTSIDE);
      if (!outside) groups.push((outside = { state: OUTSIDE, level: 0, heap: null }));
      outside.heap = mergeHeaps(outside.heap, { key: outside.level, id: nextCandidate, shift: 0, rank: 1, left: null, right: null });
      nextOpen = candidates[++nextCandidate]?.open ?? -1;
    }
    if (groups.length === 0) continue;
    let changed = false;
    for (const group of groups) {
      const state = group.state;
      if (state === OUTSIDE) {
        if (c === DQ || c === BQ || (c === SQ && !isWordChar(text.charCodeAt(i - 1)))) {
          group.state = c === DQ ? 1 : c === BQ ? 2 : 3;
          changed = true;
        } else if (c === OPEN) group.level++;
        else if (c === CLOSE) {
          group.level--;
          while (group.heap && group.heap.key === group.level) {
            closes[group.heap.id] = i;
            group.heap = popHeap(group.heap);
          }
          if (!group.heap) changed = true;
        }
      } else if (state >= SKIP) {
        group.state = state - SKIP;
        changed = true;
      } else if (c === BACKSLASH) {
        group.state = state + SKIP;
        changed = true;
      } else if (c === QUOTE_CODES[state]) {
        group.state = OUTSIDE;
        changed = true;
      }
    }
    if (changed) mergeSameState(groups);
  }
  return closes;
}

const DQ = 34;
const SQ = 39;
const BQ = 96;
const OPEN = 40;
const CLOSE = 41;
const BACKSLASH = 92;
const QUOTE_CODES = [-1, DQ, BQ, SQ];

/** `\w`: ASCII letters, digits and '_' (NaN before the text's start is not one). */
function isWordChar(code: number): boolean {
  return (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code === 95;
}

interface Group {
  state: number;
  level: number;
  heap: HeapNode | null;
}

/** In place: drops groups whose scans have all closed and merges groups now in the same state. */
function mergeSameState(groups: Group[]): void {
  let kept = 0;
  for (const group of groups) {
    if (!group.heap) continue;
    let same: Group | undefined;
    for (let k = 0; k < kept; k++) if (groups[k]?.state === group.state) same = groups[k];
    if (!same) {
      groups[kept++] = group;
      continue;
    }
    shiftHeap(group.heap, same.level - group.level);
    same.heap = mergeHeaps(same.heap, group.heap);
  }
  groups.length = kept;
}

/** A leftist max-heap node; `shift` is added lazily to every key below this node. */
interface HeapNode {
  key: number;
  id: number;
  shift: number;
  rank: number;
  left: HeapNode | null;
  right: HeapNode | null;
}

function shiftHeap(node: HeapNode, by: number): void {
  node.key += by;
  node.shift += by;
}

function pushShift(node: HeapNode): void {
  if (node.shift === 0) return;
  if (node.left) shiftHeap(node.left, node.shift);
  if (node.right) shiftHeap(node.right, node.shift);
  node.shift = 0;
}

/** Recursion follows right spines only, O(log n) deep in a leftist heap. */
function mergeHeaps(a: HeapNode | null, b: HeapNode | null): HeapNode | null {
  if (!a) return b;
  if (!b) return a;
  if (b.key > a.key) [a, b] = [b, a];
  pushShift(a);
  a.right = mergeHeaps(a.right, b);
  if ((a.left?.rank ?? 0) < (a.right?.rank ?? 0)) [a.left, a.right] = [a.right, a.left];
  a.rank = (a.right?.rank ?? 0) + 1;
  return a;
}

function popHeap(node: HeapNode): HeapNode | null {
  pushShift(node);
  return mergeHeaps(node.left, node.right);
}

/** A whole-string literal becomes its value; anything else stays as written. */
function unquote(inner: string): string {
  const first = inner[0];
  if (inner.length < 2 || (first !== '"' && first !== "'" && first !== '`') || inner[inner.length - 1] !== first) return inner;
  const body = inner.slice(1, -1);
  if (new RegExp(`(^|[^\\\\])${first}`).test(body)) return inner; // not one literal: "a" + "b"
  if (first === '"') {
    try {
      return JSON.parse(inner) as string;
    } catch {
      return body;
    }
  }
  return body.replace(/\\(.)/g, (_, c: string) => ({ n: '\n', t: '\t', r: '\r' })[c] ?? c);
}
