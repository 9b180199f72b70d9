// The `uploads` slice of the RlmApi: files the page sends in chunks (browser mode has no paths to
// give), which `runs.start` then takes as `{ kind: 'upload', uploadId }`.
import { z } from 'zod';
import { fileNameSchema, UPLOAD_CHUNK_BYTES_MAX, uploadIdSchema } from '../schemas';

/**
 * What an upload is for: `input` (the default), a run's input, which must be text (a binary file
 * is refused as it arrives); `import`, a file for `interop.import`, which may be binary (a
 * portable `.rlmscope` file is gzip) and is taken by nothing else.
 */
export const uploadPurposeSchema = z.enum(['input', 'import']);
export type UploadPurpose = z.infer<typeof uploadPurposeSchema>;

/** Up to 4 GiB per upload, in chunks of at most UPLOAD_CHUNK_BYTES_MAX. */
export const uploadBeginSchema = z.strictObject({
  name: fileNameSchema,
  bytes: z.number().int().min(0).max(4 * 1024 ** 3),
  purpose: uploadPurposeSchema.optional(),
});
export const uploadAppendSchema = z.strictObject({
  uploadId: uploadIdSchema,
  /** Where this chunk starts in the file: chunks may come in any order, but each byte only once. */
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
export const uploadRefSchema = z.strictObject({ uploadId: uploadIdSchema });

export const uploadsMethods = {
  'uploads.begin': uploadBeginSchema,
  'uploads.append': uploadAppendSchema,
  'uploads.cancel': uploadRefSchema,
} as const;

export interface UploadsResults {
  /** Starts receiving a file from the page; `runs.start` takes it as `{ kind: 'upload', uploadId }`. */
  'uploads.begin': { uploadId: string };
  /** `complete` once every byte announced in `uploads.begin` has arrived. */
  'uploads.append': { received: number; complete: boolean };
  'uploads.cancel': { cancelled: boolean };
}
