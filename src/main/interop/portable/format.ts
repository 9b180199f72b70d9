// The portable run file (`rlmscope export --format rlmscope`): what each record holds, as zod
// schemas, so that the reader trusts no field of a file that may come from anywhere.
//
// The file is gzip (node:zlib) over newline-delimited JSON, one record per line:
//   header · run · value… (query, answer, error in pages) · node… (row and payload) ·
//   document, chunk… (per document: its hash and size, then its bytes in base64) · end
// Why this shape: every record is a small self-describing JSON value that zod checks on its own,
// so the file is written and read as a stream (a run's documents may be hundreds of MB and are
// never held whole: 1 MiB per chunk line); gzip is in Node itself, checks its own CRC-32 at the
// end (a flipped byte or a cut file is caught), and wins back most of base64's third. The `end`
// record proves the file whole; documents carry their sha256, checked as they are read.
// The API key and the settings are not in any record; the run's base URL is kept without
// credentials, query or fragment (see safeBaseUrl).
import { z } from 'zod';
import { LEGACY_PART_BYTES, MIN_PART_BYTES } from '../../../shared/domain/run';
import { runLimitsSchema } from '../../../shared/limitsSchema';

export const PORTABLE_FORMAT = 'rlmscope-run';
export const PORTABLE_VERSION = 1;

/**
 * Whether a file's run id may be kept as it is. The file may come from anyone, and its id is used
 * as is on the terminal (`runs`, `show ID`), in the page's URL and in the API, whose run ids are
 * at most 100 characters (shared/schemas.ts): an id of 150 characters, or one holding a newline,
 * an escape sequence, a path (`../x`) or a leading `-` (read as a flag by the CLI) was restored
 * and then could not be opened or named. Such a run gets a new id instead. RLMScope's own ids
 * (`r-20261125-131200-3fa9c1`) always pass.
 */
export function isKeepableRunId(id: string): boolean {
  return /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/.test(id);
}

/** What a run's query, answer and error may hold together, in characters (see runSchema). */
export const RUN_VALUES_MAX_CHARS = 512 * 1024 * 1024;

/** Characters of a run value per `value` record, so no line is as long as a 500 MB answer. */
export const VALUE_PAGE_CHARS = 1024 * 1024;
/** Bytes of a document per `chunk` record (1.33 MiB of base64). */
export const DOCUMENT_CHUNK_BYTES = 1024 * 1024;

const count = z.number().int().min(0);
// Milliseconds since 1970, within what a Date can hold: past it, the rlms export wrote
// "NaN-NaN-NaNTNaN…" timestamps for a run restored from such a file.
const time = z.number().int().min(0).max(8_640_000_000_000_000, 'not a time a date can hold');
const usd = z.number().finite().min(0);
const hash = z.string().regex(/^[0-9a-f]{64}$/, 'not a sha256 hash');

/**
 * Signals a run file may carry: a run holds at most one per cell, RLM or kind, so a run with tens
 * of thousands of looping child RLMs could hold that many. The run record is one line, which the
 * reader caps (MAX_LINE_CHARS): this count bounds what the array can make it hold beyond that.
 */
export const MAX_SIGNALS = 100_000;

function signalSchema() {
  return z.strictObject({
    kind: z.enum(['duplicate-subcalls', 'subcall-explosion', 'repetition', 'answer-discarded', 'budget-forecast']),
    nodeId: z.number().int().min(1).nullable(),
    message: z.string().max(10_000),
    costUsd: usd.nullable(),
  });
}

export const headerSchema = z.strictObject({
  type: z.literal('header'),
  format: z.literal(PORTABLE_FORMAT),
  version: z.number().int().min(1),
  appVersion: z.string().max(100),
  createdAt: time,
  runId: z.string().min(1).max(200),
});

const runStatus = z.enum(['running', 'paused', 'completed', 'stopped', 'failed', 'interrupted']);
const stopReason = z.enum(['user', 'max-iterations', 'max-calls', 'max-tokens', 'max-cost', 'max-seconds', 'runaway', 'no-answer', 'error']);

