// The Date.now() values one cell read, recorded compactly so a restarted sandbox can replay them
// (DESIGN §3, §11). A tight loop reads the same millisecond thousands of times: the record keeps
// runs of equal values, each as its difference from the previous run and how often it was read,
// so 10 million reads in a 2-second cell take ~2,000 runs instead of 10 million numbers (they
// were 138 MB per cell in the database and in the parent's memory: issue 9). It is bounded: once
// it holds `maxRuns` runs the cell's clock stands still at its last value, which a replay
// reproduces exactly. Pure and dependency-free: the sandbox process uses it too.

export interface ClockRecord {
  /** Pairs: [first value, its count, delta to the next value, its count, ...]. */
  runs: number[];
  /** Reads in all (the sum of the counts). */
  reads: number;
}

export class ClockRecorder {
  readonly record: ClockRecord = { runs: [], reads: 0 };
  private last = 0;

  constructor(private readonly maxRuns: number) {}

  /** Records one read of `value` and returns what the cell gets: `value`, or the last value once full. */
  read(value: number): number {
    const { runs } = this.record;
    this.record.reads++;
    if (runs.length > 0 && (value === this.last || runs.length >= 2 * this.maxRuns)) {
      runs[runs.length - 1] = (runs[runs.length - 1] ?? 0) + 1;
      return this.last;
    }
    runs.push(runs.length === 0 ? value : value - this.last, 1);
    this.last = value;
    return value;
  }
}

/** Replays a record read by read; `next()` is undefined once it is used up. */
export class ClockReplay {
  private index = 0;
  private left: number;
  private value: number;

  constructor(private readonly record: ClockRecord) {
    this.value = record.runs[0] ?? 0;
    this.left = record.runs[1] ?? 0;
  }

  next(): number | undefined {
    const { runs } = this.record;
    while (this.left <= 0) {
      this.index += 2;
      if (this.index >= runs.length) return undefined;
      this.value += runs[this.index] ?? 0;
      this.left = runs[this.index + 1] ?? 0;
    }
    this.left--;
    return this.value;
  }
}

/** Every value of a record, or of the old format (a plain array of values, runs before issue 9). */
export function clockValues(recorded: ClockRecord | number[], limit = Infinity): number[] {
  if (Array.isArray(recorded)) return recorded.slice(0, limit);
  const replay = new ClockReplay(recorded);
  const values: number[] = [];
  for (let v = replay.next(); v !== undefined && values.length < limit; v = replay.next()) values.push(v);
  return values;
}
