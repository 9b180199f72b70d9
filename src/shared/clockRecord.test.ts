import { describe, expect, it } from 'vitest';
import { ClockRecorder, ClockReplay, clockValues } from './clockRecord';

describe('clock records', () => {
  it('keeps runs of equal values as a delta and a count, and replays them in order', () => {
    const values = [1_796_527_625_287, 1_796_527_625_287, 1_796_527_625_288, 1_796_527_625_288, 1_796_527_625_288, 1_796_527_625_280, 1_796_527_625_290];
    const recorder = new ClockRecorder(100);
    for (const v of values) expect(recorder.read(v)).toBe(v);
    expect(recorder.record).toEqual({ runs: [1_796_527_625_287, 2, 1, 3, -8, 1, 10, 1], reads: 7 });
    expect(clockValues(recorder.record)).toEqual(values);
    const replay = new ClockReplay(JSON.parse(JSON.stringify(recorder.record)));
    expect(values.map(() => replay.next())).toEqual(values);
    expect(replay.next()).toBeUndefined();
  });

  it('stands still at its last value once full, which a replay reproduces', () => {
    const recorder = new ClockRecorder(2);
    expect([10, 11, 12, 13].map((v) => recorder.read(v))).toEqual([10, 11, 11, 11]);
    expect(recorder.record).toEqual({ runs: [10, 1, 1, 3], reads: 4 });
    expect(clockValues(recorder.record)).toEqual([10, 11, 11, 11]);
  });

  it('still reads the format of older runs: a plain array of values', () => {
    expect(clockValues([5, 5, 6])).toEqual([5, 5, 6]);
    expect(clockValues({ runs: [], reads: 0 })).toEqual([]);
  });
});
