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
});
