import { describe, expect, it } from 'vitest';
import { replySegments, segmentText } from './replySegments';

const joined = (text: string) => replySegments(text).map(segmentText).join('');

describe('replySegments', () => {
  it('gives the reply back character for character', () => {
    for (const text of [
      '',
      'just prose\n\nwith __init__.py and *x*',
      'Let me look.\n```repl\nprint(context.slice(0, 100));\n```\nthen more\n',
      '```js\n```',
      '```repl\nconst a = 1;\n```',
      'cut off:\n```repl\nconst a = "unfinished',
      '~~~~python\nx = 1\n~~~~\n\n---\n_y_\n',
      'two\n```repl\na\n```\n```js\nb\n```\nend',
    ]) {
      expect(joined(text)).toBe(text);
    }
  });

  it('finds the code and its language between the fences', () => {
    const segments = replySegments('Look:\n```repl\nprint(1);\nprint(2);\n```\nDone.');
    expect(segments).toEqual([
      { kind: 'prose', text: 'Look:\n' },
      { kind: 'code', open: '```repl\n', code: 'print(1);\nprint(2);', close: '\n```\n', language: 'repl' },
      { kind: 'prose', text: 'Done.' },
    ]);
  });

  it('runs an unclosed fence to the end, as the engine does', () => {
    expect(replySegments('```JS\nlet x')).toEqual([{ kind: 'code', open: '```JS\n', code: 'let x', close: '', language: 'js' }]);
  });
});
