// Model replies are untrusted input parsed on the parent's main thread (issue 9): the parser must
// stay linear on adversarial text and agree with the old, quadratic parser on everything else.
import { describe, expect, it } from 'vitest';
import { findFinal, MAX_REPLY_CHARS, parseReply } from './replyParser';
import { referenceFindFinal, referenceParseReply } from './replyParser.reference';

/**
 * A per-character budget instead of a wall-clock number: 10 µs a character is 20 to 50 times what
 * the linear parser needs (~0.2-0.5 µs, so a machine loaded by other tests does not fail it), and
 * 9 to 13 times less than what the quadratic one took on the two known killers (90-200 µs a
 * character: 11-25 s for 120,000 characters, 56 s for 420,000), which grows with the input: at
 * the cap a quadratic parser would need minutes against a budget of 10 s.
 */
const BUDGET_MS_PER_CHAR = 0.01;

function timeParse(text: string): number {
  const start = performance.now();
  const reply = parseReply(text);
  findFinal(reply.prose);
  findFinal(text); // the whole reply too: findFinal must not rely on parseReply having cut it
  return performance.now() - start;
}

function lines(count: number, line: string): string {
  return Array.from({ length: count }, () => line).join('\n');
}

/** Each adversarial reply is at most the cap, so all of it is parsed. */
const adversarial: Record<string, string> = {
  'a fence, 120,000 spaces and a backtick (the fence regex killer)': `\`\`\`${' '.repeat(120_000)}\``,
  'the same at the cap': `\`\`\`${' '.repeat(MAX_REPLY_CHARS - 4)}\``,
  '60,000 unclosed FINAL( lines (the findFinal killer)': lines(60_000, 'FINAL('),
  'unclosed FINAL( lines up to the cap': lines(Math.floor(MAX_REPLY_CHARS / 7), 'FINAL('),
  'unclosed FINAL_VAR( lines with quotes': lines(60_000, 'FINAL_VAR("x'),
  'alternating quotes that keep scans in different states': lines(80_000, `FINAL('a"\\`),
  'FINAL lines all closed at the end by one line of parentheses': `${lines(70_000, 'FINAL_VAR(')}\n${')'.repeat(70_000)} and more`,
  'parentheses nested 500,000 deep': `FINAL(${'('.repeat(500_000)}${')'.repeat(400_000)}`,
  'nested and unclosed fences': lines(60_000, '````repl\n```js'),
  'fences of 300,000 backticks': `${'`'.repeat(300_000)}repl\n${'`'.repeat(299_999)}\nx`,
  'a tilde fence with 500,000 tabs and a backtick': `~~~${'\t'.repeat(500_000)}js\``,
};

describe('the reply parser on adversarial replies', () => {
  for (const [name, text] of Object.entries(adversarial)) {
    it(`stays within its per-character budget: ${name}`, () => {
      expect(text.length).toBeLessThanOrEqual(MAX_REPLY_CHARS);
      const ms = timeParse(text);
      expect(ms).toBeLessThan(Math.max(50, text.length * BUDGET_MS_PER_CHAR));
    });
  }

  it('grows linearly: twice the input takes about twice the time, not four times', () => {
    const killer = (n: number) => `${lines(n, 'FINAL(')}\n\`\`\`${' '.repeat(n * 2)}\`\n${lines(n, 'FINAL_VAR("x')}`;
    timeParse(killer(10_000)); // warm up the JIT
    const best = (n: number) => Math.min(...[0, 1, 2].map(() => timeParse(killer(n))));
    const ratio = best(80_000) / Math.max(best(40_000), 1);
    expect(ratio).toBeLessThan(3.2);
  });

  it('reads only the first MAX_REPLY_CHARS of a longer reply, up to a line break, and says how much it ignored', () => {
    // The line holding FINAL(1) straddles the cap: it is not read in half, it is not read at all.
    const text = `${'x'.repeat(MAX_REPLY_CHARS - 5)}\nFINAL(1)\n${'y'.repeat(5000)}`;
    const reply = parseReply(text);
    expect(reply.prose).toBe('x'.repeat(MAX_REPLY_CHARS - 5));
    expect(reply.ignoredChars).toBe(text.length - (MAX_REPLY_CHARS - 5));
    expect(findFinal(reply.prose)).toBeNull();
    expect(parseReply('short').ignoredChars).toBe(0);
  });
});

/** A small deterministic PRNG (mulberry32) so a failing case can be reproduced from its seed. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const TOKENS = [
  '```', '````', '~~~', '`', '~', 'repl', 'js', 'JavaScript', 'python', ' ', '   ', '    ', '\t', '\n', '\n', '\n', '\r', '\u2028',
  'FINAL(', 'FINAL_VAR(', 'FINAL', '(', ')', ')', '"', "'", '\\', 'x', 'it', '.', '*', '_', '**', 'a b', '\u00a0',
];

function randomReply(next: () => number): string {
  const length = Math.floor(next() * 60);
  let text = '';
  for (let i = 0; i < length; i++) text += TOKENS[Math.floor(next() * TOKENS.length)];
  return text;
}

describe('the reply parser against the old one', () => {
  it('gives the same blocks, prose and answer on 20,000 random short replies', () => {
    const next = random(9);
    for (let i = 0; i < 20_000; i++) {
      const text = randomReply(next);
      const { ignoredChars, ...parsed } = parseReply(text);
      expect(ignoredChars).toBe(0);
      expect({ text, parsed }).toEqual({ text, parsed: referenceParseReply(text) });
      expect({ text, final: findFinal(text) }).toEqual({ text, final: referenceFindFinal(text) });
    }
  });

  it('agrees where scans from several FINAL lines cross quotes and each other', () => {
    const cases = [
      'FINAL("\nFINAL(x)',
      'FINAL(\'a\nFINAL_VAR(b)\n\')',
      'FINAL_VAR(\nFINAL(1)\n)',
      'FINAL((\nFINAL(")\n"))\nFINAL(2))',
      "FINAL(it's\nFINAL('a)\n')\nFINAL(3)",
      'FINAL_VAR( name )\nFINAL(x)',
      'FINAL(`\\`)`\nFINAL(y))',
    ];
    for (const text of cases) expect({ text, final: findFinal(text) }).toEqual({ text, final: referenceFindFinal(text) });
  });
});
