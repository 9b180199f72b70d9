// The answer-discarded signal's guess (issue 13): does a cell's code or output hold a value that
// looks like an answer, and did the RLM return it in the end? Read from the text alone, never
// more than a heuristic; the signal's message says so.

/** A candidate answer is kept (and shown) up to this many characters. */
const CANDIDATE_CHARS = 200;
/**
 * Only the end of a cell's code and output is read: an answer comes last, and a cell that printed
 * 50 MB must not cost the engine a scan of all of it per cell.
 */
const SCAN_CHARS = 64 * 1024;

/** A printed line `Answer: …` or `Final answer: …`, markdown emphasis or a list mark allowed before it. */
const ANSWER_LINE = /^[ \t*#>-]*(?:final answer|answer)\**[ \t]*[:=][ \t]*(\S.*)$/im;
/**
 * A string literal assigned to a variable named answer, result or final (JavaScript or Python).
 * `==` and `===` do not match: the literal must follow the one `=`.
 */
const ANSWER_ASSIGNED = /(?:^|[\s;(])(?:(?:let|const|var)\s+)?(?:answer|result|final_answer|finalAnswer|final_result|finalResult|final)\s*=\s*(f?)(["'`])((?:(?!\2)[^\\\n]|\\.)+)\2/m;

/** The value a cell produced that looks like an answer, or null; cut to a preview. */
export function answerLike(code: string, output: string): string | null {
  const assigned = ANSWER_ASSIGNED.exec(code.slice(-SCAN_CHARS));
  // A template with holes (`${x}`, f"{x}") is not the value it will hold.
  const template = assigned !== null && ((assigned[1] === 'f' && assigned[3]?.includes('{')) || assigned[3]?.includes('${'));
  const text = (ANSWER_LINE.exec(output.slice(-SCAN_CHARS))?.[1] ?? (template ? undefined : assigned?.[3]) ?? '').trim();
  if (text === '') return null;
  return text.length > CANDIDATE_CHARS ? `${text.slice(0, CANDIDATE_CHARS - 1)}…` : text;
}

/**
 * Whether the returned answer holds the candidate (case and spacing aside; a cut candidate by its
 * start). Searched in place: an RLM's answer may be hundreds of MB, and a lower-cased, re-spaced
 * copy of it would double the run's memory at its end. The candidate is at most CANDIDATE_CHARS.
 */
export function answerHolds(answer: string, candidate: string): boolean {
  const words = candidate.replace(/…$/, '').trim().split(/\s+/).filter((word) => word !== '');
  if (words.length === 0) return true;
  return new RegExp(words.map(escapeRegExp).join('\\s+'), 'iu').test(answer);
}

/** Only the syntax characters: the `u` flag refuses an escape of any other. */
function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
