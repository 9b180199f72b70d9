// `rlmscope fork RUN_ID`: the run re-run from the start with its recording as a cache (DESIGN
// §11, issue 12): with --at and one edit, that step's reply or code replaced; without, re-run with
// other settings (--root-model, a limit flag). Calls whose request matches the recording are
// answered from it at no cost; the rest go live. Followed like `run`: progress on stderr, the
// answer (or `--json`, the run's summary with forkedFrom and cachedCalls) on stdout.
import { readFile, stat } from 'node:fs/promises';
import { FORK_EDIT_MAX_CHARS } from '../../shared/api/debugger';
import { RlmError } from '../../shared/errors';
import type { CommandOutput } from './commandOutput';
import { dedupeFromFlags } from './dedupeFlag';
import { limitsFromFlags } from './limitFlags';
import { followRun, openRunService, type RunFlagValues } from './runCommand';
import { describeRunSettings } from './runSettings';

export interface ForkOptions extends RunFlagValues {
  at?: number;
  reply?: string;
  replyFile?: string;
  code?: string;
  codeFile?: string;
}

export async function forkCommand(runId: string, options: ForkOptions, out: CommandOutput): Promise<number> {
  // Checked before anything is opened: a wrong combination of flags is one line, nothing else.
  const edit = await editOf(options);
  // The provider is today's; the models are the parent's unless given here (not the saved defaults).
  const service = await openRunService(options, out, (settings) => describeRunSettings(settings).slice(0, 1));
  return followRun(
    service,
    async () => {
      const started = await service.call('runs.fork', {
        runId,
        ...(edit ? { at: edit.at, edit: { kind: edit.kind, text: edit.text } } : {}),
        ...(options.rootModel !== undefined ? { rootModel: options.rootModel } : {}),
        ...(options.subModel !== undefined ? { subModel: options.subModel } : {}),
        limits: limitsFromFlags(options),
        ...dedupeFromFlags(options),
        ...(options.seed !== undefined ? { seed: options.seed } : {}),
      });
      out.stderr(`fork ${started.runId} of run ${runId}${edit ? ` at node ${edit.at} (its ${edit.kind} replaced)` : ' (no edit: other settings)'}`);
      return started;
    },
    options,
    out,
    async (summary) => {
      // The engine's notes on the fork's root RLM (an edit never reached) are warnings here.
      const root = await service.call('nodes.get', { runId: summary.runId, nodeId: 1 }).catch(() => null);
      for (const note of root?.notes ?? []) out.stderr(`warning: ${note}`);
    },
  );
}

/** The one edit the flags give, or null for a re-run with other settings. */
async function editOf(options: ForkOptions): Promise<{ at: number; kind: 'reply' | 'code'; text: string } | null> {
  const given = [
    ['--reply', options.reply],
    ['--reply-file', options.replyFile],
    ['--code', options.code],
    ['--code-file', options.codeFile],
  ].filter((entry): entry is [string, string] => entry[1] !== undefined);
  if (given.length > 1) throw new RlmError('INVALID_INPUT', `give one edit, not ${given.map(([flag]) => flag).join(' and ')}`);
  const [flag, value] = given[0] ?? [null, null];
  if (options.at === undefined) {
    if (flag) throw new RlmError('INVALID_INPUT', `${flag} needs --at NODE_ID: the turn or cell it replaces (see \`rlmscope show RUN_ID\`)`);
    return null;
  }
  if (!flag || value === null) throw new RlmError('INVALID_INPUT', '--at needs the new reply (--reply TEXT, --reply-file FILE) or code (--code TEXT, --code-file FILE)');
  const kind = flag.startsWith('--reply') ? ('reply' as const) : ('code' as const);
  const text = flag.endsWith('-file') ? await readEditFile(value) : value;
  if (text.length > FORK_EDIT_MAX_CHARS) throw new RlmError('INVALID_INPUT', `the new ${kind} is ${text.length.toLocaleString('en-US')} characters, more than ${FORK_EDIT_MAX_CHARS.toLocaleString('en-US')}`);
  return { at: options.at, kind, text };
}

async function readEditFile(path: string): Promise<string> {
  const info = await stat(path).catch((error: NodeJS.ErrnoException) => {
    throw new RlmError('INVALID_INPUT', `${path}: ${error.code === 'ENOENT' ? 'no such file' : error.message}`);
  });
  if (!info.isFile()) throw new RlmError('INVALID_INPUT', `${path} is not a regular file`);
  // UTF-8 takes at least one byte per character: a larger file cannot fit.
  if (info.size > FORK_EDIT_MAX_CHARS * 4) throw new RlmError('INVALID_INPUT', `${path} is too large for a reply or a cell's code (${info.size.toLocaleString('en-US')} bytes)`);
  const bytes = await readFile(path);
  if (bytes.includes(0)) throw new RlmError('INVALID_INPUT', `${path} is a binary file, not text`);
  // Strict, and without a leading byte order mark (an editor's, not the text's: "\uFEFFFINAL(x)"
  // is no answer): invalid bytes would otherwise run as U+FFFD without a word.
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new RlmError('INVALID_INPUT', `${path} is not UTF-8 text: save it as UTF-8`);
  }
}
