// A native run (real service, sandbox and fake provider) exported in the reference library's
// format and read back by our importer of that format: the same tree.
import { PassThrough } from 'node:stream';
import type Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChatMessage, NodeRow } from '../../../shared/domain/node';
import { openDatabase } from '../../store/database';
import { RunReader } from '../../store/runReader';
import { CHILD_QUERY, makeSampleRun } from '../../testing/sampleRun';
import type { Harness } from '../../testing/serviceHarness';
import { exportSourceFor } from '../exportSource';
import { readRlmsLog, type ImportedNode } from '../rlmsLog';
import { writeRlmsLog } from './index';

let harness: Harness;
let runId: string;
let db: Database.Database;
let text: string;

beforeAll(async () => {
  ({ harness, runId } = await makeSampleRun());
  db = openDatabase(harness.dbPath, { readonly: true });
  const out = new PassThrough();
  const parts: Buffer[] = [];
  out.on('data', (part: Buffer) => parts.push(part));
  await writeRlmsLog(exportSourceFor(db), runId, out);
  text = Buffer.concat(parts).toString('utf8');
}, 60_000);

afterAll(async () => {
  db?.close();
  await harness?.close();
});

/** The shape both trees must share: turns, cells per turn, and per cell its calls and children. */
interface Shape {
  answer: string | null;
  turns: { cells: { status: string; subCalls: string[]; children: Shape[] }[] }[];
}

interface Generic {
  kind: string;
  purpose: string | null;
  status: string;
  children: Generic[];
  answer: string | null;
}

function shape(rlm: Generic): Shape {
  const turns: Shape['turns'] = [];
  for (const child of rlm.children) {
    if (child.kind === 'llm' && child.purpose === 'turn') turns.push({ cells: [] });
    else if (child.kind === 'cell') {
      turns.at(-1)!.cells.push({
        status: child.status,
        subCalls: child.children.filter((c) => c.kind === 'llm').map((c) => c.status),
        children: child.children.filter((c) => c.kind === 'rlm').map(shape),
      });
    }
  }
  return { answer: rlm.answer, turns };
}

function nativeTree(reader: RunReader, id: string): Generic {
  const nodes = reader.getNodes(id);
  const build = (node: NodeRow): Generic => ({
    kind: node.kind,
    purpose: node.purpose,
    status: node.status,
    answer: node.kind === 'rlm' ? (reader.getPayload(id, node.id)?.answer ?? null) : null,
    children: nodes.filter((n) => n.parentId === node.id).sort((a, b) => a.seq - b.seq).map(build),
  });
  return build(nodes.find((n) => n.parentId === null)!);
}

function importedTree(node: ImportedNode): Generic {
  return { kind: node.kind, purpose: node.purpose, status: node.status, answer: node.kind === 'rlm' ? (node.payload.answer ?? null) : null, children: node.children.map(importedTree) };
}

describe('an rlms export of a native run', () => {
  it('reads back through the rlms importer with the same tree: turns, cells, sub-calls, children and answers', async () => {
    const reader = new RunReader(db);
    const expected = shape(nativeTree(reader, runId));
    // What the sample run is, so the comparison cannot pass on an empty tree.
    expect(expected.turns.map((t) => t.cells.length)).toEqual([2, 1, 1]);
    expect(expected.turns[0]!.cells[1]!.subCalls).toEqual(['completed', 'failed']);
    expect(expected.turns[1]!.cells[0]!.status).toBe('failed');
    expect(expected.turns[2]!.cells[0]!.children).toEqual([{ answer: 'a part', turns: [{ cells: [{ status: 'completed', subCalls: ['completed'], children: [] }] }, { cells: [] }] }]);

    async function* chunks() {
      yield Buffer.from(text, 'utf8');
    }
    const imported = await readRlmsLog(chunks());
    expect(imported.warnings).toEqual([]);
    expect(imported.runs).toHaveLength(1);
    const run = imported.runs[0]!;
    expect(shape(importedTree(run.root))).toEqual(expected);
    expect(run).toMatchObject({ answer: 'child said a part', status: 'completed' });
    expect(run.totals).toMatchObject({ iterations: 3, codeBlocks: 5, subCalls: 3, childRlms: 1, failedCalls: 1, maxDepthReached: 1 });
    expect(run.settings).toMatchObject({ rootModel: 'root-model', maxDepth: 1, maxIterations: 30 });

    // The child's query and the failed sub-call's error come through as they were.
    const cells = run.root.children.filter((c) => c.kind === 'cell');
    expect(cells[3]!.children[0]!.payload.query).toBe(CHILD_QUERY);
    expect(cells[1]!.children[1]!.payload.error).toBe('400 from sub-model: bad sub request');
    expect(cells[2]!.payload.error).toMatch(/^Error: boom/);

    // Each turn's messages as they were sent: the library logs the whole list, our importer
    // takes each turn's new part back out of it.
    const turns = reader.getNodes(runId).filter((n) => n.parentId === 1 && n.purpose === 'turn');
    const sent = turns.map((t) => reader.getPayload(runId, t.id)?.prompt ?? []);
    const importedTurns = run.root.children.filter((c) => c.purpose === 'turn');
    const firstSent: ChatMessage[] = [...(run.root.payload.messages ?? []), ...(importedTurns[0]!.payload.prompt ?? [])];
    expect(firstSent).toEqual(sent[0]);
    expect(importedTurns.slice(1).map((t) => t.payload.prompt)).toEqual(sent.slice(1));
  });

  it('is one metadata record and one iteration record per root turn, as the library writes them', () => {
    const records = text.trimEnd().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(records.map((r) => r['type'])).toEqual(['metadata', 'iteration', 'iteration', 'iteration']);
    expect(records.slice(1).map((r) => r['iteration'])).toEqual([1, 2, 3]);
    expect(records[0]).toMatchObject({ root_model: 'root-model', max_depth: 1, max_iterations: 30, timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$/) });
    expect(records.map((r) => r['final_answer'])).toEqual([undefined, null, null, 'child said a part']);
    const block = (records[1]!['code_blocks'] as Record<string, unknown>[])[1]!;
    expect(Object.keys(block['result'] as object).sort()).toEqual(['execution_time', 'final_answer', 'locals', 'rlm_calls', 'stderr', 'stdout']);
    expect(text).not.toContain('test-key');
  });
});
