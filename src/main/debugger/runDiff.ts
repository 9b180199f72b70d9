// Two stored runs compared: the store's side of compareRuns. Reads only (RunReader), so `diff`
// works on a database opened read-only; payloads are read in batches and only for nodes aligned
// on both sides, and their values reach the comparison as short equality keys, never whole.
// Whole bodies parsed here rather than fields extracted by SQLite: json_extract parsed a body
// once per field and was twice as slow over 100,000 nodes.
import { createHash } from 'node:crypto';
import type { RunComparison } from '../../shared/domain/comparison';
import type { NodeRow } from '../../shared/domain/node';
import type { RunDetail } from '../../shared/domain/run';
import { RlmError } from '../../shared/errors';
import { parseReply } from '../engine/replyParser';
import type { RunReader } from '../store/runReader';
import { compareRuns, type FieldKeys, type PayloadField, type Side } from './compareRuns';

export interface RunDiff {
  comparison: RunComparison;
  runs: Record<Side, RunDetail>;
  nodes: Record<Side, NodeRow[]>;
}

export function diffRuns(reader: Pick<RunReader, 'getRun' | 'getNodes' | 'getPayloads'>, runA: string, runB: string): RunDiff {
  const runs = { a: readRun(reader, runA), b: readRun(reader, runB) };
  const nodes = { a: reader.getNodes(runA), b: reader.getNodes(runB) };
  const ids = { a: runA, b: runB };
  const comparison = compareRuns({ run: runs.a, nodes: nodes.a }, { run: runs.b, nodes: nodes.b }, (side, batch) => {
    const keys = new Map<number, FieldKeys>();
    for (const [id, payload] of reader.getPayloads(ids[side], batch)) {
      const fields: FieldKeys = {};
      for (const field of FIELDS) {
        const value: unknown = payload[field];
        const key = keyOf(typeof value === 'string' || value === undefined || value === null ? value : JSON.stringify(value));
        if (key !== undefined) fields[field] = key;
      }
      // A reply's text outside its runnable code: equal when two replies differ only in code that ran as cells.
      // A fork's reply rewritten by an edit of a cell's code: that cell, not the reply, is the
      // branch point when the replies are the same outside their code (compareRuns.ts).
      // (Only a reply with a fence can hold code: ``` or ~~~.)
      if (typeof payload.text === 'string' && (payload.text.includes('```') || payload.text.includes('~~~'))) fields.prose = keyOf(proseOf(payload.text));
      if (payload.forkEdit?.codeOf !== undefined) fields.codeEdit = keyOf(String(payload.forkEdit.codeOf));
      keys.set(id, fields);
    }
    return keys;
  });
  return { comparison, runs, nodes };
}

function readRun(reader: Pick<RunReader, 'getRun'>, runId: string): RunDetail {
  const run = reader.getRun(runId);
  if (!run) throw new RlmError('NOT_FOUND', `no run ${runId}`);
  return run;
}

/** Values up to this many characters are their own key; longer ones are keyed by length and hash, so memory stays small. */
const SHORT_VALUE_CHARS = 64;

const FIELDS: ReadonlyArray<Exclude<PayloadField, 'prose' | 'codeEdit'>> = ['text', 'code', 'output', 'error', 'query', 'answer', 'prompt'];

function keyOf(value: string | null | undefined): string | undefined {
  if (value === null || value === undefined) return undefined;
  return value.length <= SHORT_VALUE_CHARS ? `=${value}` : `#${value.length}:${digest(value)}`;
}

/** A reply with each runnable block's code left out (the fences and the count of blocks kept). */
function proseOf(text: string): string {
  const reply = parseReply(text);
  return JSON.stringify([reply.prose, reply.runnable.length, reply.other, reply.ignoredChars]);
}

function digest(text: string): string {
  return createHash('sha256').update(text).digest('base64');
}
