// Files the page sends (browser mode has no paths to give): chunks over the RlmApi, or slices as
// `PUT /uploads/<id>` bodies, several at once and in any order (uploadRanges.ts keeps which bytes
// came). Each is written at its place in a temp file in this service's upload folder; the file's
// first 64 KB are judged text or binary once they have all come. The temp file goes when the run
// that used it ends, or, for an upload no run took, on cancel, on close, or after an hour idle.
import { randomBytes } from 'node:crypto';
import { open, rm, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { ParsedParams } from '../../shared/api';
import { RlmError } from '../../shared/errors';
import { binaryKind, SAMPLE_BYTES } from '../input/binaryCheck';
import type { UploadPurpose } from '../../shared/api/uploads';
import type { UploadedFile } from '../input/resolveInputs';
import { after, copyInto } from './bufferPieces';
import { createUploadFolder, newUploadFolderName, sweepStaleUploadFolders } from './uploadFolder';
import { checkCaps, checkDiskSpace, DEFAULT_UPLOAD_LIMITS, type UploadLimits } from './uploadLimits';
import { MAX_SPANS, UploadRanges } from './uploadRanges';

export type { UploadLimits };

type State = 'receiving' | 'complete' | 'claimed' | 'dropped';

interface Upload {
  id: string;
  name: string;
  bytes: number;
  path: string;
  /** Only an `input` upload is judged text or binary; each purpose is taken by its own caller. */
  purpose: UploadPurpose;
  state: State;
  /** Which bytes have arrived and which slices are on their way (uploadRanges.ts). */
  ranges: UploadRanges;
  /** The first bytes of an `input` upload, copied at their place as they come, whatever the order. */
  head: Buffer | null;
  /** The head was judged text; a slice over it that failed makes it be judged again. */
  judged: boolean;
  /** Why it was dropped, told to the slices still on their way (a binary head seen by another). */
  refusal: RlmError | null;
  file: FileHandle | null;
  /** The writes of this upload, one after the other, each at its own place in the file. */
  writing: Promise<void>;
  idle: NodeJS.Timeout | null;
}

/** Uploads taken by a run: `release` deletes their files when it ends; `unclaim` gives them back. */
export interface UploadClaim {
  release(): Promise<void>;
  unclaim(): void;
}

/** Where a body's bytes go (`PUT /uploads/<id>?offset=`): absent, where the bytes received from 0 stop. */
export interface SliceRange {
  offset?: number;
  /** The body's length when known (Content-Length): the slice's span is claimed for it up front. */
  length?: number;
}

/** What `receive` writes at once: large enough that a write costs little per byte, small beside the memory of a run. */
const RECEIVE_PIECE_BYTES = 4 * 1024 * 1024;

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

// A function, not an inline test: the state changes across awaits, which TypeScript's narrowing ignores.
const isDropped = (upload: Upload): boolean => upload.state === 'dropped';

/**
 * The chunk as a Buffer over the same memory: bytes come raw from today's page (a Buffer from the
 * WebSocket, a Uint8Array from IPC), base64 from a page built before. The caller hands the bytes
 * over: they are written later, so they must not change after append is called.
 */
function chunkBytes(upload: Upload, data: string | Uint8Array): Buffer {
  if (typeof data !== 'string') return Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (data.length % 4 !== 0 || !BASE64.test(data)) throw new RlmError('INVALID_INPUT', `${upload.name}: the chunk is not base64`);
  return Buffer.from(data, 'base64');
}

export class Uploads {
  private readonly uploads = new Map<string, Upload>();
  private readonly limits: UploadLimits;
  private readonly folder: string;
  private folderReady: Promise<void> | null = null;
  private readonly sweeping: Promise<unknown>;
  private closed = false;

  /** `root`: where the upload folders of every service using this database live. */
  constructor(root: string, limits: Partial<UploadLimits> = {}) {
    this.limits = { ...DEFAULT_UPLOAD_LIMITS, ...limits };
    this.folder = join(root, newUploadFolderName());
    // In the background: opening the service must not wait on deleting old gigabytes.
    this.sweeping = sweepStaleUploadFolders(root).catch(() => []);
  }

  async begin({ name, bytes, purpose = 'input' }: ParsedParams<'uploads.begin'>): Promise<{ uploadId: string }> {
    this.checkOpen();
    this.folderReady ??= createUploadFolder(this.folder);
    await this.folderReady;
    await checkDiskSpace(this.folder, name, bytes);
    // The caps are checked and the upload registered in one go, with no await in between, so
    // that begins arriving together cannot all pass the same check.
    this.checkOpen();
    checkCaps(this.limits, [...this.uploads.values()], name, bytes);
    const id = `u-${randomBytes(18).toString('base64url')}`;
    // SECURITY: the file is named by its id, never by the name the page gave (`../../x` is a
    // name, not a path), and is readable by the user only.
    const path = join(this.folder, id);
    const head = purpose === 'input' && bytes > 0 ? Buffer.alloc(Math.min(SAMPLE_BYTES, bytes)) : null;
    const upload: Upload = { id, name, bytes, path, purpose, state: 'receiving', ranges: new UploadRanges(bytes), head, judged: false, refusal: null, file: null, writing: Promise.resolve(), idle: null };
    this.uploads.set(id, upload);
    this.touch(upload);
    const opening = open(path, 'wx', 0o600).then((file) => {
      upload.file = file;
    });
    upload.writing = opening.catch(() => undefined);
    try {
      await opening;
    } catch (error) {
      void this.drop(upload);
      throw new RlmError('STORE_FAILED', `${name} could not be stored: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
    if (bytes === 0) await this.finishReceiving(upload);
    return { uploadId: id };
  }

  /** One chunk at its place in the file (the desktop app's chunks, in order; any order is taken). */
  async append({ uploadId, offset, data }: ParsedParams<'uploads.append'>): Promise<{ received: number; complete: boolean }> {
    this.checkOpen();
    const upload = this.find(uploadId);
    const chunk = chunkBytes(upload, data);
    const slice = this.openSlice(upload, offset, offset + chunk.length);
    if (slice === null) return this.answer(upload);
    try {
      await this.take(upload, slice, [chunk], chunk.length);
    } catch (error) {
      this.failSlice(upload, slice);
      throw error;
    }
    return this.commitSlice(upload, slice);
  }

  /**
   * One slice of an upload as a stream of bytes (browser mode's `PUT /uploads/<id>?offset=`,
   * where the browser reads the file off the page's thread; several may come at once, in any
   * order): the same checks as chunks, in pieces of RECEIVE_PIECE_BYTES, each written at its
   * place before the next is read. A body that ends early keeps what came (`complete: false`); one
   * longer than announced, or over bytes another slice sent, is refused; one cut mid-way counts
   * for nothing and may be sent again.
   */
  async receive(uploadId: string, body: AsyncIterable<Buffer>, range: SliceRange = {}): Promise<{ received: number; complete: boolean }> {
    this.checkOpen();
    const upload = this.find(uploadId);
    const start = range.offset ?? upload.ranges.prefixEnd;
    // A body of unknown length may run to the announced end: it claims all of that.
    const end = range.length === undefined ? Math.max(start, upload.bytes) : start + range.length;
    // Sent again after its answer was lost (the connection cut as the service answered): every
    // byte is here already, so it is answered as it was, and its body read and dropped. The
    // first bytes stay; a sender of other bytes for the same span changes nothing.
    if (range.length !== undefined && (upload.state === 'receiving' || upload.state === 'complete') && upload.ranges.holds(start, end)) {
      // Its length is announced (range.length), and Node's parser ends the body there.
      for await (const piece of body) void piece;
      return this.answer(upload);
    }
    const slice = this.openSlice(upload, start, end);
    if (slice === null) {
      for await (const piece of body) if (piece.length > 0) throw this.fullError(upload);
      return this.answer(upload);
    }
    const pending: Buffer[] = [];
    let pendingBytes = 0;
    let taken = 0;
    const flush = async () => {
      const pieces = pending.splice(0);
      const bytes = pendingBytes;
      pendingBytes = 0;
      await this.take(upload, slice, pieces, bytes);
      taken += bytes;
    };
    try {
      for await (const piece of body) {
        pending.push(piece);
        pendingBytes += piece.length;
        if (pendingBytes >= RECEIVE_PIECE_BYTES) await flush();
      }
      if (pendingBytes > 0) await flush();
      // Node's parser reports a body shorter than its Content-Length as an error; this guards the rest.
      if (range.length !== undefined && taken !== range.length) throw new RlmError('INVALID_INPUT', `${upload.name}: the slice at byte ${start} was cut after ${taken} of ${range.length} bytes`);
    } catch (error) {
      this.failSlice(upload, slice);
      throw error;
    }
    return this.commitSlice(upload, slice);
  }

  async cancel(uploadId: string): Promise<{ cancelled: boolean }> {
    const upload = this.uploads.get(uploadId);
    // A claimed upload belongs to its run now; the run's end deletes it.
    if (!upload || upload.state === 'claimed') return { cancelled: false };
    await this.drop(upload);
    return { cancelled: true };
  }

  /** A complete upload as a file input (for resolveInputs); throws for any other. */
  /** A complete upload sent for `purpose`; one sent for another purpose is refused. */
  received(uploadId: string, purpose: UploadPurpose = 'input'): UploadedFile {
    const upload = this.find(uploadId);
    if (upload.purpose !== purpose) {
      throw new RlmError('INVALID_INPUT', upload.purpose === 'import' ? `${upload.name} was sent to be imported, not as a run's input` : `${upload.name} was sent as a run's input; send it again to import it`);
    }
    if (upload.state === 'claimed') throw new RlmError('INVALID_INPUT', `${upload.name} is already used by a run; send it again for another`);
    if (upload.state !== 'complete') {
      throw new RlmError('INVALID_INPUT', `${upload.name} is not complete: ${upload.ranges.received} of ${upload.bytes} bytes have arrived`);
    }
    return { name: upload.name, path: upload.path, bytes: upload.bytes };
  }

  /** Takes complete uploads for a run, all or none: they no longer expire. */
  claim(uploadIds: readonly string[], purpose: UploadPurpose = 'input'): UploadClaim {
    const taken = [...new Set(uploadIds)].map((id) => {
      this.received(id, purpose);
      return this.find(id);
    });
    for (const upload of taken) {
      upload.state = 'claimed';
      if (upload.idle) clearTimeout(upload.idle);
      upload.idle = null;
    }
    return {
      release: async () => {
        await Promise.all(taken.map((upload) => this.drop(upload)));
      },
      unclaim: () => {
        for (const upload of taken) {
          if (upload.state !== 'claimed') continue;
          upload.state = 'complete';
          this.touch(upload);
        }
      },
    };
  }

  /** Deletes every upload and this service's folder. Call once the runs using them have ended. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.uploads.values()].map((upload) => this.drop(upload)));
    await this.sweeping;
    await rm(this.folder, { recursive: true, force: true });
  }

  /** Uploads known, in any state but dropped (for tests and diagnostics). */
  get size(): number {
    return this.uploads.size;
  }

  private find(uploadId: string): Upload {
    const upload = this.uploads.get(uploadId);
    if (!upload) throw new RlmError('NOT_FOUND', `no upload ${uploadId}: it was cancelled, refused or left idle too long; send the file again`);
    return upload;
  }

  /**
   * Claims [start, end) for one slice, or null for the empty one of an empty file. Refused: an upload no longer
   * receiving, a span past the announced size or over bytes another slice sent or is sending.
   */
  private openSlice(upload: Upload, start: number, end: number): number | null {
    // An empty file is complete at begin, yet the page still sends it, empty, to learn that it
    // is (planChunks): refusing that refused every folder holding an empty __init__.py.
    if (upload.state === 'complete' && upload.bytes === 0 && start === 0 && end === 0) return null;
    if (upload.state !== 'receiving') throw this.fullError(upload);
    const claim = upload.ranges.claim(start, end);
    if (claim.ok) return claim.id;
    if (claim.why === 'pastEnd') throw this.pastEndError(upload, start, end);
    if (claim.why === 'scattered') throw new RlmError('INVALID_INPUT', `${upload.name}: more than ${MAX_SPANS} separate pieces at once; send the file in larger slices`);
    throw new RlmError(
      'INVALID_INPUT',
      `${upload.name}: bytes ${start}-${end} overlap bytes ${claim.span.start}-${claim.span.end}, which were sent already or are on their way; each byte is sent once`,
    );
  }

  /** The next `bytes` of a slice: its place in the head (judged once all of it has come), then the file. */
  private async take(upload: Upload, slice: number, pieces: Buffer[], bytes: number): Promise<void> {
    if (upload.state !== 'receiving') throw this.goneError(upload);
    const position = upload.ranges.position(slice);
    if (!upload.ranges.take(slice, bytes)) {
      if (position + bytes > upload.bytes) throw this.pastEndError(upload, position, position + bytes);
      const span = upload.ranges.span(slice);
      throw new RlmError('INVALID_INPUT', `${upload.name}: the slice of bytes ${span.start}-${span.end} brought more bytes than that`);
    }
    this.touch(upload);
    if (upload.head && !upload.judged) {
      copyInto(upload.head, pieces, position);
      this.judgeHead(upload, upload.head);
    }
    const write = upload.writing.then(() => this.write(upload, pieces, position));
    upload.writing = write.catch(() => undefined);
    await write;
  }

  private async commitSlice(upload: Upload, slice: number): Promise<{ received: number; complete: boolean }> {
    upload.ranges.commit(slice);
    if (upload.ranges.complete && upload.state === 'receiving') await this.finishReceiving(upload);
    return this.answer(upload);
  }

  /** The slice counts for nothing: its span may be sent again, and a head it reached is judged again. */
  private failSlice(upload: Upload, slice: number): void {
    const span = upload.ranges.release(slice);
    if (upload.head && span.start < upload.head.length && span.end > span.start) upload.judged = false;
  }

  private answer(upload: Upload): { received: number; complete: boolean } {
    return { received: upload.ranges.received, complete: upload.ranges.complete };
  }

  /** Judges the start of the file once all of it has come, in whatever order; a binary file is dropped at once. */
  private judgeHead(upload: Upload, head: Buffer): void {
    if (!upload.ranges.covered(0, head.length)) return;
    upload.judged = true;
    const kind = binaryKind(head);
    if (!kind) return;
    upload.refusal = new RlmError('BINARY_FILE', `${upload.name} looks like ${kind}; RLMScope reads text files only`);
    void this.drop(upload);
    throw upload.refusal;
  }

  private async write(upload: Upload, pieces: Buffer[], position: number): Promise<void> {
    if (isDropped(upload) || !upload.file) throw this.goneError(upload);
    try {
      let rest = pieces;
      let at = position;
      while (rest.length > 0) {
        const { bytesWritten } = await upload.file.writev(rest, at);
        at += bytesWritten;
        rest = after(rest, bytesWritten);
      }
    } catch (error) {
      // Checked again: a cancel may have come while the piece was being written.
      if (isDropped(upload)) throw this.goneError(upload);
      // The upload stays: what other slices stored is kept, and this one may be sent again
      // (failSlice) once there is room.
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOSPC') throw new RlmError('INPUT_TOO_LARGE', `the disk is full: ${upload.name} could not be stored`);
      throw new RlmError('STORE_FAILED', `${upload.name} could not be stored: ${code ?? (error as Error).message}`);
    }
  }

  private async finishReceiving(upload: Upload): Promise<void> {
    const file = upload.file;
    upload.file = null;
    upload.head = null;
    await file?.close();
    if (upload.state === 'receiving') upload.state = 'complete';
  }

  private async drop(upload: Upload): Promise<void> {
    if (upload.state === 'dropped') return;
    upload.state = 'dropped';
    this.uploads.delete(upload.id);
    if (upload.idle) clearTimeout(upload.idle);
    upload.idle = null;
    await upload.writing;
    const file = upload.file;
    upload.file = null;
    await file?.close().catch(() => undefined);
    await rm(upload.path, { force: true });
  }

  /** Restarts the idle clock of an upload waiting for a run. */
  private touch(upload: Upload): void {
    if (upload.idle) {
      upload.idle.refresh();
      return;
    }
    upload.idle = setTimeout(() => void this.drop(upload), this.limits.idleMs);
    // An idle upload must not keep a CLI or a test process alive.
    upload.idle.unref();
  }

  private goneError(upload: Upload): RlmError {
    return upload.refusal ?? new RlmError('NOT_FOUND', `the upload of ${upload.name} was cancelled`);
  }

  private fullError(upload: Upload): RlmError {
    return new RlmError('INVALID_INPUT', `${upload.name} has been received in full already (${upload.bytes} bytes)`);
  }

  private pastEndError(upload: Upload, start: number, end: number): RlmError {
    return new RlmError('INVALID_INPUT', `${upload.name}: bytes ${start}-${end} sent, but ${upload.bytes} were announced`);
  }

  private checkOpen(): void {
    if (this.closed) throw new RlmError('INTERNAL', 'the service is closed');
  }
}
