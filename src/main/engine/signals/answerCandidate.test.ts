import { describe, expect, it } from 'vitest';
import { answerHolds, answerLike } from './answerCandidate';

describe('answerLike', () => {
  it('reads an answer printed on its own line', () => {
    expect(answerLike('', 'Working...\nFinal answer: 17 apples\n')).toBe('17 apples');
    expect(answerLike('', '**Answer**: yes')).toBe('yes');
    expect(answerLike('', '- answer = 3')).toBe('3');
  });

  it('reads a string assigned to answer, result or final, in JavaScript or Python', () => {
    expect(answerLike('const result = "Paris";', '')).toBe('Paris');
    expect(answerLike("final_answer = 'forty-two'", '')).toBe('forty-two');
    expect(answerLike('x = 1\nanswer = "blue"\nprint(x)', '')).toBe('blue');
  });

  it('takes no template with holes, no comparison, no call and no prose for an answer', () => {
    expect(answerLike('answer = f"{x} apples"', '')).toBeNull();
    expect(answerLike('const answer = `${x} apples`', '')).toBeNull();
    expect(answerLike('if (answer == "x") print(1)', '')).toBeNull();
    expect(answerLike('if (result === "x") print(1)', '')).toBeNull();
    expect(answerLike('result = llm_query(prompt)', 'the answer is near')).toBeNull();
    expect(answerLike('my_answer = "no"', 'The answer: maybe later')).toBeNull();
    expect(answerLike('', 'Answer:   ')).toBeNull();
  });

  it('reads only the end of a huge output, where an answer comes', () => {
    const huge = `${'Answer: too early\n'}${'row of data\n'.repeat(1_000_000)}`;
    expect(answerLike('', huge)).toBeNull();
    expect(answerLike('', `${huge}Final answer: 12 rows\n`)).toBe('12 rows');
  });

  it('keeps a preview of a long answer, and a line, not what follows it', () => {
    expect(answerLike('', `Answer: ${'y'.repeat(1000)}`)).toHaveLength(200);
    expect(answerLike('', 'Answer: 42\nAnd more text')).toBe('42');
  });
});

describe('answerHolds', () => {
  it('finds the candidate in the answer, case and spacing aside, a cut one by its start', () => {
    expect(answerHolds('The capital is  PARIS.', 'Paris')).toBe(true);
    expect(answerHolds('Lyon', 'Paris')).toBe(false);
    expect(answerHolds(`${'y'.repeat(1000)} and so on`, `${'y'.repeat(199)}…`)).toBe(true);
  });

  it('takes a candidate with the characters of a pattern as text, and searches a 200 MB answer without copying it', () => {
    expect(answerHolds('Total: $1.50 (tax incl.) [EU]', '$1.50 (tax incl.) [eu]')).toBe(true);
    expect(answerHolds('Total: $1x50', '$1.50')).toBe(false);
    expect(answerHolds('a\\b/c-d', 'a\\b/c-d')).toBe(true);
    const huge = `${'row of data\n'.repeat(17_000_000)}The answer is  FORTY-TWO.`;
    // Made flat first (a regex test does it), as an answer from the sandbox is: the repeat above is a rope.
    expect(/never there/.test(huge)).toBe(false);
    const before = process.memoryUsage().rss;
    expect(answerHolds(huge, 'the answer is forty-two')).toBe(true);
    expect(process.memoryUsage().rss - before).toBeLessThan(100 * 1024 * 1024);
  });
});
