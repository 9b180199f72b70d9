// The `uploads` slice (src/shared/api/uploads.ts): files the page sends in chunks, kept by
// Uploads (uploads.ts) until a run takes them.
import type { uploadsMethods } from '../../shared/api/uploads';
import type { Handlers } from './handlers';
import type { Uploads } from './uploads';

export function uploadsHandlers(uploads: Uploads): Handlers<keyof typeof uploadsMethods> {
  return {
    'uploads.begin': (p) => uploads.begin(p),
    'uploads.append': (p) => uploads.append(p),
    'uploads.cancel': ({ uploadId }) => uploads.cancel(uploadId),
  };
}
