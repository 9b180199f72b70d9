// The live RLMs of a run and what the user's steering does to a run's replayability: pure parts,
// tested here; the whole path (a second caller, real sandboxes) is in service/branchActions.test.ts.
import { describe, expect, it } from 'vitest';
import { replayability } from '../../shared/domain/recording';
import { parseSteering } from '../store/runRows';
import { LiveRlms, MAX_WAITING_NOTES, RlmStoppedByUser } from './liveRlms';

describe('LiveRlms', () => {
  it('stops one RLM by the user, follows its parent otherwise, and takes notes in order', async () => {
    const rlms = new LiveRlms();
    const parent = new AbortController();
    const a = rlms.add(2, false, parent.signal);
    const b = rlms.add(3, false, parent.signal);
    expect(a.note('first')).toBe(true);
    expect(a.note('second')).toBe(true);
    expect(a.takeNotes()).toEqual(['first', 'second']);
    expect(a.takeNotes()).toEqual([]);

    a.stop();
    expect(a.signal.reason).toBeInstanceOf(RlmStoppedByUser);
    expect(a.signal.reason).toMatchObject({ name: 'AbortError', message: 'stopped by the user', nodeId: 2 });
    expect(a.stoppedByUser).toBe(true);
    expect(b.signal.aborted).toBe(false);

    parent.abort(new Error('the cell ended'));
    expect(b.signal.reason).toMatchObject({ message: 'the cell ended' });
    expect(b.stoppedByUser).toBe(false);
    // A stopped by the user keeps that reason: the first abort wins.
    expect(a.stoppedByUser).toBe(true);

    let ended = false;
    void a.ended.then(() => (ended = true));
    a.note('unread');
    expect(rlms.remove(a)).toEqual(['unread']);
    await Promise.resolve();
    expect(ended).toBe(true);
    expect(rlms.get(2)).toBeUndefined();
    expect(rlms.get(3)).toBe(b);
  });

  it('refuses a note past the ones that may wait for one turn', () => {
    const rlm = new LiveRlms().add(1, true, new AbortController().signal);
    for (let i = 0; i < MAX_WAITING_NOTES; i++) expect(rlm.note(`n${i}`)).toBe(true);
    expect(rlm.note('one more')).toBe(false);
    expect(rlm.takeNotes()).toHaveLength(MAX_WAITING_NOTES);
    expect(rlm.note('after the turn')).toBe(true);
  });

  it('records each steered RLM once', () => {
    const rlms = new LiveRlms();
    rlms.steered('noted', 4);
    rlms.steered('noted', 4);
    expect(rlms.steered('stopped', 2)).toEqual({ stopped: [2], noted: [4] });
  });
});

describe('a steered run and replay', () => {
  const native = { origin: 'native' as const, recording: 1 };

  it('is replayable when nobody steered it, and says why not when somebody did', () => {
    expect(replayability({ ...native, steering: null })).toEqual({ replayable: true, replayableWhy: null });
    expect(replayability({ ...native, steering: { stopped: [], noted: [] } })).toEqual({ replayable: true, replayableWhy: null });
    expect(replayability({ ...native, steering: { stopped: [3], noted: [] } }).replayableWhy).toBe(
      'the user stopped RLM node 3 while it ran, which a re-execution would not do again',
    );
    expect(replayability({ ...native, steering: { stopped: [], noted: [1, 2, 3, 4, 5, 6, 7] } }).replayableWhy).toBe(
      'the user sent notes to RLM nodes 1, 2, 3, 4, 5 and 2 more while it ran, which a re-execution would not do again',
    );
    // An imported run says so first.
    expect(replayability({ origin: 'imported', recording: 0, steering: { stopped: [3], noted: [] } }).replayableWhy).toMatch(/^imported from/);
  });

  it('reads the record from the root payload tolerantly', () => {
    expect(parseSteering(null)).toBeNull();
    expect(parseSteering('{"stopped":[2],"noted":[]}')).toEqual({ stopped: [2], noted: [] });
    for (const damaged of ['{', '"text"', '{"stopped":"2","noted":[]}', '{"stopped":[1.5],"noted":[]}', '[1]', '{"noted":[1]}']) expect(parseSteering(damaged)).toBeNull();
  });
});
