// `npm run bench [-- --json] [-- --only scan,load]`: measures every figure in one run, each
// against a baseline measured in the same run and against its goal, and prints them as a table
// (or as JSON with --json). A figure over its goal is reported, not failed: only a crash exits
// non-zero. Budgets live here, as ratios measured together, never as timed unit tests.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { benchBatched } from './batched';
import { benchCommits } from './commits';
import { benchExport } from './exportRun';
import { benchImport } from './importLog';
import { benchLoad } from './load';
import { writeLogFile, type LogFile } from './logFile';
import { MB, collectGarbage } from './measure';
import { benchReplay } from './replay';
import { renderTable, toJson, type Figure } from './report';
import { benchScan } from './scan';
import { benchTurns } from './turns';
import { benchUi } from './ui';
import { benchUpload } from './upload';
import { benchRunMemory } from './runMemory';

const BENCHMARKS = ['load', 'scan', 'batched', 'turns', 'commits', 'import', 'export', 'replay', 'ui', 'upload', 'memory'] as const;
type BenchmarkName = (typeof BENCHMARKS)[number];

interface Inputs {
  dir: string;
  /** --size-mb in bytes: the large inputs' size. */
  sizeBytes: number;
  /** The large log, written once for the benchmarks that read it. */
  log: () => LogFile;
}

const run: Record<BenchmarkName, (inputs: Inputs) => Promise<Figure[]> | Figure[]> = {
  load: ({ log }) => benchLoad(log()),
  scan: ({ log }) => benchScan(log()),
  batched: ({ dir }) => benchBatched(dir),
  turns: ({ dir }) => benchTurns(dir),
  commits: ({ dir }) => benchCommits(dir),
  import: ({ dir, sizeBytes }) => benchImport(dir, sizeBytes),
  export: ({ dir }) => benchExport(dir),
  replay: ({ dir }) => benchReplay(dir),
  ui: ({ dir }) => benchUi(dir),
  upload: ({ dir }) => benchUpload(dir),
  memory: ({ dir }) => benchRunMemory(dir),
};

const program = new Command('bench')
  .description('Measure RLMScope against its performance budgets')
  .option('--json', 'print the figures as JSON on stdout (the table goes to stderr)')
  .addOption(new Option('--only <names>', `comma-separated subset of ${BENCHMARKS.join(',')}`).argParser(parseNames))
  .option('--size-mb <n>', 'size of the large input in MB (2^20 bytes)', (v) => Number.parseInt(v, 10), 100);

function parseNames(value: string): BenchmarkName[] {
  const names = value.split(',').map((n) => n.trim());
  for (const name of names) {
    if (!(BENCHMARKS as readonly string[]).includes(name)) throw new InvalidArgumentError(`pick from ${BENCHMARKS.join(', ')}`);
  }
  return names as BenchmarkName[];
}

/**
 * The sandbox benchmarks fork out/main/sandbox.js and the UI benchmark serves out/renderer: the
 * e2e tests' global set-up builds both when missing or older than src/. It runs in a child whose
 * stdout is our stderr, so a build's log never mixes with --json on stdout.
 */
function buildIfStale(): void {
  const setup = 'require("./e2e/global-setup.ts").default()';
  const result = spawnSync(process.execPath, ['--import', 'tsx', '-e', setup], { cwd: join(__dirname, '..'), stdio: ['ignore', 2, 2] });
  if (result.status !== 0) throw new Error('building out/main failed');
}

function progress(text: string): void {
  process.stderr.write(text);
}

async function main(): Promise<void> {
  const options = program.parse().opts<{ json?: boolean; only?: BenchmarkName[]; sizeMb: number }>();
  buildIfStale();
  const dir = mkdtempSync(join(tmpdir(), 'rlmscope-bench-'));
  const cleanUp = () => rmSync(dir, { recursive: true, force: true });
  // Sandbox processes exit on their own when their parent goes (parentPort.ts); the files do not.
  process.once('SIGINT', () => {
    cleanUp();
    process.exit(130);
  });
  let log: LogFile | null = null;
  const inputs: Inputs = {
    dir,
    sizeBytes: options.sizeMb * MB,
    log: () => (log ??= writeLogFile(join(dir, 'log.txt'), options.sizeMb * MB)),
  };
  const figures: Figure[] = [];
  const started = performance.now();
  try {
    for (const name of options.only ?? BENCHMARKS) {
      progress(`${name}… `);
      const t = performance.now();
      collectGarbage();
      figures.push(...(await run[name](inputs)));
      progress(`${((performance.now() - t) / 1000).toFixed(1)} s\n`);
    }
  } finally {
    cleanUp();
  }
  const totalS = (performance.now() - started) / 1000;
  const table = `${renderTable(figures)}\n\n${figures.length} figures in ${totalS.toFixed(0)} s · Node ${process.versions.node} · ${cpus().length} cores`;
  if (options.json) {
    process.stderr.write(`${table}\n`);
    process.stdout.write(`${toJson(figures, { node: process.versions.node, cores: cpus().length, platform: process.platform, seconds: totalS })}\n`);
  } else {
    process.stdout.write(`\n${table}\n`);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`\nbench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
