import { describe, expect, it } from 'vitest';
import { RlmsLogReader } from './rlmsLogReader';
import { iteration, metadata } from '../../testing/rlmsLogs';

describe('RlmsLogReader', () => {
  it('takes parsed records one at a time and closes the last run at finish()', () => {
    const reader = new RlmsLogReader({ assumeUtc: true });
    reader.feed(metadata(), 1);
    reader.feed(iteration(1), 2);
    reader.feed(iteration(2, { final_answer: 'a' }), 3);
    reader.feed({ type: 'run_context', prompt: { question: 'q' }, root_prompt: null, session_mode: false }, 4);
    reader.feed(iteration(3), 5);
    const { runs, warnings, knownRecords } = reader.finish();
    expect(knownRecords).toBe(5);
    expect(warnings).toEqual([]);
    expect(runs.map((r) => [r.index, r.firstLine, r.lastLine, r.answer, r.status])).toEqual([
      [0, 2, 3, 'a', 'completed'],
      [1, 4, 5, null, 'interrupted'],
    ]);
    // A run_context prompt that is not a string (the context itself) is kept as JSON text.
    expect(runs[1]!.context).toEqual({ prompt: '{"question":"q"}', rootPrompt: null, sessionMode: false, environmentType: null, line: 4 });
    expect(runs[1]!.query).toBe('{"question":"q"}');
  });

  it('reads the question from the first user message when the library was given a root_prompt', () => {
    const reader = new RlmsLogReader();
    const prompt = [
      { role: 'system', content: 'sys' },
      { role: 'user', content: 'Answer the following: How many vowels?\n\nYour context is a str of 135 total characters.' },
      { role: 'user', content: 'Turn 1/5:' },
    ];
    reader.feed(metadata(), 1);
    reader.feed(iteration(1, { prompt, final_answer: '14' }), 2);
    const [run] = reader.finish().runs;
    expect(run!.query).toBe('How many vowels?');
    expect(run!.root.label).toBe('How many vowels?');
  });

  it('labels a reply that opens with its code by its first line of code', () => {
    const reader = new RlmsLogReader();
    reader.feed(metadata(), 1);
    reader.feed(iteration(1, { response: '```repl\nprint(x)\n```', final_answer: 'a' }), 2);
    expect(reader.finish().runs[0]!.root.children[0]!.label).toBe('print(x)');
  });

  it('keeps at most maxWarnings warnings and counts the rest', () => {
    const reader = new RlmsLogReader({ maxWarnings: 3 });
    for (let line = 1; line <= 10; line++) reader.feed(line, line);
    const result = reader.finish();
    expect(result.warnings.map((w) => w.line)).toEqual([1, 2, 3]);
    expect(result.warningsDropped).toBe(7);
  });

  it('reports a metadata record with no run after it', () => {
    const reader = new RlmsLogReader();
    reader.feed(metadata(), 1);
    expect(reader.finish()).toMatchObject({ runs: [], knownRecords: 1, warnings: [{ line: 1, message: 'the log has a metadata record but no iterations' }] });
  });
});
