import { describe, expect, it } from 'vitest';
import type { NodeKind, NodeRow } from '../../shared/domain/node';
import { emptySubtree } from '../../shared/domain/node';
import type { RunTotals } from '../../shared/domain/run';
import { emptyTotals } from '../../shared/domain/run';
import type { DetectedSignal, SignalChange } from '../../shared/domain/signals';
import { toRunSignal } from '../../shared/domain/signals';
import type { SignalInput, SignalThresholds } from './runawaySignals';
import { RunawayGuard } from './runawayGuard';
import { EXPLOSION_CHILD_RLMS, EXPLOSION_SUBCALLS, RunawaySignals } from './runawaySignals';
import type { ForecastLimits } from './spendForecast';

/**
 * A run fed to the detector as the engine feeds it (recorder.ts): a node's row when it is added,
 * its row again when it finishes, and a finished call's cost rolled up into every ancestor's row,
 * each ancestor announced; the payload facts (sub-call prompt, cell code and output, a turn, an
 * answer) beside them.
 */
class RecordedRun {
  readonly detector: RunawaySignals;
  /** Every change the detector reported, in order. */
  readonly changes: SignalChange[] = [];
  private nextId = 1;
  private readonly rows = new Map<number, NodeRow>();

  constructor(thresholds: Partial<SignalThresholds> = {}) {
    this.detector = new RunawaySignals(thresholds);
  }

  feed(event: SignalInput): SignalChange[] {
    const changes = this.detector.observe(event);
    this.changes.push(...changes);
    return changes;
  }

  signals(kind?: DetectedSignal['kind']): DetectedSignal[] {
    return this.detector.signals().filter((s) => kind === undefined || s.kind === kind);
  }

  private add(kind: NodeKind, parentId: number | null, extra: Partial<NodeRow> = {}): number {
    const parent = parentId === null ? null : this.rows.get(parentId);
    const depth = kind === 'rlm' ? (parent ? parent.depth + 1 : 0) : (parent?.depth ?? 0);
    const row: NodeRow = {
      id: this.nextId++, parentId, kind, depth, seq: 0, status: 'running', startedAt: 0, endedAt: null, label: kind,
      model: null, purpose: null, inputTokens: null, outputTokens: null, cachedTokens: null, costUsd: null,
      usageEstimated: false, subtree: emptySubtree(), ...extra,
    };
    this.rows.set(row.id, row);
    this.feed({ type: 'run.nodeAdded', node: copyOf(row) });
    return row.id;
  }

  rlm(parentCell: number | null = null): number {
    return this.add('rlm', parentCell);
  }

  cell(rlmId: number): number {
    return this.add('cell', rlmId);
  }

  /** A model call sent; `finishCall` ends it. */
  startCall(parentId: number, purpose: 'turn' | 'sub', model = 'gpt-sub'): number {
    return this.add('llm', parentId, { model, purpose });
  }

  /** Its usage and cost (null: no known price), rolled up into its ancestors, each announced. */
  finishCall(id: number, costUsd: number | null): void {
    const row = this.row(id);
    Object.assign(row, { status: 'completed', inputTokens: 100, outputTokens: 10, costUsd });
    const changed: NodeRow[] = [];
    for (let node: NodeRow | undefined = row; node; node = node.parentId === null ? undefined : this.rows.get(node.parentId)) {
      if (costUsd === null) node.subtree.unpricedCalls++;
      else node.subtree.pricedCostUsd += costUsd;
      node.subtree.modelCalls++;
      changed.push(node);
    }
    for (const node of changed) this.feed({ type: 'run.nodeUpdated', node: copyOf(node) });
  }

  /** A sub-call from a cell: sent (its prompt told), and answered unless `inFlight`. */
  subCall(cellId: number, prompt: string, costUsd: number | null = 0.01, { model = 'gpt-sub', inFlight = false } = {}): number {
    const id = this.startCall(cellId, 'sub', model);
    this.feed({ type: 'subCall', nodeId: id, cellId, rlmId: this.row(cellId).parentId ?? 0, model, prompt: [{ role: 'user', content: prompt }] });
    if (!inFlight) this.finishCall(id, costUsd);
    return id;
  }

  turnCall(rlmId: number, costUsd: number | null = 0.05): number {
    const id = this.startCall(rlmId, 'turn', 'gpt-root');
    this.finishCall(id, costUsd);
    return id;
  }

