// The limit flags of `rlmscope run` as the table declares them, and the README's table of
// limits checked against it: every promise in the README is a test.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { describeDefault, LIMIT_KEYS, limitSpec } from '../../shared/limits';
import { packageRoot } from '../sandbox/host/harnessPath';
import { addLimitOptions, limitsFromFlags } from './limitFlags';

/** Parses args as `rlmscope run` would; a refused value comes back as commander's message. */
function parse(args: string[]): { limits: ReturnType<typeof limitsFromFlags> } | { error: string } {
  let error = '';
  const command = addLimitOptions(new Command('run'))
    .exitOverride()
    .configureOutput({ writeErr: (text) => (error += text), writeOut: () => undefined });
  try {
    command.parse(args, { from: 'user' });
  } catch {
    return { error: error.trim() };
  }
  return { limits: limitsFromFlags(command.opts()) };
}

/** The rows of the README's table of limits: [flag, default] in the order written. */
function readmeLimitRows(): [string, string][] {
  const readme = readFileSync(join(packageRoot(), 'README.md'), 'utf8');
  const table = /^\| limit \| flag \| default \|\n\|[-|]+\|\n((?:\|.*\|\n)+)/m.exec(readme)?.[1];
  if (!table) throw new Error('README.md has no table of limits');
  return table
    .trimEnd()
    .split('\n')
    .map((row) => {
      const cells = row.split('|').slice(1, -1).map((cell) => cell.trim());
      return [cells[1]!.replace(/^`|`$/g, ''), cells[2]!];
    });
}

describe('the limit flags of rlmscope run', () => {
  it('give the limits named, under their own keys, and nothing else', () => {
    const parsed = parse(['--max-cost', '0.5', '--cell-timeout-ms', '300', '--max-depth', '0', '--max-seconds', '1.5', '--sandbox-memory-mb', '300']);
    expect(parsed).toEqual({ limits: { maxCostUsd: 0.5, cellTimeoutMs: 300, maxDepth: 0, maxSeconds: 1.5, sandboxMemoryMb: 300 } });
    expect(parse([])).toEqual({ limits: {} });
  });

  it('have one flag per limit', () => {
    const args = LIMIT_KEYS.flatMap((key) => [limitSpec(key).flag, '100']);
    const parsed = parse(args);
    expect('limits' in parsed && Object.keys(parsed.limits)).toEqual(LIMIT_KEYS);
  });

  it('refuse a value of the wrong kind with one line naming the flag', () => {
    expect(parse(['--max-depth', 'deep'])).toEqual({ error: "error: option '--max-depth <n>' argument 'deep' is invalid. expected a whole number of at least 0" });
    expect(parse(['--max-iterations', '0'])).toEqual({ error: "error: option '--max-iterations <n>' argument '0' is invalid. expected a whole number of at least 1" });
    expect(parse(['--max-cost', '0'])).toEqual({ error: "error: option '--max-cost <usd>' argument '0' is invalid. expected a number greater than 0" });
    expect(parse(['--max-seconds', 'soon'])).toEqual({ error: "error: option '--max-seconds <s>' argument 'soon' is invalid. expected a number greater than 0" });
    expect(parse(['--concurrency', '2.5'])).toEqual({ error: "error: option '--concurrency <n>' argument '2.5' is invalid. expected a whole number of at least 1" });
  });
});

describe("the README's table of limits", () => {
  it('lists every limit, in order, with its flag and default', () => {
    const expected = LIMIT_KEYS.map((key) => [limitSpec(key).flag, describeDefault(limitSpec(key)) ?? 'none']);
    expect(readmeLimitRows()).toEqual(expected);
  });
});
