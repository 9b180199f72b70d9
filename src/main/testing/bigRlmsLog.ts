// Large logs of the reference library written to disk a record at a time (never held whole), for
// the memory test of the import and for `npm run bench`: runs of the library's shape, appended to
// one file under one metadata record, until the file reaches the size asked for.
import { closeSync, openSync, writeSync } from 'node:fs';
import { block, iteration, metadata, subCall } from './rlmsLogs';

export interface BigLogShape {
  /** Stop after the run that takes the file past this many bytes. */
  targetBytes: number;
  turnsPerRun: number;
  /** The REPL's `context` variable, logged in every code block's `locals` (the import drops it). */
  contextChars: number;
  /** Each cell's stdout: what the import keeps, so what one run costs in memory. */
  stdoutChars: number;
  /** `llm_query` sub-calls made by each cell. */
  subCallsPerCell: number;
}

export interface BigLog {
  path: string;
  bytes: number;
  runs: number;
  turnsPerRun: number;
}

/** Text of `chars` characters, different for every `seed` (so no two cells share their output). */
function filler(chars: number, seed: number): string {
  const words = ['ledger', 'north', 'south', 'revenue', 'Q3', 'total', 'region', 'item', 'shows', 'for'];
  const line = `${seed}: ${Array.from({ length: 12 }, (_, i) => words[(seed + i * 7) % words.length]).join(' ')}\n`;
  return line.repeat(Math.ceil(chars / line.length)).slice(0, chars);
}

export function writeBigLog(path: string, shape: BigLogShape): BigLog {
  const fd = openSync(path, 'w');
  let bytes = 0;
  let runs = 0;
  const write = (record: unknown) => {
    bytes += writeSync(fd, `${JSON.stringify(record)}\n`);
  };
  try {
    write(metadata({ max_iterations: shape.turnsPerRun + 5 }));
    const context = filler(shape.contextChars, 0);
    while (bytes < shape.targetBytes) {
      // The whole conversation is logged again in every record, as the library does (its growth
      // is what makes these logs large); REPL output goes into it cut, as the library cuts it.
      const prompt = [
        { role: 'system', content: `You are an RLM. ${filler(2000, 1)}` },
        { role: 'user', content: `Your context is a str of ${shape.contextChars} total characters.` },
      ];
      for (let turn = 1; turn <= shape.turnsPerRun; turn++) {
        const seed = runs * 1000 + turn;
        prompt.push({ role: 'user', content: `Run ${runs}, turn ${turn}/${shape.turnsPerRun}:` });
        const stdout = filler(shape.stdoutChars, seed);
        const calls = Array.from({ length: shape.subCallsPerCell }, (_, i) => subCall(`Summarise part ${i} of run ${runs}`, filler(300, seed + i)));
        const code = block({ code: `parts = chunk(context)\nprint(summarise(parts[${turn}]))`, stdout, calls });
        (code['result'] as Record<string, unknown>)['locals'] = { context, parts_count: turn };
        const last = turn === shape.turnsPerRun;
        const record = iteration(turn, { prompt, code_blocks: [code], final_answer: last ? `answer of run ${runs}` : null });
        write(record);
        prompt.push({ role: 'assistant', content: String(record['response']) }, { role: 'user', content: `REPL output:\n${stdout.slice(0, 1000)}` });
      }
      runs++;
    }
  } finally {
    closeSync(fd);
  }
  return { path, bytes, runs, turnsPerRun: shape.turnsPerRun };
}
