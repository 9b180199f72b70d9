// The OTLP export of a run recorded through the real service, read back from the real database
// file: the JSON file decodes to the run's spans, and a collector on loopback receives the same
// spans as protobuf.
import { gunzipSync } from 'node:zlib';
import { once } from 'node:events';
import { PassThrough } from 'node:stream';
import { JsonTraceSerializer } from '@opentelemetry/otlp-transformer';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { NodeRow } from '../../../shared/domain/node';
import { RunRepository } from '../../store/runRepository';
import { openRunReader, type RunFileReader } from '../../store/runReader';
import { newRun, tempDatabase } from '../../testing/tempDatabase';
import { recordExportSample, SAMPLE_ANSWER } from '../../testing/exportRuns';
import { startCollector, type Collector } from '../../testing/otlpCollector';
import { decodeOtlpJson, decodeOtlpProtobuf, type DecodedRequest } from '../../testing/otlpDecode';
import type { Harness } from '../../testing/serviceHarness';
import { exporterFor, spansOfRun, type ExportSource } from '../exporters';
import { writeOtlpJson } from './otlpFile';
import { pushOtlp } from './otlpPush';
import { spanIdOf, traceIdOf } from './otlpSpans';

let h: Harness;
let runId: string;
let reader: RunFileReader;
let source: ExportSource;
let nodes: NodeRow[];

beforeAll(async () => {
  ({ harness: h, runId } = await recordExportSample());
  reader = openRunReader(h.dbPath);
  source = { reader, documents: () => reader.documents() };
  nodes = reader.getNodes(runId);
});
afterAll(async () => {
  reader?.close();
  await h?.close();
});

async function exportBytes(format: string): Promise<Buffer> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (chunk: Buffer) => chunks.push(chunk));
  await exporterFor(format)(source, runId, out);
  // The exporter left `out` open: ending it is the caller's.
  expect(out.writableEnded).toBe(false);
  out.end();
  await once(out, 'end');
  return Buffer.concat(chunks);
}

async function exportText(format: string): Promise<string> {
  return (await exportBytes(format)).toString('utf8');
}

/** What every encoding must say about the run: spans in node order, with tree, names and times. */
function expectTheRun(request: DecodedRequest) {
  expect(request.resource).toMatchObject({ 'service.name': 'rlmscope', 'openinference.project.name': 'rlmscope' });
  expect(request.scope.name).toBe('rlmscope');
  expect(request.spans).toHaveLength(nodes.length);
  const traceId = traceIdOf(runId);
  for (const [i, node] of nodes.entries()) {
    const span = request.spans[i]!;
    expect(span).toMatchObject({
      traceId,
      spanId: spanIdOf(runId, node.id),
      parentSpanId: node.parentId === null ? null : spanIdOf(runId, node.parentId),
      name: node.kind === 'rlm' ? 'invoke_agent rlm' : node.kind === 'cell' ? 'execute_tool repl' : `chat ${node.model}`,
      startTimeUnixNano: `${node.startedAt}000000`,
      endTimeUnixNano: `${node.endedAt}000000`,
      // SpanKind in OTLP: 1 INTERNAL, 3 CLIENT; status code 2 ERROR.
      kind: node.kind === 'llm' ? 3 : 1,
      status: { code: node.status === 'failed' ? 2 : 0 },
    });
    expect(span.attributes).toMatchObject({
      'openinference.span.kind': { rlm: 'AGENT', llm: 'LLM', cell: 'TOOL' }[node.kind],
      'rlmscope.node.id': node.id,
    });
    if (node.kind === 'llm' && node.inputTokens !== null) {
      expect(span.attributes).toMatchObject({ 'gen_ai.usage.input_tokens': node.inputTokens, 'llm.token_count.total': node.inputTokens + (node.outputTokens ?? 0) });
      expect(span.attributes['llm.cost.total']).toBeCloseTo(node.costUsd!, 12);
    }
  }
  expect(request.spans[0]!.attributes['output.value']).toBe(SAMPLE_ANSWER);
  const failedCell = nodes.findIndex((node) => node.kind === 'cell' && node.status === 'failed');
  expect(request.spans[failedCell]!.status.message).toMatch(/^Error: cell broke/);
}

