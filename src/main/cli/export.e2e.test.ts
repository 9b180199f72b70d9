// `rlmscope export` through the built command: the OTLP file of a run with a child RLM and failed
// nodes, a push to a collector on loopback, and every way it can be refused — each one line, a
// non-zero exit, no file left behind and the database untouched.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runCli, type CliResult } from '../testing/cli';
import { CliHarness, type Shown } from '../testing/cliHarness';
import { startCollector, type Collector } from '../testing/otlpCollector';
import { decodeOtlpJson, decodeOtlpProtobuf } from '../testing/otlpDecode';
import { isRootConversation, queryOf, repl, turn } from '../testing/serviceHarness';

const h = new CliHarness();
let runId = '';
let shown: Shown;
let collector: Collector | null = null;

beforeAll(async () => {
  await h.start();
  const input = h.file('doc.txt', 'hello world');
  const { json } = await h.run(
    (req) => {
      if (isRootConversation(req)) {
        if (turn(req) === 0) return { text: repl('try { await llm_query("boom") } catch (e) { print("failed:", e.message) }\nprint(await rlm_query("child q", "piece"))') };
        if (turn(req) === 1) return { text: repl('throw new Error("cell broke")') };
        return { text: 'FINAL(done)' };
      }
      if (queryOf(req) === 'child q') return { text: 'FINAL(child answer)' };
      return { status: 400, error: 'bad prompt' };
    },
    'What is here?',
    [input],
  );
  expect(json).toMatchObject({ status: 'completed', answer: 'done' });
  runId = json.runId as string;
  shown = await h.show(runId);
}, 60_000);
afterAll(() => h.stop());
afterEach(async () => {
  await collector?.close();
  collector = null;
});

const exportArgs = (...extra: string[]) => ['export', runId, '--db', h.dbPath, ...extra];
/** The one line a refusal prints, and that it is the only one. */
function refusal(result: CliResult): string {
  expect(result.code).toBe(2);
  expect(result.stdout).toBe('');
  const lines = result.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  return lines[0]!;
}
/** The folder's names, without a temp file left behind. */
function namesIn(folder: string): string[] {
  return readdirSync(folder).filter((name) => !name.startsWith('runs.db')).sort();
}

