// The comparison core on hand-built trees: alignment by structure, and the first divergence
// named at the step that caused it, not at what changed because of it.
import { describe, expect, it } from 'vitest';
import { emptySubtree, type NodeRow } from '../../shared/domain/node';
import { compareRuns, KEY_BATCH, type ComparedRun, type FieldKeys, type PayloadField, type Side } from './compareRuns';

type Values = Partial<Record<PayloadField, string>>;

/** A run built by hand: each node gets the next id and a clock one tick later than the previous one. */
class Run {
  readonly nodes: NodeRow[] = [];
  readonly values = new Map<number, Values>();
  private clock = 0;
  private readonly seqs = new Map<number | null, number>();

  constructor(readonly runId: string, readonly totals: Partial<ComparedRun['run']> = {}) {}

  private add(parent: number | null, kind: NodeRow['kind'], purpose: NodeRow['purpose'], values: Values): number {
    const id = this.nodes.length + 1;
    const seq = this.seqs.get(parent) ?? 0;
    this.seqs.set(parent, seq + 1);
    const startedAt = 1_000 + this.clock++;
    this.nodes.push({
      id, parentId: parent, kind, depth: 0, seq, status: 'completed', startedAt, endedAt: startedAt, label: '', model: null, purpose,
      inputTokens: null, outputTokens: null, cachedTokens: null, costUsd: null, usageEstimated: false, subtree: emptySubtree(),
    });
    this.values.set(id, values);
    return id;
  }

  rlm(query: string, parent: number | null = null, answer?: string): number {
    return this.add(parent, 'rlm', null, { query, ...(answer === undefined ? {} : { answer }) });
  }
  turn(rlm: number, text: string): number {
    return this.add(rlm, 'llm', 'turn', { text });
  }
  cell(rlm: number, code: string, output = ''): number {
    return this.add(rlm, 'cell', null, { code, output });
  }
  sub(cell: number, prompt: string, text: string): number {
    return this.add(cell, 'llm', 'sub', { prompt, text });
  }
  /** Ends a node later: a cell's end comes after the sub-calls it waited for. */
  end(id: number): void {
    (this.nodes[id - 1] as NodeRow).endedAt = 1_000 + this.clock++;
  }

  compared(): ComparedRun {
    return { run: { runId: this.runId, costUsd: 0.01, inputTokens: 100, outputTokens: 10, modelCalls: 2, durationMs: 500, ...this.totals }, nodes: this.nodes };
  }
}

function compare(a: Run, b: Run) {
  const reads: { side: Side; ids: readonly number[] }[] = [];
  const result = compareRuns(a.compared(), b.compared(), (side, ids) => {
    reads.push({ side, ids });
    const run = side === 'a' ? a : b;
    return new Map(ids.map((id) => [id, (run.values.get(id) ?? {}) as FieldKeys]));
  });
  return { ...result, reads };
}

/** The same three-turn run: turn 1 writes a cell with a sub-call, turn 2 another cell, turn 3 answers. */
function threeTurns(runId: string, replies: { turn2?: string; subAnswer?: string; cell2Output?: string } = {}): Run {
  const run = new Run(runId);
  const root = run.rlm('How many?', null, replies.cell2Output ?? 'four');
  run.turn(root, 'reply 1');
  const cell = run.cell(root, 'const n = await llm_query("count")', replies.subAnswer ? `got ${replies.subAnswer}` : 'got 4');
  run.sub(cell, 'count', replies.subAnswer ?? '4');
  run.end(cell);
  run.turn(root, replies.turn2 ?? 'reply 2');
  run.cell(root, 'print(n)', replies.cell2Output ?? '4');
  run.turn(root, 'FINAL(four)');
  return run;
}

