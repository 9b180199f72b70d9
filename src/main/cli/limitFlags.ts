// The limit flags of `rlmscope run`, one per limit of the table (src/shared/limits.ts). A flag
// checks only the kind of number (a clear line from commander for `--max-depth deep`); the
// range is the service's schema, the same for the command line, the page and the settings file.
import { Option, type Command } from 'commander';
import { describeDefault, LIMIT_KEYS, limitSpec, type LIMITS, type LimitKey, type LimitSpec, type RunLimits } from '../../shared/limits';
import { nonNegativeInteger, positiveInteger, positiveNumber } from './options';

type CamelCase<S extends string> = S extends `${infer Head}-${infer Tail}` ? `${Head}${Capitalize<CamelCase<Tail>>}` : S;
type Attribute<Flag> = Flag extends `--${infer Name}` ? CamelCase<Name> : never;

/** The limit flags given, under commander's names for them (`--max-cost` is `maxCost`). */
export type LimitFlagValues = { [K in LimitKey as Attribute<(typeof LIMITS)[K]['flag']>]?: number };

/** commander's name for a flag's value: `--cell-timeout-ms` → `cellTimeoutMs`. */
function attribute(flag: string): string {
  return flag.slice(2).replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase());
}

function parser(spec: LimitSpec): (value: string) => number {
  if (!spec.int) return positiveNumber;
  return spec.min === 0 ? nonNegativeInteger : positiveInteger;
}

/** `<usd>`, `<s>` or `<n>`: what --help shows the flag takes. */
function valueName(spec: LimitSpec): string {
  return spec.unit === 'USD' ? '<usd>' : spec.unit === 's' ? '<s>' : '<n>';
}

export function limitOption(key: LimitKey): Option {
  const spec = limitSpec(key);
  const fallback = describeDefault(spec);
  const help = fallback === null ? spec.help : `${spec.help} (default${spec.default === null ? ':' : ''} ${fallback})`;
  return new Option(`${spec.flag} ${valueName(spec)}`, help).argParser(parser(spec));
}

/**
 * Adds every limit flag. No defaults here: a limit not given must be told apart from one given,
 * so that the saved default limits come next (runSettings.ts).
 */
export function addLimitOptions(command: Command, notGiven = 'the default limits saved in Settings, then the defaults shown'): Command {
  for (const key of LIMIT_KEYS) command.addOption(limitOption(key));
  return command.addHelpText('after', `\nLimits not given take ${notGiven}.`);
}

/** The limits given as flags; the others are absent. */
export function limitsFromFlags(flags: LimitFlagValues): Partial<RunLimits> {
  const given = flags as Record<string, number | undefined>;
  const limits: Partial<Record<LimitKey, number>> = {};
  for (const key of LIMIT_KEYS) {
    const value = given[attribute(limitSpec(key).flag)];
    if (value !== undefined) limits[key] = value;
  }
  return limits;
}