describe('rlmscope export, then rlmscope import on another machine (a fresh database)', () => {
  // Not in h.dir, whose files another test lists.
  const elsewhere = mkdtempSync(join(tmpdir(), 'rlm-roundtrip-'));
  afterAll(() => rmSync(elsewhere, { recursive: true, force: true }));
  it('restores a portable file equal node for node and payload for payload, under the same run id', async () => {
    const file = join(elsewhere, 'run.rlmscope');
    const exported = await runCli(exportArgs('-o', file));
    expect(exported.stderr).toBe('');
    expect(exported.stdout).toMatch(new RegExp(`^exported run ${runId} as rlmscope to `));
    expect(readFileSync(file).subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
    const other = join(elsewhere, 'other.db');
    const imported = await runCli(['import', file, '--db', other, '--json']);
    expect(imported.code).toBe(0);
    const { runs } = JSON.parse(imported.stdout) as { runs: Array<{ runId: string; origin: string; answer: string }> };
    expect(runs).toEqual([expect.objectContaining({ runId, origin: 'native', answer: 'done' })]);
    const restored = JSON.parse((await runCli(['show', runId, '--db', other, '--json'])).stdout) as Shown;
    expect(restored.nodes).toEqual(shown.nodes);
    expect({ ...restored.run, durationMs: null }).toEqual({ ...shown.run, durationMs: null });
    // Imported again: a second run under a new id, the first left as it was.
    const again = JSON.parse((await runCli(['import', file, '--db', other, '--json'])).stdout) as { runs: Array<{ runId: string }> };
    expect(again.runs[0]!.runId).not.toBe(runId);
  });

  it('writes the reference library\'s JSONL, which imports back with the same tree', async () => {
    const file = join(elsewhere, 'run.rlms.jsonl');
    expect((await runCli(exportArgs('--format', 'rlms', '-o', file))).code).toBe(0);
    const other = join(elsewhere, 'rlms.db');
    const imported = JSON.parse((await runCli(['import', file, '--db', other, '--json'])).stdout) as { runs: Array<{ runId: string; origin: string }> };
    expect(imported.runs).toEqual([expect.objectContaining({ origin: 'imported' })]);
    const back = JSON.parse((await runCli(['show', imported.runs[0]!.runId, '--db', other, '--json'])).stdout) as Shown;
    const shape = (s: Shown) => s.nodes.map((node) => `${node.depth}:${node.kind}:${node.status}`);
    expect(shape(back)).toEqual(shape(shown));
    expect(back.run.answer).toBe('done');
    // An imported run handed on as a portable file stays imported (its code is Python: never re-run).
    const portable = join(elsewhere, 'imported.rlmscope');
    expect((await runCli(['export', imported.runs[0]!.runId, '--db', other, '-o', portable])).code).toBe(0);
    const third = JSON.parse((await runCli(['import', portable, '--db', join(elsewhere, 'third.db'), '--json'])).stdout) as { runs: Array<{ origin: string; source: string }> };
    expect(third.runs).toEqual([expect.objectContaining({ origin: 'imported', source: 'run.rlms.jsonl' })]);
  });
});

describe('rlmscope export --format otlp -o FILE', () => {
  it('writes the run as OTLP/JSON, one span per node, and leaves the database as it was', async () => {
    const before = { bytes: readFileSync(h.dbPath), mtimeMs: statSync(h.dbPath).mtimeMs };
    const file = join(h.dir, 'run.otlp.json');
    const result = await runCli(exportArgs('--format', 'otlp', '-o', file));
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`exported run ${runId} as otlp to ${file} (${statSync(file).size.toLocaleString('en-US')} bytes)\n`);
    const request = decodeOtlpJson(readFileSync(file, 'utf8'));
    expect(request.spans).toHaveLength(shown.nodes.length);
    const idOf = new Map(request.spans.map((span) => [span.attributes['rlmscope.node.id'], span.spanId]));
    for (const [i, node] of shown.nodes.entries()) {
      const span = request.spans[i]!;
      expect(span.attributes['rlmscope.node.id']).toBe(node.id);
      expect(span.parentSpanId).toBe(node.parentId === null ? null : idOf.get(node.parentId));
      expect(span.name).toBe(node.kind === 'rlm' ? 'invoke_agent rlm' : node.kind === 'cell' ? 'execute_tool repl' : `chat ${node.model}`);
      expect(span.status.code).toBe(node.status === 'failed' ? 2 : 0);
    }
    expect(shown.nodes.filter((node) => node.kind === 'rlm').map((node) => node.depth)).toEqual([0, 1]);
    expect(shown.nodes.filter((node) => node.status === 'failed').map((node) => node.kind)).toEqual(['llm', 'cell']);
    expect(request.spans[0]!.attributes).toMatchObject({ 'input.value': 'What is here?', 'output.value': 'done' });
    expect({ bytes: readFileSync(h.dbPath), mtimeMs: statSync(h.dbPath).mtimeMs }).toEqual(before);
    expect(namesIn(h.dir)).toEqual(['doc.txt', 'prices.json', 'run.otlp.json']);
    // Exported again, over the first: the same bytes.
    const first = readFileSync(file);
    expect((await runCli(exportArgs('--format', 'otlp', '-o', file))).code).toBe(0);
    expect(readFileSync(file).equals(first)).toBe(true);
  });

  it('refuses an unknown run, an unknown format and a missing target, writing nothing', async () => {
    const file = join(h.dir, 'never.json');
    expect(refusal(await runCli(['export', 'r-nope', '--db', h.dbPath, '--format', 'otlp', '-o', file]))).toBe('rlmscope: no run r-nope');
    expect(refusal(await runCli(exportArgs('--format', 'csv', '-o', file)))).toBe(
      "rlmscope: option '--format <format>' argument 'csv' is invalid. Allowed choices are rlmscope, otlp, rlms.",
    );
    expect(refusal(await runCli(exportArgs('--format', 'otlp')))).toBe('rlmscope: export: give -o FILE, --otlp-endpoint URL, or both');
    expect(existsSync(file)).toBe(false);
    expect(namesIn(h.dir).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  it('keeps an existing file whole when the export fails, and refuses paths it cannot write', async () => {
    const kept = join(h.dir, 'kept.json');
    writeFileSync(kept, 'old contents');
    expect(refusal(await runCli(['export', 'r-nope', '--db', h.dbPath, '--format', 'rlms', '-o', kept]))).toBe('rlmscope: no run r-nope');
    expect(readFileSync(kept, 'utf8')).toBe('old contents');
    const missing = join(h.dir, 'no-such-folder', 'run.json');
    expect(refusal(await runCli(exportArgs('--format', 'otlp', '-o', missing)))).toBe(`rlmscope: cannot write ${missing}: the folder ${join(h.dir, 'no-such-folder')} does not exist`);
    const folder = join(h.dir, 'a-folder');
    mkdirSync(folder);
    expect(refusal(await runCli(exportArgs('--format', 'otlp', '-o', folder)))).toBe(`rlmscope: cannot write ${folder}: it is a folder`);
    const underFile = join(kept, 'run.json');
    expect(refusal(await runCli(exportArgs('--format', 'otlp', '-o', underFile)))).toBe(`rlmscope: cannot write ${underFile}: ${kept} is not a folder`);
    expect(refusal(await runCli(exportArgs('--format', 'otlp', '-o', h.dbPath)))).toBe(`rlmscope: cannot write ${h.dbPath}: it is the database being read`);
    expect(namesIn(h.dir).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });
});

describe('rlmscope export --otlp-endpoint URL', () => {
  it('sends the spans as OTLP protobuf with the given headers', async () => {
    collector = await startCollector();
    const result = await runCli(exportArgs('--otlp-endpoint', collector.url, '--otlp-header', 'Authorization=Basic cGs6c2s=', '--otlp-header', 'x-tenant=a=b'));
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`sent ${shown.nodes.length} spans of run ${runId} to ${collector.url} in 1 request\n`);
    expect(collector.received).toHaveLength(1);
    expect(collector.received[0]!.headers).toMatchObject({ 'content-type': 'application/x-protobuf', authorization: 'Basic cGs6c2s=', 'x-tenant': 'a=b' });
    const request = decodeOtlpProtobuf(collector.received[0]!.body);
    expect(request.spans.map((span) => span.name)).toEqual(shown.nodes.map((node) => (node.kind === 'rlm' ? 'invoke_agent rlm' : node.kind === 'cell' ? 'execute_tool repl' : `chat ${node.model}`)));
    const byId = new Map(request.spans.map((span) => [span.attributes['rlmscope.node.id'], span.spanId]));
    expect(request.spans.map((span) => span.parentSpanId)).toEqual(shown.nodes.map((node) => (node.parentId === null ? null : byId.get(node.parentId))));
  });

  it('fails with one line when the endpoint refuses the connection or answers an error', async () => {
    collector = await startCollector();
    const closed = collector.url;
    await collector.close();
    collector = null;
    expect(refusal(await runCli(exportArgs('--otlp-endpoint', closed)))).toMatch(new RegExp(`^rlmscope: could not reach the OTLP endpoint ${closed.replace(/[.]/g, '\\.')}: connect ECONNREFUSED 127\\.0\\.0\\.1:\\d+$`));
    collector = await startCollector((res) => res.writeHead(403, { 'content-type': 'application/json' }).end('{"message":"bad key"}'));
    expect(refusal(await runCli(exportArgs('--otlp-endpoint', collector.url)))).toBe(`rlmscope: the OTLP endpoint ${collector.url} answered 403 Forbidden: {"message":"bad key"}`);
    expect(refusal(await runCli(exportArgs('--otlp-endpoint', 'ftp://x')))).toMatch(/^rlmscope: option '--otlp-endpoint <url>' argument 'ftp:\/\/x' is invalid/);
    expect(refusal(await runCli(exportArgs('--otlp-endpoint', 'http://127.0.0.1:9/v1/traces', '--otlp-header', 'novalue')))).toMatch(/^rlmscope: option '--otlp-header <key=value>' argument 'novalue' is invalid\. expected KEY=VALUE/);
  });

  it('writes the file and sends the spans in one command', async () => {
    collector = await startCollector();
    const file = join(h.dir, 'both.json');
    const result = await runCli(exportArgs('--format', 'otlp', '-o', file, '--otlp-endpoint', collector.url));
    expect(result.code).toBe(0);
    expect(result.stdout.trim().split('\n')).toHaveLength(2);
    expect(decodeOtlpProtobuf(collector.received[0]!.body)).toEqual(decodeOtlpJson(readFileSync(file, 'utf8')));
  });
});
