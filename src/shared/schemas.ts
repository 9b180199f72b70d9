// Schemas that more than one slice of the RlmApi (src/shared/api/) uses, or code outside the
// contract too: run limits, run inputs, prices, the settings a user can change, and the small
// fields (ids, names) the slices share. A method's own input schema lives in its slice.
// Everything that enters the service is validated at the edge (IPC, WebSocket, CLI), never trusted.
import { z } from 'zod';
import { runLimitsSchema } from './limitsSchema';

// Built from the table of limits (limits.ts), with their ranges.
export { runLimitsSchema } from './limitsSchema';

export const uploadIdSchema = z.string().regex(/^u-[A-Za-z0-9_-]{8,64}$/, 'not an upload id');
export const fileNameSchema = z.string().trim().min(1).max(512);

export const runInputSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('path'), path: z.string().min(1).max(4096) }),
  z.object({ kind: z.literal('text'), name: fileNameSchema, text: z.string() }),
  /** A file the page sent with uploads.begin/append (browser mode, drag and drop). */
  z.object({ kind: z.literal('upload'), uploadId: uploadIdSchema }),
]);
export type RunInput = z.infer<typeof runInputSchema>;

export const runIdSchema = z.string().min(1).max(100);
export const modelNameSchema = z.string().trim().min(1).max(200);

const perMillion = z.number().finite().nonnegative().max(1_000_000);
export const modelPriceSchema = z.strictObject({
  input: perMillion,
  cachedInput: perMillion.optional(),
  output: perMillion,
});

export const baseUrlSchema = z
  .string()
  .trim()
  .max(2000)
  // A host after the scheme, no spaces (src/shared has no URL class in its type library).
  .refine((value) => /^https?:\/\/[^\s/?#@]+(?:[/?#][^\s]*)?$/i.test(value), 'must be an http:// or https:// URL');

/** Input of settings.update; the settings store checks its saved file with the same fields. */
export const settingsUpdateSchema = z.strictObject({
  baseUrl: baseUrlSchema.optional(),
  /** A new key; null forgets the stored one. Never sent back. */
  apiKey: z.string().trim().min(1).max(4000).nullable().optional(),
  rootModel: modelNameSchema.optional(),
  subModel: modelNameSchema.optional(),
  /** Replaces the default limits of new runs (fields not given keep their value). */
  limits: runLimitsSchema.partial().optional(),
  /** Whether new runs deduplicate their sub-calls (AppSettings.dedupeSubcalls). */
  dedupeSubcalls: z.boolean().optional(),
  /** Replaces the whole table of price overrides. */
  prices: z.record(modelNameSchema, modelPriceSchema).optional(),
});

/** Of a method that takes nothing. */
export const emptyParamsSchema = z.strictObject({}).default({});

/** The page sends an upload in chunks of at most 8 MiB (uploads.append). */
export const UPLOAD_CHUNK_BYTES_MAX = 8 * 1024 * 1024;
