// Where two texts part: the line numbers and lines `diff` and `replay` print for a value that differs.

/** The first line (from 0) where the two texts differ; 0 when either is missing or they differ on their first line. */
export function firstDifferingLine(x: string | null, y: string | null): number {
  if (x === null || y === null) return 0;
  let line = 0;
  for (let i = 0; i < Math.min(x.length, y.length) && x[i] === y[i]; i++) if (x[i] === '\n') line++;
  return line;
}

/** Line `line` (from 0) of the text, without its newline; '' past the end. */
export function lineAt(text: string, line: number): string {
  let start = 0;
  for (let l = 0; l < line; l++) {
    const next = text.indexOf('\n', start);
    if (next < 0) return '';
    start = next + 1;
  }
  const end = text.indexOf('\n', start);
  return text.slice(start, end < 0 ? undefined : end);
}
