// The app scheme's file server against a real folder: what the page may load, and every way of
// reaching outside the renderer folder that must fail.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contentTypeOf, resolveAppPath, serveAppRequest } from './appProtocol';
import { CONTENT_SECURITY_POLICY } from './securityPolicy';

let base: string;
let root: string;

beforeAll(() => {
  base = mkdtempSync(join(tmpdir(), 'rlmscope-app-protocol-'));
  root = join(base, 'renderer');
  mkdirSync(join(root, 'assets'), { recursive: true });
  writeFileSync(join(root, 'index.html'), '<!doctype html><title>RLMScope</title>');
  writeFileSync(join(root, 'assets', 'index-1.js'), 'export const x = 1;');
  writeFileSync(join(root, 'assets', 'editor.worker-2.js'), 'self.onmessage = () => {};');
  writeFileSync(join(root, 'assets', 'index-3.css'), 'body{}');
  writeFileSync(join(root, 'assets', 'codicon-4.ttf'), Buffer.from([0, 1, 0, 0]));
  writeFileSync(join(root, 'assets', 'name with space.svg'), '<svg/>');
  writeFileSync(join(root, 'assets', 'notes.unknownext'), 'x');
  // Outside the renderer folder: what a traversal would be after.
  writeFileSync(join(base, 'secret.json'), '{"apiKey":"sk-do-not-serve"}');
  writeFileSync(join(base, 'renderer-sibling.js'), 'sibling');
  symlinkSync(join(base, 'secret.json'), join(root, 'assets', 'link.json'));
  symlinkSync(base, join(root, 'up'));
});

afterAll(() => rmSync(base, { recursive: true, force: true }));

const get = (url: string) => serveAppRequest({ url, method: 'GET' }, root);

