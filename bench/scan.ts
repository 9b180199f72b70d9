// Scanning a large `context` in the sandbox against the same scan in plain Node: the same code,
// over the same kind of string (one-byte, read from the same file the same way).
import { closeSync, openSync, readFileSync } from 'node:fs';
import type { Sandbox } from '../src/main/sandbox/host/sandbox';
import { NEEDLE_REGEX, NEEDLE_TEXT, type LogFile } from './logFile';
import { MB, collectGarbage, median } from './measure';
import { figure, type Figure } from './report';
import { fileContext, startSandbox } from './sandboxes';

const SAMPLES = 9;
/** Each sample repeats the operation until it lasts about this long, so a sample's whole-ms timer is exact to <1%. */
const SAMPLE_MS = 100;

interface Operation {
  id: string;
  name: string;
  /** One statement setting `r` to the offset found. */
  statement: string;
  expected: (file: LogFile) => number;
}

const OPERATIONS: Operation[] = [
  { id: 'scan.regex', name: 'regex', statement: `r = ${NEEDLE_REGEX}.exec(context).index;`, expected: (f) => f.fatalAt },
  { id: 'scan.indexOf', name: 'indexOf', statement: `r = context.indexOf(${JSON.stringify(NEEDLE_TEXT)});`, expected: (f) => f.needleAt },
];

/** The body both sides run: `context` and the repeat count `R` are parameters in both. */
function body(op: Operation): string {
  return `let r = -1; for (let i = 0; i < R; i++) { ${op.statement} } return r;`;
}

/**
 * One timed run in the sandbox: the sandbox has no `performance`, so it is the cell's own work
 * time ÷ R. The function is defined once (by the warm-up) and called by every sample, as the
 * host's is: each sample's cell is one call, not a new function to compile and tier up.
 */
async function sandboxRun(sandbox: Sandbox, op: Operation, repeat: number, expected: number): Promise<number> {
  const call = `scan_${op.name}(context, ${repeat})`;
  const result = await sandbox.runCell(repeat === 1 && !defined.has(op.name) ? `function scan_${op.name}(context, R) { ${body(op)} }\n${call}` : call);
  defined.add(op.name);
  if (result.error || Number(result.output.trim()) !== expected) {
    throw new Error(`the sandbox ${op.name} found ${result.output.trim() || result.error}, expected ${expected}`);
  }
  return result.workMs / repeat;
}

const defined = new Set<string>();

/** One timed run of the same function in the bench process. */
function hostRun(run: (context: string, repeat: number) => number, text: string, op: Operation, repeat: number, expected: number): number {
  const started = performance.now();
  const found = run(text, repeat);
  const ms = performance.now() - started;
  if (found !== expected) throw new Error(`the host ${op.name} found ${found}, expected ${expected}`);
  return ms / repeat;
}

export async function benchScan(file: LogFile): Promise<Figure[]> {
  // The host's copy of the text, read exactly as the sandbox's context loader reads it.
  const fd = openSync(file.path, 'r');
  const text = readFileSync(fd).toString('utf8');
  closeSync(fd);
  // The Buffer it was decoded from is garbage now: collected here rather than during a sample.
  collectGarbage();
  const sandbox = await startSandbox(fileContext(file.path));
  try {
    const figures: Figure[] = [];
    for (const op of OPERATIONS) {
      const expected = op.expected(file);
      const run = new Function('context', 'R', body(op)) as (context: string, repeat: number) => number;
      // Warm-up on both sides (regexp tier-up, inline caches); it also sizes R.
      await sandboxRun(sandbox, op, 1, expected);
      const once = Math.min(hostRun(run, text, op, 1, expected), hostRun(run, text, op, 1, expected));
      const repeat = Math.max(1, Math.min(50, Math.ceil(SAMPLE_MS / once)));
      // Interleaved, so a machine that slows down for a while slows both sides alike.
      const host: number[] = [];
      const inSandbox: number[] = [];
      for (let i = 0; i < SAMPLES; i++) {
        host.push(hostRun(run, text, op, repeat, expected));
        inSandbox.push(await sandboxRun(sandbox, op, repeat, expected));
      }
      figures.push(
        figure({
          id: op.id,
          title: `${op.name} over ${Math.round(file.bytes / MB)} MB context`,
          unit: 'ms',
          value: median(inSandbox),
          baseline: median(host),
          baselineName: 'plain Node',
          goal: { on: 'ratio', op: '<=', target: 1.2 },
          note:
            `median of ${SAMPLES} interleaved samples of ${repeat} runs each after a warm-up, match at 99% of the ` +
            `string; sandbox: the cell's workMs ÷ ${repeat}; host: performance.now() around the same function.`,
        }),
      );
    }
    return figures;
  } finally {
    sandbox.dispose();
  }
}
