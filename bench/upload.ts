// Browser mode's upload, as a user does it: a 200 MB text file picked on the New run screen of
// Chromium (Debian's, as in the e2e tests), sent over loopback to `rlmscope serve` until its line
// reads "ready". The baseline is the same bytes copied file to file on this disk in this process:
// what the upload could reach if the page and the wire cost nothing. The page's long tasks (over
// 50 ms, Chromium's own count) are watched meanwhile: the page must stay responsive.
import { createReadStream, createWriteStream, rmSync } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { join } from 'node:path';
import { chromium } from '@playwright/test';
import { startBrowserServer } from '../src/main/server/browserServer';
import { defaultRendererDir } from '../src/main/server/staticFiles';
import { createServeService } from '../src/main/server/serveService';
import { writeLogFile } from './logFile';
import { MB } from './measure';
import { figure, type Figure } from './report';

const CHROMIUM = process.env.RLMSCOPE_CHROMIUM || '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const UPLOAD_MB = 200;
const LONG_TASK_MS = 50;

/** Installed before the page loads: Chromium's long tasks, kept for the measurement. */
const WATCH_LONG_TASKS = `
  globalThis.__longTasks = [];
  new PerformanceObserver((list) => { for (const e of list.getEntries()) globalThis.__longTasks.push({ start: e.startTime, ms: e.duration }); })
    .observe({ type: 'longtask', buffered: true });
`;

export async function benchUpload(dir: string): Promise<Figure[]> {
  const bytes = UPLOAD_MB * MB;
  const file = join(dir, 'upload-input.log');
  writeLogFile(file, bytes);
  const copyStarted = performance.now();
  await pipeline(createReadStream(file), createWriteStream(join(dir, 'upload-copy.log')));
  const copyMs = performance.now() - copyStarted;
  rmSync(join(dir, 'upload-copy.log'));

  const service = createServeService({ dbPath: join(dir, 'upload.db'), env: { RLMSCOPE_HOME: join(dir, 'upload-home'), OPENAI_BASE_URL: 'http://127.0.0.1:9', OPENAI_API_KEY: 'bench' } });
  const server = await startBrowserServer({ api: service, downloads: service.downloads, uploads: service.uploads, rendererDir: defaultRendererDir(), port: 0, log: () => undefined });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 820 } });
    await page.addInitScript(WATCH_LONG_TASKS);
    await page.goto(server.url);
    await page.getByRole('button', { name: 'New run', exact: true }).click();
    const ready = page.getByRole('list', { name: 'Chosen inputs' }).getByText('ready');
    const started = await page.evaluate(() => performance.now());
    await page.getByLabel('Add files').setInputFiles(file);
    await ready.waitFor({ timeout: 600_000 });
    const ended = await page.evaluate(() => performance.now());
    const tasks = await page.evaluate((from) => (globalThis as unknown as { __longTasks: { start: number; ms: number }[] }).__longTasks.filter((t) => t.start >= from), started);
    const seconds = (ended - started) / 1000;
    const rate = UPLOAD_MB / seconds;
    const worst = tasks.reduce((max, t) => Math.max(max, t.ms), 0);
    return [
      figure({
        id: 'upload.browserMBps',
        title: 'Upload: browser mode, 200 MB',
        unit: 'MB/s',
        value: rate,
        baseline: UPLOAD_MB / (copyMs / 1000),
        baselineName: 'file copy on this disk',
        goal: { on: 'value', op: '>=', target: 200 },
        note: `a ${UPLOAD_MB} MB text file picked with "Add files" on the New run screen of Chromium until its line reads "ready" (${seconds.toFixed(2)} s); the page's tasks over ${LONG_TASK_MS} ms meanwhile: ${tasks.length}${tasks.length ? ` (worst ${worst.toFixed(0)} ms)` : ''}.`,
      }),
      figure({
        id: 'upload.longTasks',
        title: 'Upload: page tasks over 50 ms',
        unit: 'tasks',
        value: tasks.length,
        baseline: Number.NaN,
        baselineName: '—',
        goal: { on: 'value', op: '<=', target: 0 },
        note: `Chromium's long tasks (PerformanceObserver "longtask", each over ${LONG_TASK_MS} ms) on the page during the upload above; worst ${worst.toFixed(0)} ms.`,
      }),
    ];
  } finally {
    await browser.close();
    await server.close();
    await service.close();
    rmSync(file, { force: true });
  }
}