  endCell(cellId: number, code: string, output: string): void {
    const row = this.row(cellId);
    row.status = 'completed';
    this.feed({ type: 'run.nodeUpdated', node: copyOf(row) });
    this.feed({ type: 'cell', nodeId: cellId, rlmId: row.parentId ?? 0, code, output });
  }

  /** One whole turn as the engine runs it: the model call, one cell with its sub-calls, the guard's view. */
  turn(rlmId: number, code: string, output: string, prompts: string[] = []): number {
    this.turnCall(rlmId);
    const cellId = this.cell(rlmId);
    for (const prompt of prompts) this.subCall(cellId, prompt);
    this.endCell(cellId, code, output);
    this.feed({ type: 'turn', nodeId: cellId, rlmId, code, output });
    return cellId;
  }

  row(id: number): NodeRow {
    const row = this.rows.get(id);
    if (!row) throw new Error(`no node ${id}`);
    return row;
  }
}

/** The row as the store hands it out: a copy, not the run's own object. */
function copyOf(row: NodeRow): NodeRow {
  return { ...row, subtree: { ...row.subtree } };
}

/** 1,000 distinct sub-calls spread over 20 cells of one RLM, varied code, its answer returned. */
function healthyRun(run: RecordedRun): number {
  const root = run.rlm();
  for (let turn = 0; turn < 20; turn++) {
    const prompts = Array.from({ length: 50 }, (_, k) => `Summarise chunk ${turn * 50 + k} of the report.`);
    run.turn(root, `const part${turn} = await llm_query_batched(chunks.slice(${turn * 50}, ${turn * 50 + 50}));\nprint(part${turn}.length)`, `50 summaries for part ${turn}`, prompts);
  }
  const last = run.turn(root, 'const answer = "The report covers 1,000 sections."\nprint(`Answer: ${answer}`)', 'Answer: The report covers 1,000 sections.');
  run.feed({ type: 'rlmAnswered', rlmId: root, answer: 'The report covers 1,000 sections.' });
  return last;
}

function totalsAt(cost: number, tokens = 0): RunTotals {
  return { ...emptyTotals(), costUsd: cost, pricedCostUsd: cost, inputTokens: tokens };
}

describe('RunawaySignals: duplicate sub-calls', () => {
  it('counts the copies of a (model, prompt), what they cost, and points at the first copy\'s cell', () => {
    const run = new RecordedRun();
    const root = run.rlm();
    run.turn(root, 'a', 'x', ['What is in chunk 1?', 'What is in chunk 2?']);
    const second = run.turn(root, 'b', 'y', ['What is in chunk 1?', 'What is in chunk 3?']);
    run.turn(root, 'c', 'z', ['What is in chunk 1?', 'What is in chunk 2?']);
    const [signal] = run.signals('duplicate-subcalls');
    expect(signal).toMatchObject({
      nodeId: second,
      seen: { copies: 3, repeatedPrompts: 2, mostSends: 3, copiesRunning: 0, unpricedCopies: 0 },
    });
    expect(signal?.costUsd).toBeCloseTo(0.03, 10);
    expect(signal?.message).toBe(
      '3 sub-calls repeated an earlier (model, prompt): 2 prompts sent more than once, one up to 3 times. The copies cost $0.0300: what --dedupe-subcalls would have saved.',
    );
    expect(toRunSignal(signal as DetectedSignal)).toEqual({ kind: 'duplicate-subcalls', nodeId: second, message: signal?.message, costUsd: signal?.costUsd });
  });

  it('tells the same prompt to another model apart', () => {
    const run = new RecordedRun();
    const cell = run.cell(run.rlm());
    run.subCall(cell, 'Is this a contract?', 0.01, { model: 'gpt-small' });
    run.subCall(cell, 'Is this a contract?', 0.01, { model: 'gpt-large' });
    expect(run.signals()).toEqual([]);
  });

  it('says a copy in flight is not priced yet, and a copy without a price is unknown', () => {
    const run = new RecordedRun();
    const cell = run.cell(run.rlm());
    run.subCall(cell, 'p');
    const copy = run.subCall(cell, 'p', null, { inFlight: true });
    expect(run.signals('duplicate-subcalls')[0]).toMatchObject({ costUsd: null, seen: { copiesRunning: 1 } });
    expect(run.signals('duplicate-subcalls')[0]?.message).toContain('(1 still running)');
    run.finishCall(copy, null);
    const [signal] = run.signals('duplicate-subcalls');
    expect(signal).toMatchObject({ costUsd: null, seen: { copiesRunning: 0, unpricedCopies: 1 } });
    expect(signal?.message).toContain('The copies cost $0.00 and 1 call of unknown price');
  });

  it('says copies answered from the first (deduplicated) cost nothing', () => {
    const run = new RecordedRun();
    const cell = run.cell(run.rlm());
    run.subCall(cell, 'Vote: is clause 4 void?');
    for (let k = 0; k < 2; k++) {
      const copy = run.subCall(cell, 'Vote: is clause 4 void?', null, { inFlight: true });
      Object.assign(run.row(copy), { cached: true, status: 'completed' });
      run.feed({ type: 'run.nodeUpdated', node: run.row(copy) });
    }
    const [signal] = run.signals('duplicate-subcalls');
    expect(signal).toMatchObject({ costUsd: 0, seen: { copies: 2, cachedCopies: 2, copiesRunning: 0, unpricedCopies: 0 } });
    expect(signal?.message).toBe('2 sub-calls repeated an earlier (model, prompt): 1 prompt sent more than once, one up to 3 times. 2 were answered from the first at no cost.');
  });

  it('stays quiet on 1,000 distinct sub-calls over 20 cells, an answer returned', () => {
    const run = new RecordedRun();
    healthyRun(run);
    expect(run.changes).toEqual([]);
  });
});

