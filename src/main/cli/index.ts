#!/usr/bin/env node
// The `rlmscope` command: wiring only. Bad input gets one clear line and a non-zero exit.
import { Command, CommanderError, Option } from 'commander';
import { version } from '../../../package.json';
import { isErrorData, toErrorData } from '../../shared/errors';
import { diffCommand } from './diffCommand';
import { forkCommand } from './forkCommand';
import { terminalSafe } from './format';
import { replayCommand } from './replayCommand';
import { importCommand } from './importCommand';
import { EXPORT_FORMATS } from '../interop/exporters';
import { exportCommand, otlpHeader } from './exportCommand';
import { runsCommand, showCommand } from './listCommands';
import { addDedupeOptions } from './dedupeFlag';
import { addLimitOptions } from './limitFlags';
import { collect, httpUrl, nonNegativeInteger, positiveInteger } from './options';
import { runCommand, type CommandOutput } from './runCommand';
import { DEFAULT_PORT, portNumber, serveCommand } from './serveCommand';

const out: CommandOutput = {
  stdout: (text) => new Promise((resolve) => process.stdout.write(text, () => resolve())),
  // Only human text goes to stderr: its control characters are shown, never obeyed (terminalSafe).
  stderr: (text) => process.stderr.write(`${terminalSafe(text)}\n`),
};

async function exit(code: Promise<number> | number): Promise<never> {
  process.exit(await code);
}

const program = new Command('rlmscope')
  .description('Run Recursive Language Models and inspect what they did.')
  .version(version, '-V, --version', 'print the version')
  .exitOverride()
  .configureOutput({ outputError: (text, write) => write(`rlmscope: ${text.replace(/^error: /, '')}`) });

const run = program
  .command('run')
  .description('run a query over one or more files or folders')
  .requiredOption('--query <text>', 'the question to answer')
  .requiredOption('--file <path>', 'an input file or folder (repeatable)', collect)
  // No defaults or .env() here: a flag given must be told apart from the environment and the
  // saved settings, which come next in that order (runSettings.ts).
  .option('--base-url <url>', 'OpenAI-compatible endpoint (default: $OPENAI_BASE_URL, saved settings, https://api.openai.com/v1)', httpUrl)
  .option('--api-key <key>', 'API key (default: $OPENAI_API_KEY, then the key saved in `rlmscope serve`)')
  .option('--root-model <model>', 'model of the root RLM (default: $RLMSCOPE_ROOT_MODEL, saved settings, gpt-5)')
  .option('--sub-model <model>', 'model of sub-calls and child RLMs (default: $RLMSCOPE_SUB_MODEL, saved settings, gpt-5-mini)')
  .option('--db <path>', 'database file; its folder holds the saved settings (default: $RLMSCOPE_HOME/rlmscope.db or ~/.rlmscope/rlmscope.db)')
  .option('--prices <file>', 'JSON price overrides, over the saved ones: {"model": {"input": 1.25, "cachedInput": 0.125, "output": 10}}');
addDedupeOptions(addLimitOptions(run), 'off, or as saved in Settings')
  .option('--seed <n>', "seed of the sandboxes' Math.random", nonNegativeInteger)
  .option('--json', 'print one JSON object instead of the answer')
  .action(async (options) => exit(runCommand(options, out)));

program
  .command('runs')
  .description('list runs, newest first')
  .option('--db <path>', 'database file')
  .option('--limit <n>', 'how many (default 200)', positiveInteger)
  .option('--json', 'print a JSON array')
  .action(async (options) => exit(runsCommand(options, out)));

program
  .command('show')
  .description('show one run and its tree of steps')
  .argument('<run-id>', 'the run')
  .option('--db <path>', 'database file')
  .option('--json', 'print {"run": ..., "nodes": [...]} (values past 1,000,000 characters are cut, with a note)')
  .option('--answer', "print only the run's answer, whole and exactly as stored (for answers too long to show)")
  .action(async (runId: string, options) => exit(showCommand(runId, options, out)));

program
  .command('diff')
  .description('compare two runs step by step: the first step that differs, what differs, and the change in cost, tokens, calls and time (exit 0: the same, 1: different)')
  .argument('<run-a>', 'the first run')
  .argument('<run-b>', 'the run compared with it')
  .option('--db <path>', 'database file')
  .option('--json', 'print {"a", "b", "firstDivergence", "pairs", "delta"}')
  .action(async (runA: string, runB: string, options) => exit(diffCommand(runA, runB, options, out)));

