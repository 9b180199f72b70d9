// Uploads the files the user adds, as soon as they are added, so that Start is quick: each file
// is checked (size, first bytes) and then sent in chunks, two files at a time. Removing an entry
// cancels its uploads, on the service too.
import type { RlmApi } from '../../shared/api';
import type { ErrorData } from '../../shared/errors';
import { formatBytes } from '../../shared/formatBytes';
import { describeError } from '../api/errors';
import { sniffBlob } from './binarySniff';
import { isActive, type InputEntry } from './inputEntries';
import { createLimiter } from './limiter';
import { updateEntry, useNewRun } from './newRunStore';
import type { FolderFile, PickedSource } from './pickedFiles';
import { MAX_UPLOAD_BYTES, UploadAborted, uploadBlob } from './uploadFile';

const limit = createLimiter(2);
const controllers = new Map<string, AbortController>();
let nextId = 1;

/** Why this file cannot be an input, before anything is sent, or null. */
async function refusal(file: File, name: string): Promise<string | null> {
  if (file.size > MAX_UPLOAD_BYTES) return `${name} is ${formatBytes(file.size)}; a file can be at most 4 GB`;
  const kind = await sniffBlob(file);
  return kind ? `${name} looks like ${kind}; RLMScope reads text files only` : null;
}

export function addSources(api: RlmApi, sources: readonly PickedSource[]): void {
  for (const source of sources) {
    const id = `in-${nextId++}`;
    const files: FolderFile[] = source.kind === 'file' ? [{ path: source.file.name, file: source.file }] : source.files;
    const entry: InputEntry = {
      id,
      kind: source.kind,
      name: source.kind === 'file' ? source.file.name : source.name,
      files: files.length,
      bytes: files.reduce((sum, f) => sum + f.file.size, 0),
      sent: 0,
      status: 'checking',
      error: null,
      skipped: [],
      uploadIds: [],
    };
    const controller = new AbortController();
    controllers.set(id, controller);
    useNewRun.setState((s) => ({ entries: [...s.entries, entry], errors: { ...s.errors, inputs: undefined }, startError: null }));
    void receive(api, entry, files, controller).finally(() => controllers.delete(id));
  }
}

async function receive(api: RlmApi, entry: InputEntry, files: FolderFile[], controller: AbortController): Promise<void> {
  const { signal } = controller;
  const accepted: FolderFile[] = [];
  const skipped: string[] = [];
  for (const f of files) {
    const reason = await refusal(f.file, f.path).catch((e: unknown) => `${f.path} cannot be read: ${describeError(e).message}`);
    if (signal.aborted) return;
    if (reason === null) accepted.push(f);
    else if (entry.kind === 'file') return updateEntry(entry.id, { status: 'refused', error: reason });
    else skipped.push(reason);
  }
  if (accepted.length === 0) {
    return updateEntry(entry.id, { status: 'refused', error: `${entry.name} has no text files`, skipped, files: 0, bytes: 0 });
  }
  updateEntry(entry.id, { status: 'uploading', skipped, files: accepted.length, bytes: accepted.reduce((sum, f) => sum + f.file.size, 0) });

  const sentByFile = new Map<string, number>();
  const progress = (path: string, sent: number) => {
    sentByFile.set(path, sent);
    let total = 0;
    for (const n of sentByFile.values()) total += n;
    updateEntry(entry.id, { sent: total });
  };
  const ids: Array<string | null> = accepted.map(() => null);
  let failure: ErrorData | null = null;
  await Promise.all(
    accepted.map((f, i) =>
      limit(async () => {
        if (signal.aborted) return;
        try {
          ids[i] = await uploadBlob(api, f.file, { name: f.path, signal, onProgress: (sent) => progress(f.path, sent) });
        } catch (error) {
          if (error instanceof UploadAborted || signal.aborted) return;
          const data = describeError(error);
          // A folder leaves out a file the service finds binary, as the service does with a folder on disk.
          if (entry.kind === 'folder' && data.code === 'BINARY_FILE') {
            sentByFile.delete(f.path);
            updateEntry(entry.id, (e) => ({ skipped: [...e.skipped, data.message], files: e.files - 1, bytes: e.bytes - f.file.size }));
            return;
          }
          failure ??= data;
          controller.abort(); // the entry cannot be used: stop its other files
        }
      }),
    ),
  );
  const received = ids.filter((id): id is string => id !== null);
  if (failure !== null || signal.aborted) {
    for (const uploadId of received) api.call('uploads.cancel', { uploadId }).catch(() => undefined);
    const error = failure as ErrorData | null;
    if (error) updateEntry(entry.id, { status: error.code === 'BINARY_FILE' ? 'refused' : 'failed', error: error.message });
    return;
  }
  if (received.length === 0) return updateEntry(entry.id, { status: 'refused', error: `${entry.name} has no text files` });
  updateEntry(entry.id, { status: 'done', uploadIds: received });
}

/** Removes an entry; its uploads are cancelled (in flight) or released (received). */
export function removeEntry(api: RlmApi, id: string): void {
  const entry = useNewRun.getState().entries.find((e) => e.id === id);
  controllers.get(id)?.abort();
  controllers.delete(id);
  useNewRun.setState((s) => ({ entries: s.entries.filter((e) => e.id !== id) }));
  for (const uploadId of entry?.uploadIds ?? []) api.call('uploads.cancel', { uploadId }).catch(() => undefined);
}

/** Resolves once no entry is being checked or uploaded. */
export function whenUploadsSettle(): Promise<void> {
  return new Promise((resolve) => {
    const settled = () => !useNewRun.getState().entries.some(isActive);
    if (settled()) return resolve();
    const unsubscribe = useNewRun.subscribe(() => {
      if (!settled()) return;
      unsubscribe();
      resolve();
    });
  });
}
