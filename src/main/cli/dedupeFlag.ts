// --dedupe-subcalls / --no-dedupe-subcalls of the commands that start a run (`run`, `fork`): a
// repeated (model, prompt) sub-call answered from the first answer (engine/subCallDedupe.ts).
// Both spellings, with no default: a flag not given must be told apart from one given, so that
// the saved setting (run) or the parent's (fork) comes next.
import type { Command } from 'commander';

export function addDedupeOptions(command: Command, notGiven: string): Command {
  return command
    .option('--dedupe-subcalls', `answer a repeated (model, prompt) sub-call from the first answer, also while that one is in flight: no request, no cost (default: ${notGiven})`)
    .option('--no-dedupe-subcalls', 'send every sub-call, repeated or not (voting asks the same question on purpose)');
}

/** runs.start's and runs.fork's field for the flags: absent when neither was given. */
export function dedupeFromFlags(flags: { dedupeSubcalls?: boolean | undefined }): { dedupeSubcalls?: boolean } {
  return flags.dedupeSubcalls === undefined ? {} : { dedupeSubcalls: flags.dedupeSubcalls };
}