describe('RunawaySignals: sub-call explosion', () => {
  it('flags a cell far past the median of the others, with its cost', () => {
    const run = new RecordedRun();
    const root = run.rlm();
    for (let turn = 0; turn < 5; turn++) run.turn(root, `step ${turn}`, `out ${turn}`, Array.from({ length: 10 }, (_, k) => `t${turn} q${k}`));
    const wide = run.cell(root);
    for (let k = 0; k < 101; k++) run.subCall(wide, `line ${k}`, 0.002);
    const [signal] = run.signals('subcall-explosion');
    expect(signal).toMatchObject({ nodeId: wide, seen: { what: 'subcalls', count: 101, medianOfOthers: 10, threshold: 100 } });
    expect(signal?.costUsd).toBeCloseTo(0.202, 10);
    expect(signal?.message).toBe("One cell made 101 sub-calls, over 10× the median of the run's other cells (10); it has cost $0.202 so far.");
  });

  it('flags a cell that stands out only once the others have run, when they end', () => {
    const run = new RecordedRun();
    const root = run.rlm();
    const wide = run.turn(root, 'const notes = await llm_query_batched(lines)', '200 notes', Array.from({ length: 200 }, (_, k) => `line ${k}`));
    expect(run.signals()).toEqual([]);
    for (let turn = 0; turn < 3; turn++) run.turn(root, `step ${turn}`, `out ${turn}`, Array.from({ length: 10 }, (_, k) => `t${turn} q${k}`));
    expect(run.signals('subcall-explosion')[0]).toMatchObject({ nodeId: wide, seen: { count: 200, medianOfOthers: 10 } });
  });

  it('does not flag 100 sub-calls (10× the others, not more)', () => {
    const run = new RecordedRun();
    const root = run.rlm();
    for (let turn = 0; turn < 5; turn++) run.turn(root, `step ${turn}`, `out ${turn}`, Array.from({ length: 10 }, (_, k) => `t${turn} q${k}`));
    const wide = run.cell(root);
    for (let k = 0; k < 100; k++) run.subCall(wide, `line ${k}`);
    expect(run.signals()).toEqual([]);
  });

  it(`flags one cell past ${EXPLOSION_SUBCALLS} sub-calls with no others to compare, at the ${EXPLOSION_SUBCALLS + 1}st`, () => {
    const run = new RecordedRun();
    const cell = run.cell(run.rlm());
    for (let k = 0; k < EXPLOSION_SUBCALLS; k++) run.subCall(cell, `line ${k}`, 0.001);
    expect(run.signals()).toEqual([]);
    const call = run.startCall(cell, 'sub');
    const changes = run.feed({ type: 'subCall', nodeId: call, cellId: cell, rlmId: 1, model: 'gpt-sub', prompt: 'one line more' });
    run.finishCall(call, 0.001);
    expect(changes).toHaveLength(1);
    expect(changes[0]).toMatchObject({ change: 'new', signal: { kind: 'subcall-explosion', nodeId: cell, seen: { count: 501, threshold: 500, medianOfOthers: null } } });
    expect(run.signals('subcall-explosion')[0]?.message).toBe('One cell made 501 sub-calls, past 500; it has cost $0.501 so far.');
  });

  it('flags child RLMs past the threshold, at the cell that started most of them, with what they cost', () => {
    const run = new RecordedRun();
    const root = run.rlm();
    const spawner = run.cell(root);
    const other = run.cell(root);
    for (let k = 0; k < EXPLOSION_CHILD_RLMS; k++) {
      const child = run.rlm(k < 40 ? spawner : other);
      run.turnCall(child, 0.01);
    }
    expect(run.signals()).toEqual([]);
    const last = run.rlm(spawner);
    const [signal] = run.signals('subcall-explosion');
    expect(signal).toMatchObject({ nodeId: spawner, seen: { what: 'child-rlms', count: 51, threshold: 50 } });
    expect(signal?.costUsd).toBeCloseTo(0.5, 10);
    expect(signal?.message).toBe('51 child RLMs so far (41 started by one cell), past 50; they have cost $0.500.');
    // A grandchild's cost is in its parent's subtree: counted once.
    const grandchild = run.rlm(run.cell(last));
    run.turnCall(grandchild, 0.1);
    expect(run.signals('subcall-explosion')[0]?.costUsd).toBeCloseTo(0.6, 10);
    expect(run.signals('subcall-explosion')[0]?.seen).toMatchObject({ count: 52 });
  });

  it('stays quiet on one cell batching 400 chunks, and on 1,000 sub-calls over 20 cells', () => {
    const run = new RecordedRun();
    const root = run.rlm();
    run.turn(root, 'const notes = await llm_query_batched(chunks)', '400 notes', Array.from({ length: 400 }, (_, k) => `chunk ${k}`));
    run.turn(root, 'print(notes[0])', 'first note');
    expect(run.changes).toEqual([]);
    const healthy = new RecordedRun();
    healthyRun(healthy);
    expect(healthy.signals('subcall-explosion')).toEqual([]);
  });
});

