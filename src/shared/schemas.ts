// Schemas for everything that enters the service: validated at the edge (IPC, WebSocket, CLI),
// never trusted.
import { z } from 'zod';
import { runLimitsSchema } from './limitsSchema';
import { RUN_VALUE_FIELDS, VALUE_PAGE_CHARS_MAX } from './valuePreview';

// Built from the table of limits (limits.ts), with their ranges.
export { runLimitsSchema } from './limitsSchema';

const uploadId = z.string().regex(/^u-[A-Za-z0-9_-]{8,64}$/, 'not an upload id');
const fileName = z.string().trim().min(1).max(512);

export const runInputSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('path'), path: z.string().min(1).max(4096) }),
  z.object({ kind: z.literal('text'), name: fileName, text: z.string() }),
  /** A file the page sent with uploads.begin/append (browser mode, drag and drop). */
  z.object({ kind: z.literal('upload'), uploadId }),
]);
export type RunInput = z.infer<typeof runInputSchema>;

const runId = z.string().min(1).max(100);
const modelName = z.string().trim().min(1).max(200);

export const startRunSchema = z.object({
  query: z.string().trim().min(1, 'the query is empty').max(200_000),
  inputs: z.array(runInputSchema).max(100_000).default([]),
  rootModel: modelName.optional(),
  subModel: modelName.optional(),
  limits: runLimitsSchema.partial().optional(),
  /** Seed for the sandboxes' Math.random; random when absent. */
  seed: z.number().int().min(0).max(2 ** 31 - 1).optional(),
});

export const listRunsSchema = z
  .object({
    limit: z.number().int().min(1).max(10_000).default(200),
    offset: z.number().int().min(0).default(0),
    search: z.string().max(1000).optional(),
  })
  .default({ limit: 200, offset: 0 });

export const runRefSchema = z.object({ runId });
export const nodeRefSchema = z.object({ runId, nodeId: z.number().int().min(1) });

export const deleteRunSchema = runRefSchema;

/** A page of a run's query, answer or error, which lists and events carry only as previews (issue 9). */
export const readValueSchema = z.strictObject({
  runId,
  field: z.enum(RUN_VALUE_FIELDS),
  offset: z.number().int().min(0).default(0),
  length: z.number().int().min(1).max(VALUE_PAGE_CHARS_MAX).default(VALUE_PAGE_CHARS_MAX),
});

/** A page of a run's node index: the nodes after `afterId`, in creation order, at most `limit`. */
export const nodeIndexSchema = z.object({
  runId,
  afterId: z.number().int().min(0).default(0),
  limit: z.number().int().min(1).max(10_000_000).optional(),
});

const perMillion = z.number().finite().nonnegative().max(1_000_000);
export const modelPriceSchema = z.strictObject({
  input: perMillion,
  cachedInput: perMillion.optional(),
  output: perMillion,
});

const baseUrl = z
  .string()
  .trim()
  .max(2000)
  // A host after the scheme, no spaces (src/shared has no URL class in its type library).
  .refine((value) => /^https?:\/\/[^\s/?#@]+(?:[/?#][^\s]*)?$/i.test(value), 'must be an http:// or https:// URL');

export const settingsUpdateSchema = z.strictObject({
  baseUrl: baseUrl.optional(),
  /** A new key; null forgets the stored one. Never sent back. */
  apiKey: z.string().trim().min(1).max(4000).nullable().optional(),
  rootModel: modelName.optional(),
  subModel: modelName.optional(),
  /** Replaces the default limits of new runs (fields not given keep their value). */
  limits: runLimitsSchema.partial().optional(),
  /** Replaces the whole table of price overrides. */
  prices: z.record(modelName, modelPriceSchema).optional(),
});

/** Each field given is tried instead of the saved one (to test before saving). */
export const testConnectionSchema = z
  .strictObject({
    baseUrl: baseUrl.optional(),
    apiKey: z.string().trim().min(1).max(4000).optional(),
    model: modelName.optional(),
  })
  .default({});

export const emptyParamsSchema = z.strictObject({}).default({});

/** Up to 4 GiB of text per upload; the page sends it in chunks of at most 8 MiB. */
export const UPLOAD_CHUNK_BYTES_MAX = 8 * 1024 * 1024;
export const uploadBeginSchema = z.strictObject({
  name: fileName,
  bytes: z.number().int().min(0).max(4 * 1024 ** 3),
});
export const uploadAppendSchema = z.strictObject({
  uploadId,
  /** Where this chunk starts: chunks arrive in order, and a repeated or skipped offset is refused. */
  offset: z.number().int().min(0),
  /**
   * The chunk's bytes. The page sends them raw (a binary WebSocket frame, or structured clone
   * over IPC); base64 text is still taken from pages built before that.
   */
  data: z.union([
    // Not z.instanceof: its type is Uint8Array<ArrayBuffer>, which a Buffer view is not.
    z
      .custom<Uint8Array>((value) => value instanceof Uint8Array, 'not bytes')
      .refine((bytes) => bytes.byteLength <= UPLOAD_CHUNK_BYTES_MAX, `a chunk is at most ${UPLOAD_CHUNK_BYTES_MAX} bytes`),
    z.string().max(Math.ceil(UPLOAD_CHUNK_BYTES_MAX / 3) * 4),
  ]),
});
export const uploadRefSchema = z.strictObject({ uploadId });
