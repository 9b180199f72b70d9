// The built page's files (out/renderer), and nothing else on the disk. The page routes with
// `#/...`, so any other path that does not name an asset gets index.html.
import { existsSync } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import { extname, join, sep } from 'node:path';
import { pageContentType } from '../page/pagePolicy';
import { packageRoot } from '../sandbox/host/harnessPath';

/** Where `npm run build` (electron-vite) puts the page. */
export function defaultRendererDir(): string {
  return join(packageRoot(), 'out', 'renderer');
}

export class RendererMissingError extends Error {
  constructor(dir: string) {
    super(`the page is not built (no index.html in ${dir}): run npm run build first`);
    this.name = 'RendererMissingError';
  }
}

/** The folder's real path (symlinks resolved), once it is known to hold the page. */
export async function openRendererDir(dir: string): Promise<string> {
  if (!existsSync(join(dir, 'index.html'))) throw new RendererMissingError(dir);
  return realpath(dir);
}

export function contentTypeOf(path: string): string {
  return pageContentType(path) ?? 'application/octet-stream';
}

export type StaticFile =
  | { kind: 'file'; path: string; size: number; contentType: string; isIndex: boolean }
  | { kind: 'notFound' };

/** A path names an asset (and gets a 404 when missing) if it has an extension or is under assets/. */
function looksLikeAsset(segments: readonly string[]): boolean {
  return segments[0] === 'assets' || extname(segments[segments.length - 1] ?? '') !== '';
}

/**
 * The file for a request's decoded segments (already free of `..`, dotfiles and separators:
 * requestGuard.parseTarget).
 *
 * SECURITY: the joined path is resolved with realpath and must still lie inside the folder's own
 * real path, so a symlink inside out/renderer cannot lead anywhere else. Only regular files are
 * served.
 */
export async function resolveStatic(rootReal: string, segments: readonly string[]): Promise<StaticFile> {
  if (segments.length === 0) return fileInside(rootReal, 'index.html');
  const found = await fileInside(rootReal, ...segments);
  if (found.kind === 'file' || looksLikeAsset(segments)) return found;
  return fileInside(rootReal, 'index.html');
}

async function fileInside(rootReal: string, ...segments: string[]): Promise<StaticFile> {
  let real: string;
  try {
    real = await realpath(join(rootReal, ...segments));
  } catch {
    return { kind: 'notFound' };
  }
  if (!real.startsWith(rootReal + sep)) return { kind: 'notFound' };
  const info = await stat(real).catch(() => null);
  if (!info?.isFile()) return { kind: 'notFound' };
  return { kind: 'file', path: real, size: info.size, contentType: contentTypeOf(real), isIndex: real === join(rootReal, 'index.html') };
}