describe('RunawaySignals: repetition', () => {
  it('appears at the second repeat of the same code, before the guard would stop the run, and grows', () => {
    const run = new RecordedRun();
    const root = run.rlm();
    run.turn(root, 'print(len(context))', '1000');
    const first = run.turn(root, 'search("x")', 'no match');
    run.turn(root, 'search("x")', 'no match');
    expect(run.signals()).toEqual([]);
    run.turn(root, 'search("x")', 'no match');
    const [signal] = run.signals('repetition');
    expect(signal).toMatchObject({ nodeId: first, seen: { rlmId: root, what: 'code', turns: 3 } });
    // The two repeats: each a turn call ($0.05).
    expect(signal?.costUsd).toBeCloseTo(0.1, 10);
    expect(signal?.message).toBe('The root RLM ran the same code 3 turns in a row; the turns since the first cost $0.100. The run-away guard stops the run if it goes on.');
    run.turn(root, 'search("x")', 'no match');
    expect(run.changes.at(-1)).toMatchObject({ change: 'changed', signal: { seen: { turns: 4 } } });
  });

  it('is there when the run-away guard warns the model, a turn before it stops the run', () => {
    const run = new RecordedRun();
    const root = run.rlm();
    const guard = new RunawayGuard(3);
    const verdicts: string[] = [];
    for (let k = 0; k < 4; k++) {
      run.turn(root, 'print(find("needle"))', 'None');
      const verdict = guard.observe('print(find("needle"))', 'None').action;
      verdicts.push(`${verdict}:${run.signals('repetition').length}`);
    }
    expect(verdicts).toEqual(['ok:0', 'ok:0', 'warn:1', 'stop:1']);
  });

  it('counts the same output from different code, and keeps the longest loop once broken', () => {
    const run = new RecordedRun();
    const root = run.rlm();
    for (const code of ['a()', 'b()', 'c()', 'd()']) run.turn(root, code, 'Error: not found');
    run.turn(root, 'e()', 'found it');
    for (const code of ['f()', 'g()', 'h()']) run.turn(root, code, 'same again');
    expect(run.signals('repetition')).toHaveLength(1);
    expect(run.signals('repetition')[0]?.seen).toEqual({ kind: 'repetition', rlmId: root, what: 'output', turns: 4 });
  });

  it('prices the loop by its own calls: an unpriced call before it leaves its cost known', () => {
    const run = new RecordedRun();
    const root = run.rlm();
    run.turnCall(root, null);
    for (let k = 0; k < 3; k++) run.turn(root, 'retry()', 'timeout');
    expect(run.signals('repetition')[0]?.costUsd).toBeCloseTo(0.1, 10);
    run.turnCall(root, null);
    run.turn(root, 'retry()', 'timeout');
    const [signal] = run.signals('repetition');
    expect(signal?.costUsd).toBeNull();
    expect(signal?.message).toContain('$0.150 and 1 call of unknown price');
  });

  it('keeps each RLM apart', () => {
    const run = new RecordedRun();
    const root = run.rlm();
    const child = run.rlm(run.cell(root));
    for (let k = 0; k < 3; k++) {
      run.turn(root, 'same()', `root ${k}`);
      run.turn(child, `child ${k}`, 'same');
    }
    expect(run.signals('repetition')[1]?.message).toMatch(/^A child RLM \(depth 1\) printed the same output 3 turns in a row/);
    expect(run.signals('repetition').map((s) => [s.seen.kind === 'repetition' && s.seen.rlmId, s.seen.kind === 'repetition' && s.seen.what])).toEqual([
      [root, 'code'],
      [child, 'output'],
    ]);
  });

  it('stays quiet on varied code, on silent cells, and on 1,000 sub-calls over 20 cells', () => {
    const run = new RecordedRun();
    const root = run.rlm();
    for (let k = 0; k < 30; k++) run.turn(root, `const v${k} = ${k}`, '');
    expect(run.changes).toEqual([]);
  });
});