describe('export --format otlp', () => {
  it('writes one OTLP/JSON ExportTraceServiceRequest holding the run’s spans', async () => {
    const text = await exportText('otlp');
    expectTheRun(decodeOtlpJson(text));
    // Streamed in batches, the file is the serializer's own request for all the spans at once.
    const whole = new TextDecoder().decode(JsonTraceSerializer.serializeRequest([...spansOfRun(source, runId)]));
    expect(JSON.parse(text)).toEqual(JSON.parse(whole));
  });

  it('is the same request however the spans are batched, and an empty one for no spans', async () => {
    const write = async (spansPerBatch: number, spans = [...spansOfRun(source, runId)]) => {
      const out = new PassThrough();
      const chunks: Buffer[] = [];
      out.on('data', (chunk: Buffer) => chunks.push(chunk));
      const count = await writeOtlpJson(spans, out, spansPerBatch);
      out.end();
      await once(out, 'end');
      return { count, json: JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown };
    };
    const one = await write(1);
    expect(one.count).toBe(nodes.length);
    expect((await write(4)).json).toEqual(one.json);
    expect((await write(1000)).json).toEqual(one.json);
    expect((await write(4, [])).json).toEqual({ resourceSpans: [] });
  });

  it('writes the other formats into the same stream, leaving it open, and refuses unknown ones', async () => {
    expect(JSON.parse((await exportText('rlms')).split('\n')[0]!)).toMatchObject({ type: 'metadata' });
    // The portable file: gzip whose first line is its header.
    const header = gunzipSync(await exportBytes('rlmscope')).toString('utf8').split('\n')[0]!;
    expect(JSON.parse(header)).toMatchObject({ type: 'header', runId });
    await expect(exportText('csv')).rejects.toThrow('unknown export format "csv": expected rlmscope, otlp, rlms');
    await expect(exporterFor('otlp')(source, 'no-such-run', new PassThrough())).rejects.toThrow('no run no-such-run');
  });
});

let collector: Collector | null = null;
afterEach(async () => {
  await collector?.close();
  collector = null;
});

