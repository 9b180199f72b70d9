// The parser as it was before issue 9, kept as the oracle for the fuzz test: quadratic on
// adversarial input, so only ever given short replies.

interface CodeBlock {
  /** The fence's language tag, lower-cased ('' when none). */
  language: string;
  code: string;
}

interface ParsedReply {
  /** Blocks the sandbox runs: tagged `repl`, `js` or `javascript`. */
  runnable: CodeBlock[];
  /** Other fenced blocks (python, untagged, ...): shown to the model as not run. */
  other: CodeBlock[];
  /** The reply without any fenced block: where a textual FINAL(...) counts. */
  prose: string;
}

type FinalInText = { kind: 'FINAL'; answer: string } | { kind: 'FINAL_VAR'; name: string };

const RUNNABLE = new Set(['repl', 'js', 'javascript']);
const OPEN_FENCE = /^ {0,3}(`{3,}|~{3,})\s*([^\s`]*)[^`]*$/;

export function referenceParseReply(text: string): ParsedReply {
  const lines = text.split('\n');
  const runnable: CodeBlock[] = [];
  const other: CodeBlock[] = [];
  const prose: string[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i] ?? '';
    const open = OPEN_FENCE.exec(line);
    if (!open) {
      prose.push(line);
      i++;
      continue;
    }
    const fence = open[1] ?? '```';
    const language = (open[2] ?? '').toLowerCase();
    const close = new RegExp(`^ {0,3}${fence[0] === '`' ? '`' : '~'}{${fence.length},}\\s*$`);
    const body: string[] = [];
    i++;
    // An unclosed fence runs to the end of the reply (a reply cut off mid-block).
    while (i < lines.length && !close.test(lines[i] ?? '')) body.push(lines[i++] ?? '');
    i++;
    const block = { language, code: body.join('\n') };
    if (RUNNABLE.has(language)) runnable.push(block);
    else other.push(block);
  }
  return { runnable, other, prose: prose.join('\n') };
}

/**
 * Finds `FINAL(...)` or `FINAL_VAR(...)` at the start of a line, with balanced parentheses (so
 * `FINAL(f(x) + 1)` and multi-line answers work) and nothing but punctuation after the closing
 * parenthesis on its line (so "FINAL(x) is what I will return later" in a plan does not count).
 */
export function referenceFindFinal(text: string): FinalInText | null {
  const start = /^[ \t]*(FINAL_VAR|FINAL)\(/gm;
  for (let match = start.exec(text); match; match = start.exec(text)) {
    const open = match.index + match[0].length - 1;
    const close = matchingParen(text, open);
    if (close === -1) continue;
    const lineEnd = text.indexOf('\n', close);
    const rest = text.slice(close + 1, lineEnd === -1 ? text.length : lineEnd);
    if (!/^[\s.*`_]*$/.test(rest)) continue;
    const inner = text.slice(open + 1, close).trim();
    if (match[1] === 'FINAL_VAR') {
      const name = unquote(inner).trim();
      if (/^[A-Za-z_$][\w$]*$/.test(name)) return { kind: 'FINAL_VAR', name };
      continue;
    }
    return { kind: 'FINAL', answer: unquote(inner) };
  }
  return null;
}

/** Index of the parenthesis closing the one at `open`, skipping quoted strings; -1 if none. */
function matchingParen(text: string, open: number): number {
  let depth = 0;
  let quote: string | null = null;
  for (let i = open; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = null;
      continue;
    }
    if (c === '"' || c === '`' || (c === "'" && !/\w/.test(text[i - 1] ?? ''))) quote = c;
    else if (c === '(') depth++;
    else if (c === ')' && --depth === 0) return i;
  }
  return -1;
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
