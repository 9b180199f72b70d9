// Turns what the user gave (files, folders, inline text, files the page uploaded) into the
// sandbox's inputs, refusing with a clear message what cannot be one: a missing or unreadable
// file, a binary file, a named pipe or device, more than the machine can hold. Folders are read
// recursively; binary files and pipes in them are skipped. Each file's encoding is judged from
// its head (UTF-16 by its BOM; not UTF-8: Windows-1252, with a warning); the rest of the file is
// checked when the run stores it (textCheck.ts).
import { readdir, stat } from 'node:fs/promises';
import { totalmem } from 'node:os';
import { basename, join, relative, resolve } from 'node:path';
import { RlmError } from '../../shared/errors';
import type { RunInput } from '../../shared/schemas';
import type { TextEncodingName } from '../../shared/textEncoding';
import { inspectFile, specialKind, type FileInspection } from './binaryCheck';
import { checkInputSize } from './inputSize';

/** A file received in full (uploads.begin/append): already checked to be text. */
export interface UploadedFile {
  name: string;
  path: string;
  bytes: number;
}

export interface ResolveOptions {
  /** Default: this machine's memory. */
  memoryBytes?: number;
  /** Finds a complete upload by id, or throws; without it an upload input is refused. */
  upload?: (uploadId: string) => UploadedFile;
}

/** A file's `encoding` is absent for UTF-8. */
export type ResolvedItem = { name: string; bytes: number } & ({ path: string; encoding?: TextEncodingName } | { text: string });

export interface ResolvedInputs {
  items: ResolvedItem[];
  /** What the sandbox process may read: the given files and folders. */
  readablePaths: string[];
  totalBytes: number;
  /** Several inputs (or a folder): `context` is an array. */
  asArray: boolean;
  warnings: string[];
}

const SKIPPED_DIRECTORIES = new Set(['node_modules', '.git', '.hg', '.svn']);

export async function resolveInputs(inputs: RunInput[], options: ResolveOptions = {}): Promise<ResolvedInputs> {
  const items: ResolvedItem[] = [];
  const readablePaths: string[] = [];
  const warnings: string[] = [];
  let folder = false;
  for (const input of inputs) {
    if (input.kind === 'text') {
      items.push({ name: input.name, text: input.text, bytes: Buffer.byteLength(input.text) });
      continue;
    }
    if (input.kind === 'upload') {
      if (!options.upload) throw new RlmError('INVALID_INPUT', 'uploaded files are not taken here; give a path instead');
      const file = options.upload(input.uploadId);
      readablePaths.push(file.path);
      // Checked to be text as it arrived; its encoding is judged here, like a file's.
      const inspected = await inspectOrThrow(file.path, file.name);
      items.push(withEncoding({ name: file.name, path: file.path, bytes: file.bytes }, inspected, warnings));
      continue;
    }
    const path = resolve(input.path);
    const info = await statOrThrow(path, input.path);
    readablePaths.push(path);
    if (info.isDirectory()) {
      folder = true;
      const found = await readFolder(path, warnings);
      if (found.length === 0) throw new RlmError('INVALID_INPUT', `the folder ${input.path} has no text files`);
      items.push(...found);
    } else {
      const inspected = await inspectOrThrow(path, input.path);
      if (!inspected.regular) throw new RlmError('INVALID_INPUT', `${input.path} is ${inspected.what}, not a file; RLMScope reads files and folders`);
      if (inspected.binary) throw new RlmError('BINARY_FILE', `${input.path} looks like ${inspected.binary}; RLMScope reads text files only`);
      items.push(withEncoding({ name: basename(path), path, bytes: inspected.size }, inspected, warnings));
    }
  }
  const totalBytes = items.reduce((sum, item) => sum + item.bytes, 0);
  checkInputSize(totalBytes, options.memoryBytes ?? totalmem());
  // Empty files are fine (a package's __init__.py), but an input that is empty throughout is
  // most likely a mistake (a wrong path, a file not yet written): the run goes ahead, told so.
  if (items.length > 0 && totalBytes === 0) {
    warnings.push(`the input is empty: ${items.length === 1 ? `${items[0]?.name} has 0 bytes` : `its ${items.length} files have 0 bytes`}, so context holds only empty text`);
  }
  return { items, readablePaths, totalBytes, asArray: folder || items.length > 1, warnings };
}

async function statOrThrow(path: string, shown: string) {
  try {
    return await stat(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new RlmError('FILE_NOT_FOUND', `no such file or folder: ${shown}`);
    throw new RlmError('FILE_UNREADABLE', `cannot read ${shown}: ${code ?? (error as Error).message}`);
  }
}

function withEncoding(item: { name: string; path: string; bytes: number }, inspected: FileInspection, warnings: string[]): ResolvedItem {
  if (!inspected.regular || inspected.encoding === 'utf-8') return item;
  if (inspected.encoding === 'windows-1252') {
    warnings.push(`${item.name} is not UTF-8: it was read as Windows-1252 (Latin-1); if its text looks wrong, save it as UTF-8`);
  }
  return { ...item, encoding: inspected.encoding };
}

async function inspectOrThrow(path: string, shown: string): Promise<FileInspection> {
  try {
    return await inspectFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new RlmError('FILE_UNREADABLE', `cannot read ${shown}: ${code === 'EACCES' ? 'permission denied' : (code ?? (error as Error).message)}`);
  }
}

async function readFolder(root: string, warnings: string[]): Promise<ResolvedItem[]> {
  const items: ResolvedItem[] = [];
  const pending = [root];
  while (pending.length > 0) {
    const dir = pending.shift() as string;
    const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name));
    for (const entry of entries) {
      if (entry.name.startsWith('.')) continue;
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!SKIPPED_DIRECTORIES.has(entry.name)) pending.push(path);
        continue;
      }
      const name = relative(root, path);
      if (entry.isFIFO() || entry.isSocket() || entry.isCharacterDevice() || entry.isBlockDevice()) {
        warnings.push(`skipped ${name}: it is ${specialKind(entry)}, not a file`);
        continue;
      }
      if (!entry.isFile()) continue;
      let inspected: FileInspection;
      try {
        inspected = await inspectFile(path);
      } catch {
        warnings.push(`skipped ${name}: it cannot be read`);
        continue;
      }
      if (!inspected.regular) {
        warnings.push(`skipped ${name}: it is ${inspected.what}, not a file`);
        continue;
      }
      if (inspected.binary) {
        warnings.push(`skipped ${name}: it looks like ${inspected.binary}`);
        continue;
      }
      items.push(withEncoding({ name, path, bytes: inspected.size }, inspected, warnings));
    }
  }
  return items;
}
