import { describe, expect, it } from 'vitest';
import { groupPicked, isSkippedPath, walkFolder, type EntryLike } from './pickedFiles';

const file = (name: string, text = name) => new File([text], name);

/** A directory entry whose reader hands out its children in batches of two, as real ones batch. */
function dir(name: string, children: EntryLike[]): EntryLike {
  return {
    isFile: false,
    isDirectory: true,
    name,
    createReader() {
      let next = 0;
      return {
        readEntries(success) {
          const batch = children.slice(next, next + 2);
          next += batch.length;
          setTimeout(() => success(batch), 0);
        },
      };
    },
  };
}

function fileEntry(name: string): EntryLike {
  return { isFile: true, isDirectory: false, name, file: (success) => success(file(name)) };
}

describe('walkFolder', () => {
  it('finds every file, batch after batch, skipping hidden and dependency folders', async () => {
    const root = dir('docs', [
      fileEntry('b.txt'),
      fileEntry('a.txt'),
      fileEntry('.DS_Store'),
      dir('notes', [fileEntry('n1.md'), dir('deep', [fileEntry('x.txt')])]),
      dir('node_modules', [fileEntry('skip.js')]),
      dir('.git', [fileEntry('HEAD')]),
    ]);
    const source = await walkFolder(root);
    expect(source.kind).toBe('folder');
    if (source.kind !== 'folder') return;
    expect(source.name).toBe('docs');
    expect(source.files.map((f) => f.path)).toEqual(['docs/a.txt', 'docs/b.txt', 'docs/notes/deep/x.txt', 'docs/notes/n1.md']);
  });
});

describe('groupPicked', () => {
  it('groups a picked folder by its top folder, and keeps loose files apart', () => {
    const sources = groupPicked([
      { file: file('z.txt'), relativePath: 'proj/z.txt' },
      { file: file('loose.txt'), relativePath: '' },
      { file: file('a.txt'), relativePath: 'proj/src/a.txt' },
      { file: file('dep.js'), relativePath: 'proj/node_modules/x/dep.js' },
      { file: file('.env'), relativePath: 'proj/.env' },
    ]);
    expect(sources.map((s) => (s.kind === 'file' ? s.file.name : `${s.name}: ${s.files.map((f) => f.path).join(', ')}`))).toEqual([
      'proj: proj/src/a.txt, proj/z.txt',
      'loose.txt',
    ]);
  });
});

describe('isSkippedPath', () => {
  it('skips what the service skips in a folder', () => {
    expect(isSkippedPath('a/.hidden/b.txt')).toBe(true);
    expect(isSkippedPath('node_modules/x.js')).toBe(true);
    expect(isSkippedPath('src/node_modules')).toBe(false);
    expect(isSkippedPath('src/a.txt')).toBe(false);
  });
});
