// The inspector in Chromium (Debian's, as in the e2e tests), served by browser mode exactly as
// users run it: the time from opening a 100,000-node run to its tree showing, frame intervals
// while scrolling that tree, and frame intervals while a live run adds about 200 events a
// second to an open tree of 10,000 nodes. Baselines are measured in the same run: a ten-node
// run for opening, and an idle page (no scroll, no events: the display's own frame interval)
// for frames. The server runs in this process; the fake provider runs in its own, as a real
// provider is remote.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type CDPSession, type Page } from '@playwright/test';
import type { RlmEvent } from '../src/shared/api';
import { startBrowserServer } from '../src/main/server/browserServer';
import { defaultRendererDir } from '../src/main/server/staticFiles';
import { createServeService } from '../src/main/server/serveService';
import type { RlmService } from '../src/main/service/rlmService';
import { FAKE_PROVIDER, startNode, stop } from '../e2e/processes';
import { median, percentile } from './measure';
import { figure, type Figure } from './report';
import { ROOT, SUB, repl } from './scriptedModels';
import { frameIntervals, scrubFrameIntervals, openPhases, openRunAndTime, showRunsList, treeRowCount, wholeIndexLoaded } from './uiPage';
import { writeUiRuns } from './uiRuns';

const CHROMIUM = process.env.RLMSCOPE_CHROMIUM || '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
/**
 * One frame of a 60 Hz display, with 2% for timer jitter: an animation frame cannot come sooner
 * than the display's next one, so "no frame later than one display interval" is the goal (the
 * issue's 16 ms is below what requestAnimationFrame can measure).
 */
const FRAME_MS = (1000 / 60) * 1.02;
const OPENS = 3;
const MEASURE_MS = 4000;
/** Steps the Step slider moves per frame while scrubbing: a thumb dragged across 200,000 steps in a few seconds. */
const SCRUB_STRIDE = 500;
/** The live run: fast sub-calls build the 10,000-node tree, then slow ones arrive at a steady pace. */
const LIVE_FAST_CALLS = 10_000;
const LIVE_SLOW_CALLS = 4000;
const LIVE_CONCURRENCY = 8;
const LIVE_SLOW_DELAY_MS = 120;

function liveRules(): unknown[] {
  const code = [
    `await llm_query_batched(Array.from({ length: ${LIVE_FAST_CALLS} }, (_, i) => 'fast ' + i));`,
    `await llm_query_batched(Array.from({ length: ${LIVE_SLOW_CALLS} }, (_, i) => 'slow ' + i));`,
    `FINAL('done')`,
  ].join('\n');
  const usage = { prompt_tokens: 40, completion_tokens: 2 };
  return [
    { match: { model: SUB, contains: 'slow' }, reply: { text: 'ok', usage, delayMs: LIVE_SLOW_DELAY_MS } },
    { match: { model: SUB }, reply: { text: 'ok', usage } },
    { match: { model: ROOT, turn: 0 }, reply: { text: repl(code), usage } },
    { match: { model: ROOT }, reply: { text: 'FINAL(done)', usage } },
  ];
}

async function until(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function openPage(browser: Browser, url: string): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 820 } });
  // tsx compiles the measuring functions with esbuild's keepNames, which wraps named functions
  // in a `__name` helper that exists here but not in the page they are sent to.
  await page.addInitScript('globalThis.__name = (fn) => fn;');
  await page.goto(url);
  await page.getByRole('button', { name: 'New run' }).waitFor();
  return page;
}

/** Opens the run from the runs list each time (a fresh run view), and returns the median. */
async function timeOpen(page: Page, runId: string, whole: boolean): Promise<{ ms: number; phases: string; wholeMs: number }> {
  const times: number[] = [];
  const phases: Record<string, number>[] = [];
  for (let i = 0; i < OPENS; i++) {
    await page.evaluate(showRunsList);
    await page.getByRole('button', { name: 'New run' }).waitFor();
    times.push(await page.evaluate(openRunAndTime, runId));
    if (whole) await page.evaluate(wholeIndexLoaded);
    phases.push(await page.evaluate(openPhases));
  }
  const names = Object.keys(phases[0] ?? {});
  const text = names.map((name) => `${name} ${median(phases.map((p) => p[name] ?? Number.NaN)).toFixed(0)} ms`).join(', ');
  return { ms: median(times), phases: text, wholeMs: median(phases.map((p) => p.whole ?? Number.NaN)) };
}

/** Chromium's own count of the time the page's main thread spent running tasks. */
async function mainThreadBusySeconds(cdp: CDPSession): Promise<number> {
  const { metrics } = (await cdp.send('Performance.getMetrics')) as { metrics: { name: string; value: number }[] };
  return metrics.find((m) => m.name === 'TaskDuration')?.value ?? Number.NaN;
}