export const runSchema = z.strictObject({
  type: z.literal('run'),
  runId: z.string().min(1).max(200),
  status: runStatus,
  stopReason: stopReason.nullable(),
  rootModel: z.string(),
  subModel: z.string(),
  baseUrl: z.string(),
  createdAt: time,
  endedAt: time.nullable(),
  seed: z.number().int(),
  /** An imported run stays imported (its code is the reference library's Python: never re-executed). */
  origin: z.enum(['native', 'imported']).default('native'),
  source: z.string().max(4096).nullable().default(null),
  /** The version of its recording (shared/domain/recording.ts); a file written before it had none: 0, not exactly replayable. */
  recording: count.default(0),
  /**
   * A fork (issue 12): its parent run and the parent's node it edited (null: no edit). Written only
   * for a fork, so the file of any other run stays readable by an RLMScope from before forks. The
   * parent's id is printed on the terminal (`show`), so it must be an id RLMScope could have made.
   */
  forkedFrom: z
    .strictObject({
      runId: z.string().refine(isKeepableRunId, 'not a run id RLMScope makes'),
      nodeId: z.number().int().min(1).nullable(),
    })
    .nullable()
    .default(null),
  /** A fork's calls answered from its parent's recording; written only when there are any. */
  cachedCalls: count.default(0),
  /**
   * The run-away signals it held when exported (issue 13, shared/domain/signals.ts); written
   * only when there are any, so the file of a run without them stays readable by an RLMScope from
   * before signals. At most one per cell, RLM or kind: MAX_SIGNALS bounds what a file can make the
   * reader hold. Their nodes are checked against the file's tree once it is read (readPortable.ts).
   */
  signals: z.array(signalSchema()).max(MAX_SIGNALS).default([]),
  limits: runLimitsSchema,
  /**
   * The run answered repeated sub-calls from the first answer (--dedupe-subcalls, issue 13).
   * Written only when true, so the file of any other run stays readable by an older RLMScope.
   */
  dedupeSubcalls: z.boolean().default(false),
  /**
   * The size of the parts a too-large input was split in (RunDetail.partBytes). Written only when
   * it is not LEGACY_PART_BYTES, the size of every run before it was recorded: absent means that one.
   */
  partBytes: z.number().int().min(MIN_PART_BYTES).max(LEGACY_PART_BYTES).optional(),
  /** The lengths of the values that follow in `value` records; null when the run has none. */
  queryChars: count,
  answerChars: count.nullable(),
  errorChars: count.nullable(),
  pricedCostUsd: usd,
  unpricedCalls: count,
  inputTokens: count,
  outputTokens: count,
  cachedTokens: count,
  modelCalls: count,
  iterations: count,
  maxDepthReached: count,
  inputs: z.array(z.strictObject({ name: z.string(), bytes: count, hash })),
})
  // The reader holds the three values whole: their declared sizes bound what a file can make it
  // hold (the pages are counted against them as they come). A sandbox's value is at most
  // RUN_VALUES_MAX_CHARS (shared/sandboxProtocolSchemas.ts), and so is one JavaScript string.
  .refine((run) => run.queryChars + (run.answerChars ?? 0) + (run.errorChars ?? 0) <= RUN_VALUES_MAX_CHARS, {
    message: `the run's query, answer and error declare more than ${RUN_VALUES_MAX_CHARS} characters together`,
  })
  .refine((run) => run.forkedFrom?.runId !== run.runId, { message: 'the run names itself as the run it was forked from', path: ['forkedFrom', 'runId'] });

export const VALUE_FIELDS = ['query', 'answer', 'error'] as const;
export type ValueField = (typeof VALUE_FIELDS)[number];

export const valueSchema = z.strictObject({
  type: z.literal('value'),
  field: z.enum(VALUE_FIELDS),
  // A page is VALUE_PAGE_CHARS characters as SQLite counts them (code points): up to twice as
  // many UTF-16 units, which is what a string's length counts.
  text: z.string().max(2 * VALUE_PAGE_CHARS),
});