program
  .command('replay')
  .description("re-execute every cell of a run from its recording — every model call answered from it, none made — and compare each cell's output and error byte for byte (exit 0: all reproduced, 1: a cell diverged)")
  .argument('<run-id>', 'the run')
  .option('--db <path>', 'database file')
  .option('--json', 'print {"runId", "cells", "reproduced", "diverged": [{"nodeId", "expected", "actual"}], "modelCalls": 0}')
  .action(async (runId: string, options) => exit(replayCommand(runId, options, out)));

const fork = program
  .command('fork')
  .description("re-run a run with its recording as a cache and one step changed (--at NODE_ID with --reply or --code), or with other settings (no --at): calls whose request matches the recording are answered from it at no cost, the rest go live")
  .argument('<run-id>', 'the run to fork')
  .option('--at <node-id>', 'the turn or sub-call whose reply, or the cell whose code, is replaced (ids: `rlmscope show RUN_ID`)', nonNegativeInteger)
  .option('--reply <text>', "the model call's new reply")
  .option('--reply-file <file>', "the model call's new reply, from a UTF-8 file")
  .option('--code <text>', "the cell's new code")
  .option('--code-file <file>', "the cell's new code, from a UTF-8 file")
  .option('--base-url <url>', 'OpenAI-compatible endpoint for the live calls (default: as for run)', httpUrl)
  .option('--api-key <key>', 'API key (default: as for run)')
  .option('--root-model <model>', "model of the root RLM (default: the run's)")
  .option('--sub-model <model>', "model of sub-calls and child RLMs (default: the run's)")
  .option('--db <path>', 'database file')
  .option('--prices <file>', 'JSON price overrides, over the saved ones');
addDedupeOptions(addLimitOptions(fork, "the forked run's"), "as the forked run did; the recording answers first")
  .option('--seed <n>', "seed of the sandboxes' Math.random for RLMs the recording does not have (default: the run's)", nonNegativeInteger)
  .option('--json', 'print one JSON object (the run summary, with forkedFrom and cachedCalls) instead of the answer')
  .action(async (runId: string, options) => exit(forkCommand(runId, options, out)));

program
  .command('import')
  .description("import runs from files: portable .rlmscope files written by export, and the reference library's JSONL logs (rlms; each run stored whole, marked imported, never re-executed)")
  .argument('<file...>', 'the files to import')
  .option('--db <path>', 'database file (default: $RLMSCOPE_HOME/rlmscope.db or ~/.rlmscope/rlmscope.db)')
  .option('--prices <file>', 'JSON price overrides for calls the log gives tokens but no cost for (over the saved ones)')
  .option('--json', 'print {"runs": [...]}, one summary per imported run, in file order')
  .action(async (files: string[], options) => exit(importCommand(files, options, out)));

program
  .command('export')
  .description('write a run to a file, or send its spans to an OpenTelemetry collector (Phoenix, Langfuse)')
  .argument('<run-id>', 'the run')
  .addOption(new Option('--format <format>', 'rlmscope (portable, default), otlp (OTLP/JSON spans) or rlms (the reference library\'s JSONL)').choices(EXPORT_FORMATS))
  .option('-o, --output <file>', 'the file to write (written whole or not at all)')
  .option('--otlp-endpoint <url>', 'POST the spans as OTLP/HTTP protobuf to this traces URL, e.g. http://localhost:6006/v1/traces', httpUrl)
  .option('--otlp-header <key=value>', 'a header for --otlp-endpoint (repeatable), e.g. "Authorization=Basic <base64 of pk:sk>"', otlpHeader)
  .option('--db <path>', 'database file')
  .action(async (runId: string, options) => exit(exportCommand(runId, options, out)));

program
  .command('serve')
  .description('browser mode: serve the app on 127.0.0.1; prints the URL to open (with its access token) first')
  .option('--port <n>', `port (0: any free port; default ${DEFAULT_PORT})`, portNumber, DEFAULT_PORT)
  .option('--db <path>', 'database file (default: $RLMSCOPE_HOME/rlmscope.db or ~/.rlmscope/rlmscope.db)')
  .option('--host <name>', 'loopback name in the printed URL: 127.0.0.1 (default) or localhost; never another address')
  .addOption(new Option('--renderer-dir <dir>', 'the built page (default: out/renderer)').hideHelp())
  .action(async (options) => exit(serveCommand(options, out)));

program.parseAsync(process.argv).catch((error: unknown) => {
  if (error instanceof CommanderError) {
    // commander printed its message already; --help and --version exit 0.
    process.exit(error.exitCode === 0 ? 0 : 2);
  }
  const data = isErrorData(error) ? error : toErrorData(error);
  process.stderr.write(`rlmscope: ${terminalSafe(data.message)}\n`);
  process.exit(2);
});
