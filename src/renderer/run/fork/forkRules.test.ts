import { describe, expect, it } from 'vitest';
import { FORK_EDIT_MAX_CHARS } from '../../../shared/api/debugger';
import { editProblem, forkEditKind, forkOffer, forkOriginText, warningsText } from './forkRules';

const ended = { origin: 'native', status: 'completed', replayable: true, replayableWhy: null } as const;

describe('fork from here', () => {
  it("replaces a model call's reply or a cell's code; an RLM does not fork", () => {
    expect(forkEditKind({ kind: 'llm' })).toBe('reply');
    expect(forkEditKind({ kind: 'cell' })).toBe('code');
    expect(forkEditKind({ kind: 'rlm' })).toBeNull();
    expect(forkOffer(ended, { kind: 'rlm' })).toEqual({ shown: false });
  });

  it('is offered on a native run that has ended, whatever way it ended', () => {
    for (const status of ['completed', 'failed', 'stopped', 'interrupted'] as const) {
      expect(forkOffer({ ...ended, status }, { kind: 'cell' })).toMatchObject({ shown: true, enabled: true });
    }
    // Runs read before the store said (replayable absent) are taken as replayable: the service decides.
    expect(forkOffer({ origin: 'native', status: 'completed' }, { kind: 'llm' })).toMatchObject({ enabled: true });
  });

  it('is disabled, saying why, while the run goes or when its recording is incomplete', () => {
    const going = forkOffer({ ...ended, status: 'running' }, { kind: 'cell' });
    expect(going).toMatchObject({ shown: true, enabled: false });
    expect(going.shown && going.title).toMatch(/still going/);
    expect(forkOffer({ ...ended, status: 'paused' }, { kind: 'llm' })).toMatchObject({ enabled: false });
    const old = forkOffer({ ...ended, replayable: false, replayableWhy: 'recorded before exact replay' }, { kind: 'cell' });
    expect(old).toMatchObject({ enabled: false });
    expect(old.shown && old.title).toContain('recorded before exact replay');
  });

  it('is never offered on an imported run', () => {
    expect(forkOffer({ ...ended, origin: 'imported' }, { kind: 'cell' })).toEqual({ shown: false });
    expect(forkOffer({ ...ended, origin: 'imported', status: 'running' }, { kind: 'llm' })).toEqual({ shown: false });
  });

  it('refuses an edit longer than the service takes before sending it', () => {
    expect(editProblem('')).toBeNull();
    expect(editProblem('x'.repeat(FORK_EDIT_MAX_CHARS))).toBeNull();
    expect(editProblem('x'.repeat(FORK_EDIT_MAX_CHARS + 1))).toMatch(/at most/);
  });

  it('lists every warning in one notice, and none when there are none', () => {
    expect(warningsText([])).toBeNull();
    expect(warningsText(['model m has no price'])).toBe('The fork started with a warning: model m has no price');
    expect(warningsText(['a', 'b'])).toBe('The fork started with 2 warnings: a · b');
    expect(warningsText(['a'], 'rerun')).toBe('The rerun started with a warning: a');
  });
});

describe("a fork's origin", () => {
  it('names the parent and the node it changed, or says it re-ran with other settings, or that the parent is gone', () => {
    expect(forkOriginText({ runId: 'r-1', nodeId: 7 }, false)).toBe('Forked from r-1 at node 7');
    expect(forkOriginText({ runId: 'r-1', nodeId: 0 }, false)).toBe('Forked from r-1 at node 0');
    expect(forkOriginText({ runId: 'r-1', nodeId: null }, false)).toBe('Forked from r-1 (other settings)');
    expect(forkOriginText({ runId: 'r-1', nodeId: 7 }, true)).toBe('Forked from r-1 (deleted)');
  });
});
