// Whether a file is text, judged from its first bytes before anything is uploaded, so a picture
// or an archive is refused at once with a reason instead of after a long upload. The service
// checks again with the same rules (src/shared/binaryKind.ts): this is a courtesy, not a guard.
import { binaryKind } from '../../shared/binaryKind';

export { binaryKind };

/** How many bytes of a file are looked at. */
export const SNIFF_BYTES = 8 * 1024;

/** Reads only the first SNIFF_BYTES of the file. */
export async function sniffBlob(blob: Blob): Promise<string | null> {
  return binaryKind(new Uint8Array(await blob.slice(0, SNIFF_BYTES).arrayBuffer()));
}