async function liveFigure(service: RlmService, page: Page, idleP95: number): Promise<Figure> {
  let added = 0;
  let windowEvents = 0;
  let counting = false;
  const unsubscribe = service.subscribe(null, (event: RlmEvent) => {
    if (event.type === 'run.nodeAdded') added++;
    if (counting) windowEvents++;
  });
  try {
    const { runId } = await service.call('runs.start', {
      query: 'live benchmark',
      inputs: [{ kind: 'text', name: 'lines', text: 'a\nb\nc' }],
      limits: { concurrency: LIVE_CONCURRENCY, maxCalls: 100_000, maxSeconds: 600 },
    });
    await until(() => added >= LIVE_FAST_CALLS, 300_000, 'the live run to reach 10,000 nodes');
    await page.evaluate(openRunAndTime, runId);
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Performance.enable');
    const busyBefore = await mainThreadBusySeconds(cdp);
    counting = true;
    const started = performance.now();
    const intervals = await page.evaluate(frameIntervals, { durationMs: MEASURE_MS, scrollPx: 0 });
    const seconds = (performance.now() - started) / 1000;
    counting = false;
    const busy = (await mainThreadBusySeconds(cdp)) - busyBefore;
    const rate = windowEvents / seconds;
    const rows = await page.evaluate(treeRowCount);
    await service.call('runs.stop', { runId });
    return figure({
      id: 'ui.liveFrameP95',
      title: 'UI: frame p95, live run',
      unit: 'ms',
      value: percentile(intervals, 95),
      baseline: idleP95,
      baselineName: 'idle page',
      goal: { on: 'value', op: '<=', target: FRAME_MS },
      note: `p95 interval between animation frames over ${MEASURE_MS / 1000} s while a live run of ${added.toLocaleString('en-US')}+ nodes sent ${rate.toFixed(0)} events/s to the open tree (${rows} rows in the DOM; the page's main thread was busy ${((100 * busy) / seconds).toFixed(0)}% of the time).`,
    });
  } finally {
    unsubscribe();
  }
}

export async function benchUi(dir: string): Promise<Figure[]> {
  const home = join(dir, 'ui-home');
  const dbPath = join(dir, 'ui.db');
  const runs = await writeUiRuns(dbPath);
  const rulesPath = join(dir, 'ui-rules.json');
  writeFileSync(rulesPath, JSON.stringify(liveRules()));
  const provider = await startNode(FAKE_PROVIDER, ['--rules', rulesPath], {});
  const { url: providerUrl } = JSON.parse(provider.firstLine) as { url: string };
  const service = createServeService({
    dbPath,
    env: { RLMSCOPE_HOME: home, OPENAI_BASE_URL: providerUrl, OPENAI_API_KEY: 'bench', RLMSCOPE_ROOT_MODEL: ROOT, RLMSCOPE_SUB_MODEL: SUB },
  });
  const server = await startBrowserServer({ api: service, rendererDir: defaultRendererDir(), port: 0, log: () => undefined });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  try {
    const page = await openPage(browser, server.url);
    const small = await timeOpen(page, runs.small, false);
    const big = await timeOpen(page, runs.big, true);
    // Finished cells of thousands of calls open collapsed: scroll every row.
    await page.getByRole('button', { name: 'Expand all' }).click();
    await page.waitForFunction(treeRowCount);
    const idle = await page.evaluate(frameIntervals, { durationMs: MEASURE_MS, scrollPx: 0 });
    const scrolling = await page.evaluate(frameIntervals, { durationMs: MEASURE_MS, scrollPx: 240 });
    const idleP95 = percentile(idle, 95);
    const scrubbing = await page.evaluate(scrubFrameIntervals, { durationMs: MEASURE_MS, stride: SCRUB_STRIDE });
    const figures = [
      figure({
        id: 'ui.open100k',
        title: 'UI: open a 100k-node run',
        unit: 'ms',
        value: big.ms,
        baseline: small.ms,
        baselineName: '10-node run',
        goal: { on: 'value', op: '<=', target: 1000 },
        note: `median of ${OPENS} opens of a ${runs.bigNodes.toLocaleString('en-US')}-node run, from the route change to the first tree rows drawn (the first page of its index); medians of the phases of that page: ${big.phases.replace(/, whole.*$/, '')} (fetch: the service reading the index and the WebSocket carrying it).`,
      }),
      figure({
        id: 'ui.open100kWhole',
        title: 'UI: whole 100k index loaded',
        unit: 'ms',
        value: big.wholeMs,
        baseline: small.ms,
        baselineName: '10-node run',
        // Issue 13's bar.
        goal: { on: 'value', op: '<=', target: 300 },
        note: `from the route change until all of the index has arrived and the tree is live (the first rows are already shown meanwhile); the index is ${(runs.indexCache.bytes / 1e6).toFixed(1)} MB (${(runs.indexCache.bytes / runs.bigNodes).toFixed(0)} bytes a node). The run's index was stored encoded when it ended (${runs.indexCache.chunks} chunks in ${runs.indexCache.ms.toFixed(0)} ms, in the background), as a real run's is.`,
      }),
      figure({
        id: 'ui.scrollFrameP95',
        title: 'UI: frame p95, scrolling 100k',
        unit: 'ms',
        value: percentile(scrolling, 95),
        baseline: idleP95,
        baselineName: 'idle page',
        goal: { on: 'value', op: '<=', target: FRAME_MS },
        note: `p95 interval between animation frames (goal: no later than one 60 Hz display interval) over ${MEASURE_MS / 1000} s while the 100k-node tree scrolls 240 px every frame (${scrolling.length} frames; worst ${Math.max(...scrolling).toFixed(1)} ms).`,
      }),
      figure({
        id: 'ui.scrubFrameP95',
        title: 'UI: frame p95, scrubbing 100k',
        unit: 'ms',
        value: percentile(scrubbing, 95),
        baseline: idleP95,
        baselineName: 'idle page',
        goal: { on: 'value', op: '<=', target: FRAME_MS },
        note: `p95 interval between animation frames over ${MEASURE_MS / 1000} s while the Step slider of the expanded 100k-node run moves ${SCRUB_STRIDE} steps every frame (a dragged thumb; ${scrubbing.length} frames; worst ${Math.max(...scrubbing).toFixed(1)} ms).`,
      }),
    ];
    figures.push(await liveFigure(service, page, idleP95));
    return figures;
  } finally {
    await browser.close();
    await server.close();
    await service.close();
    await stop(provider.child);
  }
}
