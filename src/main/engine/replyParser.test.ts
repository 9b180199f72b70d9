import { describe, expect, it } from 'vitest';
import { findFinal, parseReply } from './replyParser';

describe('parseReply', () => {
  it('runs repl, js and javascript blocks in order and keeps the others apart', () => {
    const reply = [
      'Let me look.',
      '```repl',
      'print(context.length)',
      '```',
      '```python',
      'print(len(context))',
      '```',
      '~~~js',
      'const a = "```";',
      '~~~',
      '```JavaScript title="x"',
      'a',
      '```',
    ].join('\n');
    const parsed = parseReply(reply);
    expect(parsed.runnable.map((b) => b.code)).toEqual(['print(context.length)', 'const a = "```";', 'a']);
    expect(parsed.other).toEqual([{ language: 'python', code: 'print(len(context))' }]);
    expect(parsed.prose).toBe('Let me look.');
  });

  it('runs an unclosed block to the end of the reply', () => {
    expect(parseReply('```repl\nprint(1)\nprint(2)').runnable).toEqual([{ language: 'repl', code: 'print(1)\nprint(2)' }]);
  });

  it('needs a longer or equal fence to close', () => {
    const parsed = parseReply('````repl\nconst s = `\n```\n`;\n````');
    expect(parsed.runnable[0]?.code).toBe('const s = `\n```\n`;');
  });
});

describe('findFinal', () => {
  it('reads a plain answer, with nested parentheses and over several lines', () => {
    expect(findFinal('Done.\nFINAL(42)')).toEqual({ kind: 'FINAL', answer: '42' });
    expect(findFinal('FINAL(f(x) + 1)')).toEqual({ kind: 'FINAL', answer: 'f(x) + 1' });
    expect(findFinal('FINAL(The list:\n- a (first)\n- b)\n')).toEqual({ kind: 'FINAL', answer: 'The list:\n- a (first)\n- b' });
  });

  it('unquotes a single string literal and ignores parentheses inside it', () => {
    expect(findFinal('FINAL("it costs $5 (approx.)")')).toEqual({ kind: 'FINAL', answer: 'it costs $5 (approx.)' });
    expect(findFinal("FINAL('a \\'quoted\\' word')")).toEqual({ kind: 'FINAL', answer: "a 'quoted' word" });
    expect(findFinal('FINAL("a" + "b")')).toEqual({ kind: 'FINAL', answer: '"a" + "b"' });
  });

  it('reads FINAL_VAR with or without quotes', () => {
    expect(findFinal('FINAL_VAR(result)')).toEqual({ kind: 'FINAL_VAR', name: 'result' });
    expect(findFinal("  FINAL_VAR('result')")).toEqual({ kind: 'FINAL_VAR', name: 'result' });
  });

  it('does not end on a plan that mentions FINAL', () => {
    expect(findFinal('When I know it I will call FINAL(answer).')).toBeNull();
    expect(findFinal('FINAL(x) is what I will return after checking')).toBeNull();
    expect(findFinal('FINAL(unbalanced')).toBeNull();
    expect(findFinal('The FINAL_VAR(x) function exists.')).toBeNull();
  });

  it('allows markdown emphasis and a full stop after the answer', () => {
    expect(findFinal('**FINAL(yes)**')).toBeNull();
    expect(findFinal('FINAL(yes).')).toEqual({ kind: 'FINAL', answer: 'yes' });
    expect(findFinal('FINAL(yes)**')).toEqual({ kind: 'FINAL', answer: 'yes' });
  });
});
