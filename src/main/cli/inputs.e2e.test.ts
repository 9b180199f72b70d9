// Inputs that are not plain UTF-8 files, through the built command: a named pipe is refused at
// once, UTF-16 and Latin-1 reach the model's code as the text they hold, and a file that turns
// binary past the head judged at the start fails the run before any model call.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../testing/cli';
import { CliHarness } from '../testing/cliHarness';
import { repl, turn } from '../testing/serviceHarness';

const h = new CliHarness();
beforeAll(() => h.start());
afterAll(() => h.stop());

const lastLine = (stderr: string) => stderr.trim().split('\n').at(-1);

describe('rlmscope run --file', () => {
  it('refuses a named pipe at once, with one line and exit 2', { timeout: 15_000 }, async () => {
    const fifo = join(h.dir, 'input.fifo');
    execFileSync('mkfifo', [fifo]);
    const before = h.fake.requests.length;
    const result = await runCli(h.runArgs('q', [fifo]));
    expect(result.code).toBe(2);
    expect(lastLine(result.stderr)).toBe(`rlmscope: ${fifo} is a named pipe, not a file; RLMScope reads files and folders`);
    expect(h.fake.requests.length).toBe(before);
  });

  it('gives the model UTF-16 (by its BOM) and Latin-1 text as the characters they hold, warning about Latin-1', async () => {
    const utf16 = h.file('utf16.txt', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('naïve café ☕\n', 'utf16le')]));
    const latin1 = h.file('latin1.txt', Buffer.from('café naïve résumé\n', 'latin1'));
    const { result, json } = await h.run(
      (req) => (turn(req) === 0 ? { text: repl('FINAL(JSON.stringify(context))') } : { text: 'FINAL(unexpected)' }),
      'What is written?',
      [utf16, latin1],
    );
    expect(json).toMatchObject({ status: 'completed' });
    expect(JSON.parse(json.answer as string)).toEqual(['naïve café ☕\n', 'café naïve résumé\n']);
    expect(result.stderr).toContain('warning: latin1.txt is not UTF-8: it was read as Windows-1252 (Latin-1); if its text looks wrong, save it as UTF-8');
  });

  it('fails the run, naming the file and the offset, when NUL bytes come after a text head', async () => {
    const offset = 200_000;
    const late = h.file('late.log', Buffer.concat([Buffer.alloc(offset, 'line of text\n'), Buffer.alloc(1024, 0)]));
    const before = h.fake.requests.length;
    const { result, json } = await h.run(() => ({ text: 'FINAL(should not be asked)' }), 'q', [late]);
    expect(result.code).not.toBe(0);
    expect(json).toMatchObject({ status: 'failed', answer: null, error: `late.log has a NUL byte at byte ${offset}: it looks like a binary file; RLMScope reads text files only` });
    expect(h.fake.requests.length).toBe(before);
  });
});