describe('compareRuns', () => {
  it('finds no divergence between identical runs, every node paired with its twin', () => {
    const result = compare(threeTurns('r-a'), threeTurns('r-b'));
    expect(result.firstDivergence).toBeNull();
    expect(result.pairs).toHaveLength(7);
    expect(result.pairs.every((p) => p.same && p.a === p.b)).toBe(true);
    expect(result.pairs.map((p) => p.a)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(result).toMatchObject({ a: 'r-a', b: 'r-b', delta: { costUsd: 0, inputTokens: 0, outputTokens: 0, modelCalls: 0, durationMs: 0 } });
  });

  it('names a reply changed at turn 2, not the cell after it or the root RLM whose answer changed because of it', () => {
    const result = compare(threeTurns('r-a'), threeTurns('r-b', { turn2: 'reply 2, differently', cell2Output: '5' }));
    expect(result.firstDivergence).toEqual({ a: 5, b: 5, field: 'text' });
    const differ = result.pairs.filter((p) => !p.same).map((p) => p.a);
    // The root (answer), turn 2 (text) and its cell (output) differ; turns 1 and 3 do not.
    expect(differ).toEqual([1, 5, 6]);
  });

  it('names a cell missing on one side, and keeps the later steps aligned', () => {
    const a = threeTurns('r-a');
    const b = new Run('r-b');
    const root = b.rlm('How many?', null, 'four');
    b.turn(root, 'reply 1');
    const cell = b.cell(root, 'const n = await llm_query("count")', 'got 4');
    b.sub(cell, 'count', '4');
    b.end(cell);
    b.turn(root, 'reply 2');
    // No second cell.
    b.turn(root, 'FINAL(four)');
    const result = compare(a, b);
    expect(result.firstDivergence).toEqual({ a: 6, b: null, field: 'node' });
    expect(result.pairs).toContainEqual({ a: 6, b: null, same: false });
    // Turn 3 is still paired with turn 3.
    expect(result.pairs).toContainEqual({ a: 7, b: 6, same: true });
  });

  it('aligns sub-calls by prompt when they finished in another order, and equal prompts in order', () => {
    const make = (runId: string, order: [string, string][]) => {
      const run = new Run(runId);
      const root = run.rlm('q', null, 'a');
      run.turn(root, 'batch');
      const cell = run.cell(root, 'await llm_query_batched(...)', 'ok');
      for (const [prompt, text] of order) run.sub(cell, prompt, text);
      return run;
    };
    const a = make('r-a', [['x', 'X'], ['y', 'Y'], ['z', 'Z1'], ['z', 'Z2']]);
    const b = make('r-b', [['z', 'Z1'], ['y', 'Y'], ['x', 'X'], ['z', 'Z2']]);
    const result = compare(a, b);
    expect(result.firstDivergence).toBeNull();
    const byA = new Map(result.pairs.map((p) => [p.a, p.b]));
    expect([byA.get(4), byA.get(5), byA.get(6), byA.get(7)]).toEqual([6, 5, 4, 7]);
  });

  it('names a sub-call whose answer changed before the cell whose output changed because of it', () => {
    const result = compare(threeTurns('r-a'), threeTurns('r-b', { subAnswer: '5' }));
    expect(result.firstDivergence).toEqual({ a: 4, b: 4, field: 'text' });
  });

  it('names a sub-call with a prompt the other run never sent as present on one side only', () => {
    const a = threeTurns('r-a');
    const b = threeTurns('r-b');
    b.values.set(4, { prompt: 'count again', text: '4' });
    const result = compare(a, b);
    // Turn 1's reply, the cell's code and output are the same; the prompt is what differs.
    expect(result.firstDivergence).toEqual({ a: 4, b: null, field: 'node' });
    expect(result.pairs).toContainEqual({ a: null, b: 4, same: false });
  });

  it('names a child RLM\'s step, not the child or its parent cell', () => {
    const make = (runId: string, childReply: string) => {
      const run = new Run(runId);
      const root = run.rlm('q', null, childReply);
      run.turn(root, 'reply 1');
      const cell = run.cell(root, 'await rlm_query("sub question")', childReply);
      const child = run.rlm('sub question', cell, childReply);
      run.turn(child, childReply);
      run.end(child);
      run.end(cell);
      return run;
    };
    const result = compare(make('r-a', 'FINAL(1)'), make('r-b', 'FINAL(2)'));
    expect(result.firstDivergence).toEqual({ a: 5, b: 5, field: 'text' });
  });

  it('names an RLM\'s answer only when none of its steps differ', () => {
    const a = threeTurns('r-a');
    const b = threeTurns('r-b');
    b.values.set(1, { query: 'How many?', answer: 'five' });
    expect(compare(a, b).firstDivergence).toEqual({ a: 1, b: 1, field: 'answer' });
  });

  it('compares an imported run (python cells) with itself as the same', () => {
    const run = new Run('imported');
    const root = run.rlm('q', null, 'random_number');
    run.turn(root, '```repl\nimport random\n```');
    run.cell(root, 'import random\nprint(random.random())', '0.42');
    expect(compare(run, run).firstDivergence).toBeNull();
  });

  it('reads payloads only of nodes aligned on both sides, in batches', () => {
    const a = new Run('r-a');
    const b = new Run('r-b');
    const rootA = a.rlm('q');
    const rootB = b.rlm('q');
    const cellA = a.cell(rootA, 'many');
    const cellB = b.cell(rootB, 'many');
    for (let i = 0; i < KEY_BATCH + 10; i++) {
      a.sub(cellA, `p${i}`, 'same');
      b.sub(cellB, `p${i}`, 'same');
    }
    a.turn(rootA, 'only in a');
    const { reads, firstDivergence } = compare(a, b);
    expect(firstDivergence).toEqual({ a: KEY_BATCH + 13, b: null, field: 'node' });
    for (const read of reads) expect(read.ids.length).toBeLessThanOrEqual(KEY_BATCH);
    const readA = reads.filter((r) => r.side === 'a').flatMap((r) => r.ids);
    expect(readA).not.toContain(KEY_BATCH + 13);
    // Every aligned node once: the sub-calls' prompts and values in one read.
    expect(new Set(readA).size).toBe(readA.length);
    expect(readA).toHaveLength(KEY_BATCH + 12);
  });

  it('gives the deltas as b minus a, with an unknown cost or an unended run as null', () => {
    const a = new Run('r-a', { costUsd: 0.5, inputTokens: 100, outputTokens: 10, modelCalls: 3, durationMs: 1_000 });
    const b = new Run('r-b', { costUsd: 0.75, inputTokens: 150, outputTokens: 5, modelCalls: 4, durationMs: 800 });
    a.rlm('q');
    b.rlm('q');
    expect(compare(a, b).delta).toEqual({ costUsd: 0.25, inputTokens: 50, outputTokens: -5, modelCalls: 1, durationMs: -200 });
    const unknown = compare(new Run('x', { costUsd: null }), new Run('y', { durationMs: null })).delta;
    expect(unknown).toMatchObject({ costUsd: null, durationMs: null });
  });

  it('aligns a chain of 100,000 nested RLMs without overflowing the stack', () => {
    const a = new Run('deep');
    let parent: number | null = null;
    for (let i = 0; i < 50_000; i++) {
      const rlm = a.rlm('q', parent);
      parent = a.cell(rlm, 'down');
    }
    const result = compare(a, a);
    expect(result.pairs).toHaveLength(100_000);
    expect(result.firstDivergence).toBeNull();
  });
});
