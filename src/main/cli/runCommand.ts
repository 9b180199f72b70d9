// `rlmscope run`: one run from the command line, with live progress on stderr and the answer on
// stdout (or one JSON object with --json). Exit code 0 only when there is an answer.
import type { RunSummary } from '../../shared/domain/run';
import { RlmError } from '../../shared/errors';
import { defaultDatabasePath } from '../paths';
import { createForkLauncher } from '../sandbox/host/forkLauncher';
import { RlmService } from '../service/rlmService';
import type { CommandOutput } from './commandOutput';
import { dedupeFromFlags } from './dedupeFlag';
import { limitsFromFlags, type LimitFlagValues } from './limitFlags';
import { writeAnswer } from './listCommands';
import { summaryJson } from './format';
import { Progress } from './progress';
import { describeRunSettings, missingKeyMessage, resolveRunSettings, type RunSettingFlags, type RunSettings } from './runSettings';

/** The flags of every command that starts a run (`run`, `fork`); the limit flags are those of the table (limitFlags.ts). */
export interface RunFlagValues extends LimitFlagValues {
  /** Absent unless given as flags: the environment and the saved settings come next (runSettings.ts). */
  baseUrl?: string;
  apiKey?: string;
  rootModel?: string;
  subModel?: string;
  db?: string;
  prices?: string;
  seed?: number;
  /** --dedupe-subcalls (true), --no-dedupe-subcalls (false), or neither (dedupeFlag.ts). */
  dedupeSubcalls?: boolean;
  json?: boolean;
}

/** The flags of `rlmscope run`. */
export interface RunOptions extends RunFlagValues {
  query: string;
  file: string[];
}

export type { CommandOutput } from './commandOutput';

export async function runCommand(options: RunOptions, out: CommandOutput): Promise<number> {
  // Said here in the user's words: the service's own check names its schema field.
  if (!options.query.trim()) throw new RlmError('INVALID_INPUT', 'the query is empty: pass the question with --query TEXT');
  const service = await openRunService(options, out, (settings) => describeRunSettings(settings));
  return followRun(
    service,
    () =>
      service.call('runs.start', {
        query: options.query,
        inputs: options.file.map((path) => ({ kind: 'path' as const, path })),
        limits: limitsFromFlags(options),
        ...dedupeFromFlags(options),
        ...(options.seed !== undefined ? { seed: options.seed } : {}),
      }),
    options,
    out,
  );
}

/**
 * The service a command that starts a run uses: the provider, models, limits and prices from
 * the flags, then the environment, then the saved settings (runSettings.ts). Says on stderr the
 * `describe` lines of them; refuses a provider that needs a key when there is none.
 */
export async function openRunService(
  options: RunSettingFlags & { db?: string | undefined },
  out: CommandOutput,
  describe: (settings: RunSettings) => string[],
): Promise<RlmService> {
  const dbPath = options.db ?? defaultDatabasePath();
  const settings = await resolveRunSettings(options, process.env, dbPath, (message) => out.stderr(`warning: ${message}`));
  if (!settings.apiKey.value && /(^|\.)openai\.com$/.test(new URL(settings.baseUrl.value).hostname)) {
    throw new RlmError('PROVIDER_AUTH', missingKeyMessage(settings.dataDir));
  }
  for (const line of describe(settings)) out.stderr(line);
  return RlmService.open({
    dbPath,
    baseUrl: settings.baseUrl.value,
    apiKey: settings.apiKey.value,
    rootModel: settings.rootModel.value,
    subModel: settings.subModel.value,
    limits: settings.limits,
    dedupeSubcalls: settings.dedupeSubcalls,
    prices: settings.prices,
    launcher: createForkLauncher(),
  });
}

/**
 * Starts a run (`run`, `fork`) and follows it to its end: progress on stderr, Ctrl-C stops it,
 * the answer (or one JSON object) on stdout. Closes the service. Exit 0 only with an answer.
 */
export async function followRun(
  service: RlmService,
  start: () => Promise<{ runId: string; warnings: string[] }>,
  options: { json?: boolean | undefined },
  out: CommandOutput,
  /** After the run's end, before the service closes: what else to say on stderr. */
  after?: (summary: RunSummary) => Promise<void>,
): Promise<number> {
  // Made once the run has started: a run refused at the start (an unpriced model under a cost
  // limit, a missing file) prints its one line, not a progress line of zeros before it.
  let progress: Progress | null = null;
  let interrupted = false;
  try {
    const { runId, warnings } = await start();
    progress = options.json ? null : new Progress();
    for (const warning of warnings) out.stderr(`warning: ${warning}`);
    const unsubscribe = service.subscribe(runId, (event) => progress?.onEvent(event));
    const onSignal = () => {
      interrupted = true;
      out.stderr('stopping…');
      void service.call('runs.stop', { runId });
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    const summary = await service.waitForRun(runId);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    unsubscribe();
    progress?.stop(summary);
    if (options.json) {
      await out.stdout(`${JSON.stringify(summaryJson(summary))}\n`);
    } else if (summary.answer !== null) {
      // The summary carries a preview: an answer longer than it is printed whole, page by page.
      if ((summary.answerChars ?? 0) > summary.answer.length) await writeAnswer((offset) => service.call('runs.readValue', { runId, field: 'answer', offset }), runId, out);
      else await out.stdout(summary.answer);
      await out.stdout('\n');
    }
    await after?.(summary);
    if (summary.answer === null) out.stderr(`run ${summary.runId} ${summary.status}: ${summary.error ?? summary.stopReason ?? 'no answer'}`);
    else if (!options.json) out.stderr(`run ${summary.runId} ${summary.status}${summary.stopReason ? ` (${summary.stopReason})` : ''}`);
    return summary.answer !== null ? 0 : interrupted ? 130 : 1;
  } finally {
    progress?.stop();
    await service.close();
  }
}
