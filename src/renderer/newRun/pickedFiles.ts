// What the user dropped or picked, as files and folders. A dropped folder is walked with the
// FileSystem entry API (webkitGetAsEntry); a folder picked with <input webkitdirectory> arrives
// as a flat list with relative paths. Both skip what the service skips in a folder on disk
// (src/main/input/resolveInputs.ts): hidden files and folders, node_modules and version control.

export interface FolderFile {
  /** The path within the picked folder's parent: "docs/notes/a.txt". */
  path: string;
  file: File;
}

export type PickedSource = { kind: 'file'; file: File } | { kind: 'folder'; name: string; files: FolderFile[] };

const SKIPPED_DIRECTORIES = new Set(['node_modules']);

/** Whether the service would skip this path inside a folder. */
export function isSkippedPath(path: string): boolean {
  const parts = path.split('/').filter(Boolean);
  return parts.some((part, i) => part.startsWith('.') || (i < parts.length - 1 && SKIPPED_DIRECTORIES.has(part)));
}

/** Groups files picked with webkitdirectory (or given with relative paths) by their top folder. */
export function groupPicked(files: ReadonlyArray<{ file: File; relativePath: string }>): PickedSource[] {
  const sources: PickedSource[] = [];
  const folders = new Map<string, FolderFile[]>();
  for (const { file, relativePath } of files) {
    const slash = relativePath.indexOf('/');
    if (slash <= 0) {
      sources.push({ kind: 'file', file });
      continue;
    }
    const top = relativePath.slice(0, slash);
    if (isSkippedPath(relativePath.slice(slash + 1))) continue;
    let list = folders.get(top);
    if (!list) {
      list = [];
      folders.set(top, list);
      sources.push({ kind: 'folder', name: top, files: list });
    }
    list.push({ path: relativePath, file });
  }
  for (const list of folders.values()) list.sort((a, b) => a.path.localeCompare(b.path));
  return sources;
}

/** The parts of FileSystemEntry used here (tests pass plain objects). */
export interface EntryLike {
  isFile: boolean;
  isDirectory: boolean;
  name: string;
  file?(success: (file: File) => void, failure?: (error: unknown) => void): void;
  createReader?(): { readEntries(success: (entries: EntryLike[]) => void, failure?: (error: unknown) => void): void };
}

function entryFile(entry: EntryLike): Promise<File> {
  return new Promise((resolve, reject) => entry.file?.(resolve, reject));
}

/** A directory reader hands out entries in batches (100 in Chromium) until it hands out none. */
async function readAll(entry: EntryLike): Promise<EntryLike[]> {
  const reader = entry.createReader?.();
  if (!reader) return [];
  const all: EntryLike[] = [];
  for (;;) {
    const batch = await new Promise<EntryLike[]>((resolve, reject) => reader.readEntries(resolve, reject));
    if (batch.length === 0) return all;
    all.push(...batch);
  }
}

/** Every file under a dropped folder, walked breadth-first without recursion (deep trees exist). */
export async function walkFolder(root: EntryLike): Promise<PickedSource> {
  const files: FolderFile[] = [];
  const pending: Array<{ entry: EntryLike; path: string }> = [{ entry: root, path: root.name }];
  while (pending.length > 0) {
    const { entry, path } = pending.shift() as { entry: EntryLike; path: string };
    for (const child of await readAll(entry)) {
      const childPath = `${path}/${child.name}`;
      if (child.name.startsWith('.')) continue;
      if (child.isDirectory) {
        if (!SKIPPED_DIRECTORIES.has(child.name)) pending.push({ entry: child, path: childPath });
      } else if (child.isFile) {
        files.push({ path: childPath, file: await entryFile(child) });
      }
    }
  }
  files.sort((a, b) => a.path.localeCompare(b.path));
  return { kind: 'folder', name: root.name, files };
}

/** What a drop carried. Entries must be taken during the drop event itself: the browser empties the DataTransfer after it. */
export function takeDropped(data: DataTransfer): Array<Promise<PickedSource>> {
  const taken: Array<Promise<PickedSource>> = [];
  for (const item of Array.from(data.items ?? [])) {
    if (item.kind !== 'file') continue;
    const entry = (item.webkitGetAsEntry?.() ?? null) as EntryLike | null;
    if (entry?.isDirectory) {
      taken.push(walkFolder(entry));
      continue;
    }
    // A DataTransfer built by a script (tests, other apps) may have no entries: its file is enough.
    const file = item.getAsFile();
    if (file) taken.push(Promise.resolve({ kind: 'file', file }));
  }
  if (taken.length === 0) for (const file of Array.from(data.files ?? [])) taken.push(Promise.resolve({ kind: 'file', file }));
  return taken;
}