describe('RunawaySignals: answer discarded (heuristic)', () => {
  it('flags a printed answer followed by more sub-calls without it being returned, saying it is a guess', () => {
    const run = new RecordedRun();
    const root = run.rlm();
    const found = run.turn(root, 'print(f"Answer: {best}")', 'Answer: 42');
    run.turn(root, 'check = llm_query("Is 42 right?")', 'yes', ['Is 42 right?', 'Really 42?']);
    expect(run.signals()).toEqual([]);
    run.turn(root, 'check2 = llm_query("Sure?")', 'maybe', ['Sure?']);
    const [signal] = run.signals('answer-discarded');
    expect(signal).toMatchObject({ nodeId: found, seen: { rlmId: root, candidate: '42', subCallsSince: 3, ended: 'running' } });
    // Since the answer: two turn calls ($0.05) and three sub-calls ($0.01).
    expect(signal?.costUsd).toBeCloseTo(0.13, 10);
    expect(signal?.message).toBe('Heuristic: a cell produced what looks like an answer ("42"), then the root RLM made 3 more sub-calls without returning it yet; it has spent $0.130 since.');
  });

  it('withdraws the signal when the answer is returned after all, and keeps it when another is', () => {
    const kept = new RecordedRun();
    const withdrawn = new RecordedRun();
    for (const run of [kept, withdrawn]) {
      const root = run.rlm();
      run.turn(root, 'answer = "Paris"', '');
      run.turn(root, 'more()', 'checked', ['a', 'b', 'c']);
      run.feed({ type: 'rlmAnswered', rlmId: root, answer: run === kept ? 'Lyon' : 'The capital is Paris.' });
    }
    // New at the third sub-call, changed when its cost came in, withdrawn at the answer.
    expect(withdrawn.changes.map((c) => c.change)).toEqual(['new', 'changed', 'withdrawn']);
    expect(withdrawn.signals()).toEqual([]);
    expect(kept.signals('answer-discarded')[0]?.seen).toMatchObject({ candidate: 'Paris', ended: 'other-answer' });
    expect(kept.signals('answer-discarded')[0]?.message).toContain('and returned another answer');
  });

  it('stays quiet when the answer is returned at once, and on 1,000 sub-calls over 20 cells', () => {
    const run = new RecordedRun();
    healthyRun(run);
    expect(run.signals('answer-discarded')).toEqual([]);
  });
});

