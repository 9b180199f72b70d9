// Issue 9, "huge values": three runs whose answers are 200 MiB strings made `runs --json` and
// `show --json` exit 2 for the whole database (each built one string longer than V8 allows).
// Lists carry previews with the true length; show --json streams and cuts each value, and says
// how to get it whole; `show RUN --answer` writes it whole.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LIST_PREVIEW_CHARS, SHOW_PREVIEW_CHARS } from '../../shared/valuePreview';
import { startFakeProvider } from '../fakeProvider/server';
import { jsonOf, runCli } from '../testing/cli';
import { repl } from '../testing/serviceHarness';
import { HUGE_CHARS, hugeAnswer, makeHugeRunsDatabase } from '../testing/hugeRuns';

let db = '';
beforeAll(() => {
  db = makeHugeRunsDatabase();
}, 120_000);
afterAll(() => rmSync(dirname(db), { recursive: true, force: true }));

describe('a database with 200 MiB answers', () => {
  it('is listed by runs --json: previews, with the true length beside them', async () => {
    const result = await runCli(['runs', '--json', '--db', db]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const runs = jsonOf<Array<{ runId: string; answer: string; answerChars: number }>>(result);
    expect(runs.map((r) => r.runId)).toEqual(['huge-3', 'huge-2', 'huge-1']);
    for (const run of runs) {
      expect(run.answer).toBe(hugeAnswer(run.runId).slice(0, LIST_PREVIEW_CHARS));
      expect(run.answerChars).toBe(HUGE_CHARS);
    }
  }, 120_000);

  it('is shown by show --json, each value cut with a note saying how to get it whole', async () => {
    const result = await runCli(['show', 'huge-2', '--json', '--db', db]);
    expect(result.code).toBe(0);
    const shown = jsonOf<{ run: { answer: string; answerChars: number }; nodes: Array<{ answer: string }> }>(result);
    expect(shown.run.answer).toBe(hugeAnswer('huge-2').slice(0, SHOW_PREVIEW_CHARS));
    expect(shown.run.answerChars).toBe(HUGE_CHARS);
    const nodeAnswer = shown.nodes[0]?.answer ?? '';
    expect(nodeAnswer.startsWith(hugeAnswer('huge-2').slice(0, SHOW_PREVIEW_CHARS))).toBe(true);
    expect(nodeAnswer.slice(SHOW_PREVIEW_CHARS)).toMatch(/^\n… \[cut here: the whole value is 209,715,200 characters \(210 MB\);/);
    expect(result.stdout.length).toBeLessThan(3 * SHOW_PREVIEW_CHARS);
  }, 120_000);

  it('prints an answer whole with show RUN --answer', async () => {
    const text = await runCli(['show', 'huge-1', '--db', db]);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('[cut here: the answer is 209,715,200 characters (210 MB); `rlmscope show huge-1 --answer > answer.txt` writes it whole]');

    const whole = await runCli(['show', 'huge-1', '--answer', '--db', db]);
    expect(whole.code).toBe(0);
    expect(whole.stdout.length).toBe(HUGE_CHARS);
    expect(whole.stdout === hugeAnswer('huge-1')).toBe(true);
  }, 120_000);
});

describe('rlmscope run with an answer longer than a preview', () => {
  it('prints the whole answer on stdout, and its true length with --json', async () => {
    const chars = 1_500_000;
    const fake = await startFakeProvider(() => ({ text: repl(`FINAL('a'.repeat(${chars - 1}) + 'Z')`) }));
    const dir = mkdtempSync(join(tmpdir(), 'rlm-cli-long-'));
    try {
      const input = join(dir, 'in.txt');
      writeFileSync(input, 'x');
      const args = ['run', '--query', 'long', '--file', input, '--db', join(dir, 'r.db'), '--base-url', fake.url];
      const plain = await runCli(args);
      expect(plain.code).toBe(0);
      expect(plain.stdout.length).toBe(chars + 1);
      expect(plain.stdout.endsWith('aZ\n')).toBe(true);
      const json = jsonOf<{ answer: string; answerChars: number }>(await runCli([...args, '--json']));
      expect(json.answer.length).toBe(SHOW_PREVIEW_CHARS);
      expect(json.answerChars).toBe(chars);
    } finally {
      await fake.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