const message = z.strictObject({ role: z.enum(['system', 'user', 'assistant']), content: z.string() });

/**
 * A node's payload: the fields RLMScope reads are checked; others (a newer field, an imported
 * cell's `language`) are kept as they are, since only their readers give them meaning.
 */
export const payloadSchema = z.looseObject({
  query: z.string().optional(),
  messages: z.array(message).optional(),
  prompt: z.array(message).optional(),
  text: z.string().optional(),
  code: z.string().optional(),
  output: z.string().optional(),
  error: z.string().optional(),
  answer: z.string().optional(),
  stopReason: stopReason.optional(),
  context: z
    .looseObject({
      kind: z.enum(['string', 'array']),
      length: count,
      items: count.optional(),
      names: z.array(z.string()).optional(),
      itemLengths: z.array(count).optional(),
      preview: z.string(),
      split: z.boolean().optional(),
    })
    .optional(),
  seed: z.number().int().optional(),
  documents: z.array(hash).optional(),
  clock: z.array(z.number()).optional(),
  clockRecord: z.strictObject({ runs: z.array(z.number()), reads: count }).optional(),
  random: z.strictObject({ epoch: count, draws: count }).optional(),
  // codeOf: the edited cell, on the reply an edit of its code rewrote (callCache.ts).
  forkEdit: z.strictObject({ nodeId: z.number().int().min(1), codeOf: z.number().int().min(1).optional() }).optional(),
  notes: z.array(z.string()).optional(),
  // The node of the same run whose identical sub-call answered this one (--dedupe-subcalls).
  dedupeOf: z.number().int().min(1).optional(),
});

const tokens = count.nullable();

export const nodeSchema = z.strictObject({
  type: z.literal('node'),
  node: z.strictObject({
    id: z.number().int().min(1),
    parentId: z.number().int().min(1).nullable(),
    kind: z.enum(['rlm', 'llm', 'cell']),
    depth: count,
    seq: count,
    status: z.enum(['running', 'completed', 'failed', 'stopped', 'interrupted']),
    startedAt: time,
    endedAt: time.nullable(),
    label: z.string(),
    model: z.string().nullable(),
    purpose: z.enum(['turn', 'sub']).nullable(),
    inputTokens: tokens,
    outputTokens: tokens,
    cachedTokens: tokens,
    costUsd: usd.nullable(),
    usageEstimated: z.boolean(),
    /** A fork's call answered from its parent's recording; written only when true (see forkedFrom). */
    cached: z.boolean().optional(),
    subtree: z.strictObject({ pricedCostUsd: usd, unpricedCalls: count, inputTokens: count, outputTokens: count, modelCalls: count }),
  }),
  payload: payloadSchema.nullable(),
});

export const documentSchema = z.strictObject({ type: z.literal('document'), hash, bytes: count });

export const chunkSchema = z.strictObject({
  type: z.literal('chunk'),
  // Checked for its alphabet: Buffer.from(…, 'base64') would skip what is not base64 silently.
  data: z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, 'not base64'),
});

export const endSchema = z.strictObject({ type: z.literal('end'), nodes: count, documents: count });

export type PortableHeader = z.infer<typeof headerSchema>;
export type PortableRunRecord = z.infer<typeof runSchema>;
/** A run record as written: the fields with defaults may be left out. */
export type PortableRunRecordInput = z.input<typeof runSchema>;
export type PortableNodeRecord = z.infer<typeof nodeSchema>;

/**
 * The base URL without what may hold a secret: user info (`https://user:key@host`), the query
 * (`?key=…`, as some gateways take keys) and the fragment. The run keeps where it ran, not how
 * it signed in.
 */
export function safeBaseUrl(baseUrl: string): string {
  try {
    const url = new URL(baseUrl);
    // Untouched when there is nothing to take out: URL would normalise it (a default port, a case).
    if (!url.username && !url.password && !url.search && !url.hash && !baseUrl.includes('#') && !baseUrl.includes('?')) return baseUrl;
    return `${url.protocol}//${url.host}${url.pathname}`;
  } catch {
    return '';
  }
}