describe('RunawaySignals: budget forecast', () => {
  const limits: ForecastLimits = { maxCostUsd: 1, maxTokens: null, maxIterations: 30 };

  it('says when the cost limit will be reached at the recent rate, and is withdrawn when the run stops running', () => {
    const run = new RecordedRun();
    run.rlm();
    for (let s = 0; s <= 4; s++) run.feed({ type: 'totals', totals: totalsAt(s * 0.01), at: s * 1000, limits });
    expect(run.signals()).toEqual([]); // 4 s of samples: too early to say
    run.feed({ type: 'totals', totals: totalsAt(0.1), at: 10_000, limits });
    const [signal] = run.signals('budget-forecast');
    expect(signal).toMatchObject({ nodeId: null, costUsd: 0.1, seen: { limit: 'cost', secondsLeft: 90, turnsLeft: null } });
    expect(signal?.message).toBe("At the current spend the run's cost limit ($1.00, $0.900 left) will be reached in about 90 s at $0.0100/s over the last 10 s.");
    run.feed({ type: 'run.statusChanged', status: 'paused' });
    expect(run.changes.at(-1)?.change).toBe('withdrawn');
    expect(run.signals()).toEqual([]);
    // Totals while paused, and the first seconds after, say nothing.
    run.feed({ type: 'totals', totals: totalsAt(0.2), at: 20_000, limits });
    run.feed({ type: 'run.statusChanged', status: 'running' });
    run.feed({ type: 'totals', totals: totalsAt(0.2), at: 60_000, limits });
    run.feed({ type: 'totals', totals: totalsAt(0.25), at: 62_000, limits });
    expect(run.signals()).toEqual([]);
    run.feed({ type: 'totals', totals: totalsAt(0.3), at: 70_000, limits });
    expect(run.signals('budget-forecast')[0]?.seen).toMatchObject({ secondsLeft: 70 });
    run.feed({ type: 'run.finished' });
    expect(run.signals()).toEqual([]);
  });

  it('forecasts the token limit too, and measures over the recent window only', () => {
    const run = new RecordedRun();
    const tokenLimits: ForecastLimits = { maxCostUsd: null, maxTokens: 1_000_000, maxIterations: 30 };
    // Slow for 10 minutes, then 5,000 tokens a second.
    for (let s = 0; s <= 600; s += 10) run.feed({ type: 'totals', totals: totalsAt(0, s * 10), at: s * 1000, limits: tokenLimits });
    expect(run.signals()).toEqual([]);
    for (let s = 601; s <= 640; s++) run.feed({ type: 'totals', totals: totalsAt(0, 6000 + (s - 600) * 5000), at: s * 1000, limits: tokenLimits });
    const [signal] = run.signals('budget-forecast');
    // 206,000 used, 794,000 left at 5,000/s over the last 30 s: 159 s, rounded to 160.
    expect(signal?.seen).toEqual({ kind: 'budget-forecast', limit: 'tokens', secondsLeft: 160, turnsLeft: null });
    expect(signal?.message).toContain("token limit (1.00M tokens, 794.0k tokens left) will be reached in about 160 s at 5.00k tokens/s over the last 30 s.");
    expect(run.detector.memory().samples).toBeLessThanOrEqual(66);
  });

  it('says when the cost limit comes before the root\'s iteration limit', () => {
    const run = new RecordedRun();
    const root = run.rlm();
    run.turnCall(root, 0.3);
    run.turnCall(root, 0.3);
    run.feed({ type: 'totals', totals: totalsAt(0.6), at: 1000, limits });
    const [signal] = run.signals('budget-forecast');
    expect(signal?.seen).toEqual({ kind: 'budget-forecast', limit: 'cost', secondsLeft: null, turnsLeft: 2 });
    expect(signal?.message).toBe(
      "At the current spend the run's cost limit ($1.00, $0.400 left) will be reached in about 2 more turns of the root at $0.300 a turn, before its iteration limit (2 of 30 used).",
    );
  });

  it('stays quiet without a limit, with a limit far off, and on a healthy run', () => {
    const run = new RecordedRun();
    const root = run.rlm();
    for (let s = 0; s < 100; s++) {
      run.turnCall(root, 0.001);
      run.feed({ type: 'totals', totals: totalsAt(s * 0.001), at: s * 1000, limits: { maxCostUsd: null, maxTokens: null, maxIterations: 30 } });
      run.feed({ type: 'totals', totals: totalsAt(s * 0.001), at: s * 1000 + 1, limits: { maxCostUsd: 100, maxTokens: null, maxIterations: 1000 } });
    }
    expect(run.changes).toEqual([]);
  });
});

