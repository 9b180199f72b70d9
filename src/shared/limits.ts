// The run limits, each declared once: its flag, unit, default, range, label and help. The type,
// the defaults, the schema (limitsSchema.ts), the `rlmscope run` flags (main/cli/limitFlags.ts),
// the limits form of New run and Settings (renderer/common/limitsForm.ts) and the README's
// table (checked by main/cli/limitFlags.test.ts) all come from here; before, each wrote the ten
// limits out by hand and they drifted.
//
// The order is the one people read them in: the form, --help and the README list them so.

/** Above this the default sandbox grows with the input: three times its size (engine/sandboxMemory.ts). */
export const DEFAULT_SANDBOX_MEMORY_MB = 2048;

interface LimitBase {
  /** The `rlmscope run` flag. */
  flag: `--${string}`;
  /** What the value counts; USD and s also name the flag's value in --help (`<usd>`, `<s>`). */
  unit: 'turns' | 'levels' | 'calls' | 'tokens' | 'USD' | 's' | 'ms' | 'MB' | 'chars';
  /** Whole numbers only; otherwise any number above `min` (a cost or a time of 0 means nothing). */
  int: boolean;
  /** The least value allowed: inclusive for whole numbers, exclusive otherwise. */
  min: number;
  max: number;
  /** In the limits form. */
  label: string;
  /** One line for --help; the default is added after it. */
  help: string;
}

/** A limit that must always be set. */
interface RequiredLimit extends LimitBase {
  default: number;
  nullMeans?: undefined;
}

/** A limit that may be null: lifted ('no limit'), or sized per run ('auto', said by `autoDefault`). */
interface NullableLimit extends LimitBase {
  default: number | null;
  nullMeans: 'no limit' | 'auto';
  /** What 'auto' comes to, in words (--help, README). */
  autoDefault?: string;
}

export type LimitSpec = RequiredLimit | NullableLimit;

export const LIMITS = {
  /** Model turns per RLM (children have their own count). */
  maxIterations: { flag: '--max-iterations', unit: 'turns', default: 30, int: true, min: 1, max: 10_000, label: 'Max iterations', help: 'model turns per RLM' },
  /** Deepest RLM that may start: the root is depth 0; deeper `rlm_query` calls degrade to `llm_query`. */
  maxDepth: { flag: '--max-depth', unit: 'levels', default: 1, int: true, min: 0, max: 10, label: 'Max depth', help: 'deepest child RLM; the root is depth 0' },
  /** Model calls over the whole tree; null = no limit. */
  maxCalls: { flag: '--max-calls', unit: 'calls', default: 1000, int: true, min: 1, max: 10_000_000, nullMeans: 'no limit', label: 'Max calls', help: 'model calls over the whole run (not those a fork answers from its recording)' },
  /** Input + output tokens over the whole tree; null = no limit. */
  maxTokens: { flag: '--max-tokens', unit: 'tokens', default: null, int: true, min: 1, max: Number.MAX_SAFE_INTEGER, nullMeans: 'no limit', label: 'Max tokens', help: 'input + output tokens over the whole run' },
  /** USD over the whole tree (priced calls only); null = no limit. */
  maxCostUsd: { flag: '--max-cost', unit: 'USD', default: null, int: false, min: 0, max: 1_000_000, nullMeans: 'no limit', label: 'Max cost (USD)', help: 'USD over the whole run (priced calls)' },
  /** Wall time of the whole run, paused time excluded; null = no limit. */
  maxSeconds: { flag: '--max-seconds', unit: 's', default: 3600, int: false, min: 0, max: 30 * 24 * 3600, nullMeans: 'no limit', label: 'Max seconds', help: 'wall time of the run' },
  /** The sandbox's own work per cell (time spent waiting on sub-calls does not count). */
  cellTimeoutMs: { flag: '--cell-timeout-ms', unit: 'ms', default: 30_000, int: true, min: 10, max: 24 * 3600 * 1000, label: 'Cell timeout (ms)', help: "the sandbox's own work per code block" },
  /** Sub-calls in flight at once over the whole run. */
  concurrency: { flag: '--concurrency', unit: 'calls', default: 8, int: true, min: 1, max: 1024, label: 'Concurrency', help: 'sub-calls in flight at once' },
  /** Sandbox memory cap; null = 2 GB or three times the input, whichever is larger. */
  sandboxMemoryMb: {
    flag: '--sandbox-memory-mb',
    unit: 'MB',
    default: null,
    int: true,
    min: 64,
    max: 4_000_000,
    nullMeans: 'auto',
    autoDefault: `${DEFAULT_SANDBOX_MEMORY_MB} or 3× the input, whichever is larger`,
    label: 'Sandbox memory (MB)',
    help: 'sandbox memory',
  },
  /** REPL output shown back to the model per turn, in characters. */
  outputChars: { flag: '--output-chars', unit: 'chars', default: 20_000, int: true, min: 100, max: 100_000_000, label: 'Output chars per turn', help: 'REPL output shown to the model per turn' },
} as const satisfies Record<string, LimitSpec>;

/** The limits of a run; a limit declared with `nullMeans` may be null. */
export type RunLimits = {
  -readonly [K in keyof typeof LIMITS]: (typeof LIMITS)[K] extends { nullMeans: string } ? number | null : number;
};

export type LimitKey = keyof RunLimits;

/** Every limit, in the table's order. */
export const LIMIT_KEYS = Object.keys(LIMITS) as LimitKey[];

export function limitSpec(key: LimitKey): LimitSpec {
  return LIMITS[key];
}

export const DEFAULT_LIMITS: RunLimits = Object.fromEntries(LIMIT_KEYS.map((key) => [key, limitSpec(key).default])) as RunLimits;

/** The built-in default in words: `30`, or what 'auto' comes to; null when there is no limit by default. */
export function describeDefault(spec: LimitSpec): string | null {
  if (spec.default !== null) return String(spec.default);
  return spec.nullMeans === 'auto' ? (spec.autoDefault ?? 'auto') : null;
}
