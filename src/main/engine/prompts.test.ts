import { describe, expect, it } from 'vitest';
import { describeContext, firstUserMessage, fitOutputs, replOutputMessage, systemPrompt } from './prompts';

const settings = { depth: 0, maxDepth: 1, maxIterations: 12, outputChars: 20_000, cellTimeoutMs: 30_000 };

describe('prompts', () => {
  it('teaches the sandbox contract and the rules of answering', () => {
    const prompt = systemPrompt(settings);
    for (const name of ['context', 'print(', 'llm_query(', 'llm_query_batched(', 'rlm_query(', 'SHOW_VARS()', 'FINAL(', 'FINAL_VAR(', '```repl']) {
      expect(prompt).toContain(name);
    }
    expect(prompt).toContain('the FINAL in the text is ignored');
    expect(prompt).toContain('You have 12 turns');
    expect(prompt).toContain('starts a child RLM');
    expect(systemPrompt({ ...settings, depth: 1 })).toContain('no further recursion');
  });

  it('describes a string context by type, length and a short preview only', () => {
    const text = `${'x'.repeat(1000)}SECRET`;
    const message = firstUserMessage('Find it', { kind: 'string', length: text.length, preview: text.slice(0, 500) });
    expect(message).toContain('Query: Find it');
    expect(message).toContain('a string of 1,006 characters');
    expect(message).not.toContain('SECRET');
    expect(message.length).toBeLessThan(700);
  });

  it('lists array items with their names, and says when an input arrived in parts', () => {
    const names = Array.from({ length: 25 }, (_, i) => `big.log (part ${i + 1}/25)`);
    const text = describeContext({ kind: 'array', length: 25_000, items: 25, names, itemLengths: names.map(() => 1000), preview: 'abc', split: true });
    expect(text).toContain('an array of 25 strings, 25,000 characters in all');
    expect(text).toContain('- context[0]: big.log (part 1/25) (1,000 characters)');
    expect(text).toContain('… and 5 more');
    expect(text).toContain('too large for one JavaScript string');
  });

  it('cuts REPL output to the limit and says so', () => {
    const message = replOutputMessage(
      [{ output: 'y'.repeat(500), droppedChars: 0, error: null, notes: [] }, { output: '', droppedChars: 0, error: 'TypeError: x', notes: ['restarted'] }],
      { outputChars: 200, nextTurn: 3, maxIterations: 10, notes: [] },
    );
    expect(message).toMatch(/^Output of block 1:\ny{50,}\n… \[output truncated: [\d,]+ more characters not shown; print less\]/);
    // Errors and notes are never cut away by a long output before them.
    expect(message).toContain('Error: TypeError: x\nNote: restarted');
    expect(message).toMatch(/\[turn 3 of 10\]$/);
    const whole = replOutputMessage([{ output: 'ok', droppedChars: 12, error: 'TypeError: x', notes: ['restarted'] }], { outputChars: 2000, nextTurn: 1, maxIterations: 5, notes: ['general'] });
    expect(fitOutputs(['aaaa', 'b'.repeat(100)], 20)).toEqual(['aaaa', `${'b'.repeat(16)}\n… [output truncated: 84 more characters not shown; print less]`]);
    expect(whole).toBe('Output:\nok\n… [12 more characters not kept: print less]\nError: TypeError: x\nNote: restarted\n\nNote: general\n\n[turn 1 of 5]');
  });
});