describe('RunawaySignals: incremental, bounded', () => {
  it('returns only the signals an event made new or changed, and nothing for an event that changed none', () => {
    const run = new RecordedRun();
    const cell = run.cell(run.rlm());
    run.subCall(cell, 'p');
    const before = run.changes.length;
    const copy = run.startCall(cell, 'sub');
    const sent = run.feed({ type: 'subCall', nodeId: copy, cellId: cell, rlmId: 1, model: 'gpt-sub', prompt: [{ role: 'user', content: 'p' }] });
    expect(sent.map((c) => [c.change, c.signal.kind])).toEqual([['new', 'duplicate-subcalls']]);
    // An ancestor's row announced again with nothing new for any signal.
    expect(run.feed({ type: 'run.nodeUpdated', node: run.row(cell) })).toEqual([]);
    run.finishCall(copy, 0.02);
    expect(run.changes.slice(before + 1).map((c) => c.change)).toEqual(['changed']);
    expect(run.signals()).toHaveLength(1);
  });

  it('takes events about nodes it never saw, and a clock that goes back, without a false signal', () => {
    const run = new RecordedRun();
    const orphan = { ...run.row(run.cell(run.rlm())), id: 999, parentId: 998 };
    expect(run.feed({ type: 'run.nodeUpdated', node: { ...orphan, kind: 'rlm' } })).toEqual([]);
    expect(run.feed({ type: 'run.nodeUpdated', node: { ...orphan, kind: 'llm', status: 'completed', costUsd: 1 } })).toEqual([]);
    expect(run.feed({ type: 'rlmAnswered', rlmId: 997, answer: null })).toEqual([]);
    expect(run.feed({ type: 'cell', nodeId: 996, rlmId: 995, code: 'answer = "x"', output: 'Answer: x' })).toEqual([]);
    // A sub-call whose cell row never came is still counted, under that cell.
    expect(run.feed({ type: 'subCall', nodeId: 1000, cellId: 994, rlmId: 1, model: 'm', prompt: 'p' })).toEqual([]);
    const limits: ForecastLimits = { maxCostUsd: 1, maxTokens: 1000, maxIterations: 30 };
    for (const at of [50_000, 40_000, 30_000, 10_000]) run.feed({ type: 'totals', totals: totalsAt((60_000 - at) / 100_000, 60_000 - at), at, limits });
    expect(run.signals()).toEqual([]);
  });

  it('handles 100,000 sub-calls keeping hashes and per-cell counts, not prompts or calls', () => {
    const run = new RecordedRun({ maxPromptKeys: 50_000 });
    const root = run.rlm();
    const cells = Array.from({ length: 20 }, () => run.cell(root));
    const longPrompt = 'Summarise this part of the filing. '.repeat(100);
    for (let k = 0; k < 100_000; k++) {
      // Every fifth call repeats an earlier prompt; the rest are new.
      const prompt = k % 5 === 4 ? `${longPrompt} ${k - 4}` : `${longPrompt} ${k}`;
      run.subCall(cells[k % 20] as number, prompt, 0.0001);
      if (k % 100 === 0) run.feed({ type: 'totals', totals: totalsAt(k * 0.0001), at: k, limits: { maxCostUsd: 1000, maxTokens: null, maxIterations: 30 } });
    }
    const memory = run.detector.memory();
    expect(memory).toMatchObject({ promptKeys: 50_000, runningCopies: 0, cells: 20, rlms: 1, childRlms: 0 });
    expect(memory.samples).toBeLessThanOrEqual(66);
    // Repeats of prompts still remembered are counted (the first 62,500 calls hold the 50,000 kept).
    const duplicates = run.signals('duplicate-subcalls')[0]?.seen;
    expect(duplicates?.kind === 'duplicate-subcalls' && duplicates.copies).toBe(12_500);
    // 5,000 sub-calls in each of 20 cells: past the absolute threshold, each flagged once.
    expect(run.signals('subcall-explosion')).toHaveLength(20);
  }, 120_000);
});