describe('export --otlp-endpoint', () => {
  it('POSTs the spans as OTLP protobuf with the given headers', async () => {
    collector = await startCollector();
    const result = await pushOtlp(spansOfRun(source, runId), { endpoint: collector.url, headers: { Authorization: 'Basic cGs6c2s=' } });
    expect(result).toEqual({ spans: nodes.length, requests: 1 });
    expect(collector.received).toHaveLength(1);
    const [request] = collector.received;
    expect(request!.url).toBe('/v1/traces');
    expect(request!.headers).toMatchObject({ 'content-type': 'application/x-protobuf', authorization: 'Basic cGs6c2s=' });
    const decoded = decodeOtlpProtobuf(request!.body);
    expectTheRun(decoded);
    // The protobuf carries exactly what the JSON file does.
    expect(decoded).toEqual(decodeOtlpJson(await exportText('otlp')));
  });

  it('sends a large run in batches, in order', async () => {
    collector = await startCollector();
    expect(await pushOtlp(spansOfRun(source, runId), { endpoint: collector.url, maxSpans: 4 })).toEqual({ spans: 9, requests: 3 });
    const batches = collector.received.map((request) => decodeOtlpProtobuf(request.body).spans);
    expect(batches.map((spans) => spans.length)).toEqual([4, 4, 1]);
    expect(batches.flat().map((span) => span.spanId)).toEqual(nodes.map((node) => spanIdOf(runId, node.id)));
    // A byte budget splits too: every span is far over 1 byte, so one span per request.
    await collector.close();
    collector = await startCollector();
    expect(await pushOtlp(spansOfRun(source, runId), { endpoint: collector.url, maxBytes: 1 })).toEqual({ spans: 9, requests: 9 });
  });

  it('fails with the status and the answer when the collector refuses, after what was sent', async () => {
    collector = await startCollector((res, index) => {
      if (index === 0) return res.end();
      res.writeHead(401, { 'content-type': 'text/plain' }).end('invalid credentials\n');
    });
    await expect(pushOtlp(spansOfRun(source, runId), { endpoint: collector.url, maxSpans: 5 })).rejects.toThrow(
      `the OTLP endpoint ${collector.url} answered 401 Unauthorized: invalid credentials (after 5 spans were sent)`,
    );
  });

  it('fails when the collector reports rejected spans in a 200 answer', async () => {
    // ExportTraceServiceResponse { partial_success (1) { rejected_spans (1): 3, error_message (2): "too old" } }
    const partial = Buffer.from([0x0a, 0x0b, 0x08, 0x03, 0x12, 0x07, ...Buffer.from('too old')]);
    collector = await startCollector((res) => res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end(partial));
    await expect(pushOtlp(spansOfRun(source, runId), { endpoint: collector.url })).rejects.toThrow(`the OTLP endpoint ${collector.url} rejected 3 of 9 spans: too old`);
  });

  it('never follows a redirect, which would carry the headers to another address', async () => {
    const elsewhere = await startCollector();
    try {
      collector = await startCollector((res) => res.writeHead(307, { location: `${elsewhere.url}?stolen` }).end());
      await expect(pushOtlp(spansOfRun(source, runId), { endpoint: collector.url, headers: { 'X-Api-Key': 'secret' } })).rejects.toThrow(
        `the OTLP endpoint ${collector.url} answered 307 with a redirect to ${elsewhere.url}?stolen, which is not followed (the headers would go with it): give the URL it names`,
      );
      expect(elsewhere.received).toEqual([]);
    } finally {
      await elsewhere.close();
    }
  });

  it('reads no more of an answer than a collector has reason to send (one that never ends)', async () => {
    collector = await startCollector((res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      const chunk = Buffer.alloc(64 * 1024, 'z');
      const more = () => {
        while (!res.destroyed && res.write(chunk));
        if (!res.destroyed) res.once('drain', more);
      };
      more();
    });
    await expect(pushOtlp(spansOfRun(source, runId), { endpoint: collector.url, timeoutMs: 5_000 })).resolves.toEqual({ spans: nodes.length, requests: 1 });
  });

  it('fails with one line when nothing listens, and when the collector does not answer in time', async () => {
    collector = await startCollector();
    const refused = collector.url;
    await collector.close();
    collector = null;
    await expect(pushOtlp(spansOfRun(source, runId), { endpoint: refused })).rejects.toThrow(
      new RegExp(`^could not reach the OTLP endpoint ${refused.replace(/[.]/g, '\\.')}: connect ECONNREFUSED 127\\.0\\.0\\.1:\\d+$`),
    );
    collector = await startCollector(() => undefined);
    await expect(pushOtlp(spansOfRun(source, runId), { endpoint: collector.url, timeoutMs: 300 })).rejects.toThrow(`the OTLP endpoint ${collector.url} did not answer within 0.3 s`);
  });
});

describe('export --format otlp of a run with a huge answer', () => {
  it('cuts the answer in the span and keeps the file small', async () => {
    const { db, file } = tempDatabase();
    const store = new RunRepository(db);
    const chars = 30 * 1024 * 1024;
    const answer = `${'a'.repeat(chars - 1)}Z`;
    store.createRun(newRun({ runId: 'r-huge' }));
    store.addNode('r-huge', { id: 1, parentId: null, kind: 'rlm', depth: 0, seq: 0, startedAt: 1_000, label: 'q', model: 'root', status: 'completed' }, { query: 'q', answer });
    store.finishRun('r-huge', { status: 'completed', endedAt: 2_000, answer, stopReason: null, error: null });
    const hugeReader = openRunReader(file);
    try {
      const out = new PassThrough();
      const chunks: Buffer[] = [];
      out.on('data', (chunk: Buffer) => chunks.push(chunk));
      await exporterFor('otlp')({ reader: hugeReader, documents: () => hugeReader.documents() }, 'r-huge', out);
      out.end();
      await once(out, 'end');
      const text = Buffer.concat(chunks).toString('utf8');
      expect(text.length).toBeLessThan(40_000);
      const [span] = decodeOtlpJson(text).spans;
      expect(span!.attributes['output.value']).toMatch(new RegExp(`^a{${32 * 1024}}\\n… \\[cut here: the whole value is ${chars.toLocaleString('en-US')} characters;`));
    } finally {
      hugeReader.close();
    }
  });
});
