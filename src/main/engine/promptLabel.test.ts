import { describe, expect, it } from 'vitest';
import { PROMPT_LABEL_CHARS, promptLabel } from './promptLabel';
import { oneLine } from './recorder';

const user = (content: string) => [{ role: 'user' as const, content }];
const TEMPLATE = 'Summarise the following part of the log.\nName every error you find.\n\n';

describe('promptLabel', () => {
  it('puts a short prompt on one line, whole', () => {
    expect(promptLabel(user('  Summarise\n\npart   7:\tdisk full  '))).toBe('Summarise part 7: disk full');
    expect(promptLabel([])).toBe('');
  });

  it('keeps the start and the end of a long prompt, where prompts from one template differ', () => {
    const chunk = (n: number) => `${'log line '.repeat(40)}the end of chunk ${n}`;
    const a = promptLabel(user(TEMPLATE + chunk(1)));
    const b = promptLabel(user(TEMPLATE + chunk(2)));
    expect(a).not.toBe(b);
    expect(a.startsWith('Summarise the following part of the log. Name every error')).toBe(true);
    expect(a.endsWith('the end of chunk 1')).toBe(true);
    expect(a).toContain(' … ');
    expect(a.length).toBeLessThanOrEqual(PROMPT_LABEL_CHARS);
    expect(a).not.toMatch(/\n/);
  });

  it('starts the end at a line, so that calls from one template line up', () => {
    const template = `${'You read server logs with care. '.repeat(8)}\nSummarise the part below.\n\n`;
    const label = (n: number, chunk: string) => promptLabel(user(`${template}chunk number ${n}: ${chunk}`));
    // Whole lines from the end, as many as fit: both ends start at the same line.
    expect(label(0, 'disk full').split(' … ')[1]).toBe('Summarise the part below. chunk number 0: disk full');
    expect(label(1, 'timeouts from the cache').split(' … ')[1]).toBe('Summarise the part below. chunk number 1: timeouts from the cache');
    // A last line too long for the label gives its last characters.
    const long = promptLabel(user(`${template}${'word '.repeat(60)}the end`));
    expect(long.endsWith('word word the end')).toBe(true);
    expect(long.length).toBeLessThanOrEqual(PROMPT_LABEL_CHARS);
  });

  it('reads only the ends of a prompt of megabytes', () => {
    const huge = `${TEMPLATE}${'x '.repeat(2_000_000)}the very end`;
    const label = promptLabel(user(huge));
    expect(label.startsWith('Summarise the following')).toBe(true);
    expect(label.endsWith('x x the very end')).toBe(true);
    expect(label.length).toBeLessThanOrEqual(PROMPT_LABEL_CHARS);
  });

  // Every label the engine records goes through oneLine: one cut inside an emoji (here the
  // prompt's start and end, cut by promptLabel) was stored as bytes that are not UTF-8.
  it('is recorded as whole characters only, however the prompt is cut', () => {
    for (let pad = 0; pad < 4; pad++) {
      const label = oneLine(promptLabel(user(`${'x'.repeat(pad)}${'🧪'.repeat(400)}`)));
      expect(label, String(pad)).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/);
    }
    expect(oneLine(`${'a'.repeat(198)}🧪🧪🧪`)).toBe(`${'a'.repeat(198)}…`);
  });
});