describe('serveAppRequest: what the page loads', () => {
  it('serves the page at / and /index.html as HTML, with our CSP', async () => {
    for (const url of ['app://rlmscope/', 'app://rlmscope/index.html', 'app://rlmscope/index.html#/runs/r-1', 'app://rlmscope/?x=1']) {
      const response = await get(url);
      expect(response.status, url).toBe(200);
      expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(response.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(await response.text()).toContain('<title>RLMScope</title>');
    }
  });

  it('serves scripts, module workers, styles and fonts with the type a module loader requires', async () => {
    const cases: Array<[string, string]> = [
      ['assets/index-1.js', 'text/javascript; charset=utf-8'],
      ['assets/editor.worker-2.js', 'text/javascript; charset=utf-8'],
      ['assets/index-3.css', 'text/css; charset=utf-8'],
      ['assets/codicon-4.ttf', 'font/ttf'],
      ['assets/name%20with%20space.svg', 'image/svg+xml'],
    ];
    for (const [path, type] of cases) {
      const response = await get(`app://rlmscope/${path}`);
      expect(response.status, path).toBe(200);
      expect(response.headers.get('content-type'), path).toBe(type);
      expect(response.headers.get('content-security-policy'), path).toBe(CONTENT_SECURITY_POLICY);
    }
    expect(Buffer.from(await (await get('app://rlmscope/assets/codicon-4.ttf')).arrayBuffer())).toEqual(Buffer.from([0, 1, 0, 0]));
  });

  it('answers HEAD without a body and refuses other methods', async () => {
    const head = await serveAppRequest({ url: 'app://rlmscope/index.html', method: 'HEAD' }, root);
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
    const post = await serveAppRequest({ url: 'app://rlmscope/index.html', method: 'POST' }, root);
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
    expect(post.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
  });
});

describe('serveAppRequest: nothing outside the renderer folder', () => {
  it('answers 404, with our CSP, to every traversal, encoded or not', async () => {
    for (const url of [
      'app://rlmscope/../secret.json',
      'app://rlmscope/assets/../../secret.json',
      'app://rlmscope/%2e%2e/secret.json',
      'app://rlmscope/%2E%2E/secret.json',
      'app://rlmscope/.%2e/secret.json',
      'app://rlmscope/..%2fsecret.json',
      'app://rlmscope/assets%2f..%2f..%2fsecret.json',
      'app://rlmscope/..%5csecret.json',
      'app://rlmscope/assets/..%5c..%5csecret.json',
      'app://rlmscope/%252e%252e/secret.json',
      'app://rlmscope/index.html%00.js',
      'app://rlmscope/C:%5cWindows%5cwin.ini',
      'app://rlmscope/%2fetc%2fpasswd',
      'app://rlmscope//etc/passwd',
      'app://rlmscope/%E0%A4%A',
      `app://rlmscope/${encodeURIComponent(join(base, 'secret.json'))}`,
    ]) {
      const response = await get(url);
      expect(response.status, url).toBe(404);
      expect(response.headers.get('content-security-policy'), url).toBe(CONTENT_SECURITY_POLICY);
      expect(await response.text(), url).not.toContain('sk-do-not-serve');
    }
  });

  it('does not follow links that lead out of the folder', async () => {
    expect((await get('app://rlmscope/assets/link.json')).status).toBe(404);
    expect((await get('app://rlmscope/up/secret.json')).status).toBe(404);
  });

  it('serves one host of one scheme only', async () => {
    for (const url of [
      'app://other/index.html',
      'app://rlmscope.evil/index.html',
      'app://rlmscope:1234/index.html',
      'app://user@rlmscope/index.html',
      'file:///etc/passwd',
      `file://${join(root, 'index.html')}`,
      'https://rlmscope/index.html',
      'not a url',
    ]) {
      expect((await get(url)).status, url).toBe(404);
    }
  });

  it('answers 404 for folders, missing files and types the build never emits', async () => {
    for (const url of ['app://rlmscope/assets', 'app://rlmscope/assets/', 'app://rlmscope/missing.js', 'app://rlmscope/assets/notes.unknownext']) {
      expect((await get(url)).status, url).toBe(404);
    }
  });
});

describe('resolveAppPath', () => {
  it('maps a URL to a file under the root, or to nothing', () => {
    expect(resolveAppPath('app://rlmscope/', root)).toBe(join(root, 'index.html'));
    expect(resolveAppPath('app://rlmscope/assets/a%20b.js', root)).toBe(join(root, 'assets', 'a b.js'));
    expect(resolveAppPath('app://rlmscope/a/./b.js', root)).toBe(join(root, 'a', 'b.js'));
    expect(resolveAppPath('app://rlmscope/..%2f..%2fx.js', root)).toBeNull();
    expect(resolveAppPath('app://rlmscope/a/', root)).toBeNull();
  });

  it('refuses encoded separators, dot segments, NUL and drive letters itself, even where the result would stay inside', () => {
    // The first of two layers (the second checks the real path): each must hold on its own.
    for (const url of [
      'app://rlmscope/assets%2f..%2findex.html',
      'app://rlmscope/assets%2findex-1.js',
      'app://rlmscope/assets%5cindex-1.js',
      'app://rlmscope/assets/%2e%2e%2findex.html',
      'app://rlmscope/index.html%00',
      'app://rlmscope/C:%5cindex.html',
      'app://rlmscope/assets/x:y.js',
    ]) {
      expect(resolveAppPath(url, root), url).toBeNull();
    }
  });

  it('knows the content type of what the build emits, and of nothing else', () => {
    expect(contentTypeOf('/x/index.HTML')).toBe('text/html; charset=utf-8');
    expect(contentTypeOf('/x/a.mjs')).toBe('text/javascript; charset=utf-8');
    expect(contentTypeOf('/x/a.woff2')).toBe('font/woff2');
    expect(contentTypeOf('/x/a.exe')).toBeNull();
    expect(contentTypeOf('/x/Makefile')).toBeNull();
  });
});
