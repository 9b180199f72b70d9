// Files the page sends in chunks (browser mode has no paths to give): each is written to
// a temp file in this service's upload folder, checked to be text as soon as its first bytes
// arrive, and handed to a run as a file input. The temp file goes when the run that used it
// ends, or, for an upload no run took, on cancel, on close, or after an hour without a chunk.
import { randomBytes } from 'node:crypto';
import { open, rm, statfs, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { ParsedParams } from '../../shared/api';
import { RlmError } from '../../shared/errors';
import { binaryKind, SAMPLE_BYTES } from '../input/binaryCheck';
import { gigabytes, maxInputBytes } from '../input/inputSize';
import type { UploadPurpose } from '../../shared/api/uploads';
import type { UploadedFile } from '../input/resolveInputs';
import { createUploadFolder, newUploadFolderName, sweepStaleUploadFolders } from './uploadFolder';

export interface UploadLimits {
  /** Uploads still receiving bytes at once: each holds an open file. */
  maxReceiving: number;
  /** Uploads waiting for a run, received or not (a dropped folder is one upload per file). */
  maxWaiting: number;
  /** Bytes announced by the uploads waiting for a run: no run could take more. */
  maxBytes: number;
  /** An upload no run has taken is dropped after this long without a chunk. */
  idleMs: number;
}

export const DEFAULT_UPLOAD_LIMITS: UploadLimits = {
  maxReceiving: 32,
  maxWaiting: 100_000,
  maxBytes: maxInputBytes(),
  idleMs: 3600_000,
};

type State = 'receiving' | 'complete' | 'claimed' | 'dropped';

interface Upload {
  id: string;
  name: string;
  bytes: number;
  path: string;
  /** Only an `input` upload is judged text or binary; each purpose is taken by its own caller. */
  purpose: UploadPurpose;
  state: State;
  /** Bytes accepted, chunks still being written included: where the next chunk must start. */
  accepted: number;
  /** The first bytes, until there are enough to judge whether the file is text. */
  head: Buffer[] | null;
  headBytes: number;
  file: FileHandle | null;
  /** The writes of this upload, one after the other. */
  writing: Promise<void>;
  idle: NodeJS.Timeout | null;
}

/** Uploads taken by a run: `release` deletes their files when it ends; `unclaim` gives them back. */
export interface UploadClaim {
  release(): Promise<void>;
  unclaim(): void;
}

/** What `receive` writes at once: large enough that a write costs little per byte, small beside the memory of a run. */
const RECEIVE_PIECE_BYTES = 4 * 1024 * 1024;

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

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
    await this.checkDiskSpace(name, bytes);
    // The caps are checked and the upload registered in one go, with no await in between, so
    // that begins arriving together cannot all pass the same check.
    this.checkOpen();
    this.checkCaps(name, bytes);
    const id = `u-${randomBytes(18).toString('base64url')}`;
    // SECURITY: the file is named by its id, never by the name the page gave (`../../x` is a
    // name, not a path), and is readable by the user only.
    const path = join(this.folder, id);
    const upload: Upload = { id, name, bytes, path, purpose, state: 'receiving', accepted: 0, head: purpose === 'input' ? [] : null, headBytes: 0, file: null, writing: Promise.resolve(), idle: null };
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

  async append({ uploadId, offset, data }: ParsedParams<'uploads.append'>): Promise<{ received: number; complete: boolean }> {
    this.checkOpen();
    const upload = this.find(uploadId);
    // An empty file is complete at begin, yet the page still sends one empty chunk to learn that
    // it is (planChunks): answering it as an error refused every folder holding an empty
    // __init__.py. The empty chunk at the end of a complete upload changes nothing: say so.
    if (upload.state === 'complete' && upload.bytes === 0 && offset === 0 && chunkBytes(upload, data).length === 0) {
      return { received: upload.bytes, complete: true };
    }
    if (upload.state !== 'receiving') {
      throw new RlmError('INVALID_INPUT', `${upload.name} has been received in full already (${upload.bytes} bytes)`);
    }
    if (offset !== upload.accepted) {
      throw new RlmError('INVALID_INPUT', `${upload.name}: a chunk at byte ${offset}, but ${upload.accepted} bytes have arrived; chunks must come in order, each once`);
    }
    const chunk = chunkBytes(upload, data);
    const end = offset + chunk.length;
    if (end > upload.bytes) {
      throw new RlmError('INVALID_INPUT', `${upload.name}: ${end} bytes sent, but ${upload.bytes} were announced`);
    }
    this.judgeHead(upload, chunk);
    upload.accepted = end;
    this.touch(upload);
    // Chunks sent without waiting for the previous answer are written in the order they came.
    const write = upload.writing.then(() => this.write(upload, chunk, offset));
    upload.writing = write.catch(() => undefined);
    await write;
    if (end === upload.bytes) await this.finishReceiving(upload);
    return { received: end, complete: end === upload.bytes };
  }

  /**
   * The rest of an upload as one stream of bytes (browser mode's `PUT /uploads/<id>`, where the
   * browser reads the file off the page's thread): the same checks as chunks sent one by one, in
   * pieces of RECEIVE_PIECE_BYTES, each written before the next is read. A body that ends early
   * leaves the upload receiving (`complete: false`); one longer than announced is refused.
   */
  async receive(uploadId: string, body: AsyncIterable<Buffer>): Promise<{ received: number; complete: boolean }> {
    this.checkOpen();
    const upload = this.find(uploadId);
    let offset = upload.accepted;
    let result = { received: offset, complete: upload.state === 'complete' };
    const pending: Buffer[] = [];
    let pendingBytes = 0;
    const flush = async () => {
      const data = pending.length === 1 ? (pending[0] as Buffer) : Buffer.concat(pending, pendingBytes);
      pending.length = 0;
      pendingBytes = 0;
      result = await this.append({ uploadId, offset, data });
      offset = result.received;
    };
    for await (const piece of body) {
      pending.push(piece);
      pendingBytes += piece.length;
      if (pendingBytes >= RECEIVE_PIECE_BYTES) await flush();
    }
    if (pendingBytes > 0) await flush();
    return result;
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
      throw new RlmError('INVALID_INPUT', `${upload.name} is not complete: ${upload.accepted} of ${upload.bytes} bytes have arrived`);
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

  private checkCaps(name: string, bytes: number): void {
    const waiting = [...this.uploads.values()].filter((u) => u.state === 'receiving' || u.state === 'complete');
    if (waiting.filter((u) => u.state === 'receiving').length >= this.limits.maxReceiving) {
      throw new RlmError('INVALID_INPUT', `${this.limits.maxReceiving} uploads are already being received; send ${name} once one of them is complete`);
    }
    if (waiting.length >= this.limits.maxWaiting) {
      throw new RlmError('INVALID_INPUT', `${this.limits.maxWaiting} uploads are waiting for a run; start a run or cancel some before sending ${name}`);
    }
    const waitingBytes = waiting.reduce((sum, u) => sum + u.bytes, 0);
    if (waitingBytes + bytes > this.limits.maxBytes) {
      throw new RlmError(
        'INPUT_TOO_LARGE',
        `${name} (${gigabytes(bytes)} GB) would bring the files waiting for a run to ${gigabytes(waitingBytes + bytes)} GB; a run can take about ${gigabytes(this.limits.maxBytes)} GB`,
      );
    }
  }

  private find(uploadId: string): Upload {
    const upload = this.uploads.get(uploadId);
    if (!upload) throw new RlmError('NOT_FOUND', `no upload ${uploadId}: it was cancelled, refused or left idle too long; send the file again`);
    return upload;
  }

  /** Judges the start of the file once enough of it has come; a binary file is dropped at once. */
  private judgeHead(upload: Upload, chunk: Buffer): void {
    if (!upload.head) return;
    upload.head.push(chunk.subarray(0, SAMPLE_BYTES - upload.headBytes));
    upload.headBytes = Math.min(SAMPLE_BYTES, upload.headBytes + chunk.length);
    if (upload.headBytes < Math.min(SAMPLE_BYTES, upload.bytes)) return;
    const kind = binaryKind(Buffer.concat(upload.head));
    upload.head = null;
    if (!kind) return;
    void this.drop(upload);
    throw new RlmError('BINARY_FILE', `${upload.name} looks like ${kind}; RLMScope reads text files only`);
  }

  private async write(upload: Upload, chunk: Buffer, offset: number): Promise<void> {
    if (isDropped(upload) || !upload.file) throw this.goneError(upload);
    try {
      let written = 0;
      while (written < chunk.length) {
        const { bytesWritten } = await upload.file.write(chunk, written, chunk.length - written, offset + written);
        written += bytesWritten;
      }
    } catch (error) {
      // Checked again: a cancel may have come while the chunk was being written.
      if (isDropped(upload)) throw this.goneError(upload);
      // Not awaited: drop waits for the writes, this one among them.
      void this.drop(upload);
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOSPC') throw new RlmError('INPUT_TOO_LARGE', `the disk is full: ${upload.name} could not be stored`);
      throw new RlmError('STORE_FAILED', `${upload.name} could not be stored: ${code ?? (error as Error).message}`);
    }
  }

  private async finishReceiving(upload: Upload): Promise<void> {
    const file = upload.file;
    upload.file = null;
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

  private async checkDiskSpace(name: string, bytes: number): Promise<void> {
    let free: number;
    try {
      const info = await statfs(this.folder);
      free = info.bavail * info.bsize;
    } catch {
      return; // no answer from the file system: the write itself will tell
    }
    if (bytes > free) {
      throw new RlmError('INPUT_TOO_LARGE', `not enough disk space for ${name}: ${gigabytes(bytes)} GB needed, ${gigabytes(free)} GB free in ${this.folder}`);
    }
  }

  private goneError(upload: Upload): RlmError {
    return new RlmError('NOT_FOUND', `the upload of ${upload.name} was cancelled`);
  }

  private checkOpen(): void {
    if (this.closed) throw new RlmError('INTERNAL', 'the service is closed');
  }
}
