// A reply cut into prose and fenced code, keeping every character: the segments joined give the
// reply back exactly (fence lines belong to their code segment). Fences are recognised as the
// engine's reply parser recognises them (src/main/engine/replyParser.ts), so what is highlighted
// as code is what the sandbox ran (or was told it did not).

export type ReplySegment =
  | { kind: 'prose'; text: string }
  | {
      kind: 'code';
      /** The opening fence line with its newline. */
      open: string;
      code: string;
      /** The closing fence line with the newline before it; '' for a fence cut off by the reply's end. */
      close: string;
      language: string;
    };

const OPEN_FENCE = /^ {0,3}(`{3,}|~{3,})\s*([^\s`]*)[^`]*$/;

export function replySegments(text: string): ReplySegment[] {
  const lines = text.split('\n');
  const segments: ReplySegment[] = [];
  let prose: string[] = [];
  const flushProse = (trailingNewline: boolean) => {
    if (prose.length > 0) segments.push({ kind: 'prose', text: prose.join('\n') + (trailingNewline ? '\n' : '') });
    prose = [];
  };
  let i = 0;
  while (i < lines.length) {
    const line = lines[i]!;
    const open = OPEN_FENCE.exec(line);
    if (!open) {
      prose.push(line);
      i++;
      continue;
    }
    flushProse(true);
    const fence = open[1]!;
    const close = new RegExp(`^ {0,3}${fence[0] === '`' ? '`' : '~'}{${fence.length},}\\s*$`);
    const body: string[] = [];
    i++;
    while (i < lines.length && !close.test(lines[i]!)) body.push(lines[i++]!);
    const closed = i < lines.length;
    const last = i >= lines.length - 1;
    segments.push({
      kind: 'code',
      open: `${line}\n`,
      code: body.join('\n'),
      // The newline after the closing fence starts the next segment's line; it stays with the fence.
      close: closed ? `\n${lines[i]!}${last ? '' : '\n'}` : '',
      language: (open[2] ?? '').toLowerCase(),
    });
    // An empty body has no line of its own: the fence closes right after the opening line.
    if (body.length === 0 && closed) {
      const seg = segments[segments.length - 1] as Extract<ReplySegment, { kind: 'code' }>;
      seg.close = seg.close.slice(1);
    }
    i++;
  }
  flushProse(false);
  return segments;
}

export function segmentText(segment: ReplySegment): string {
  return segment.kind === 'prose' ? segment.text : segment.open + segment.code + segment.close;
}
