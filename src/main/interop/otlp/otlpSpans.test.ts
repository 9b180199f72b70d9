import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { hrTimeToMilliseconds } from '@opentelemetry/core';
import { JsonTraceSerializer } from '@opentelemetry/otlp-transformer';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NodePayload, NodeRow } from '../../../shared/domain/node';
import type { RunDetail } from '../../../shared/domain/run';
import { recordExportSample, SAMPLE_ANSWER, SAMPLE_QUERY } from '../../testing/exportRuns';
import { ROOT, SUB, type Harness } from '../../testing/serviceHarness';
import { boundValue, nodeSpan, type SpanOptions, providerName, runSpanContext, runSpans, spanIdOf, traceIdOf } from './otlpSpans';

let h: Harness;
let run: RunDetail;
let nodes: NodeRow[];
const payloads = new Map<number, NodePayload>();

beforeAll(async () => {
  const sample = await recordExportSample();
  h = sample.harness;
  run = await h.service.call('runs.get', { runId: sample.runId });
  nodes = await h.service.call('runs.nodes', { runId: sample.runId });
  for (const node of nodes) payloads.set(node.id, await h.service.call('nodes.get', { runId: run.runId, nodeId: node.id }));
});
afterAll(async () => h?.close());

const options = { version: '9.9.9' };
const spansOf = (opts: SpanOptions = options) => [...runSpans(run, nodes, (id) => payloads.get(id) ?? null, opts)];
const byKind = (kind: NodeRow['kind']) => nodes.filter((node) => node.kind === kind);
const spanFor = (spans: ReadableSpan[], node: NodeRow) => spans[nodes.indexOf(node)]!;

describe('the spans of a run', () => {
  it('are one trace with one span per node, parents following the tree', () => {
    const spans = spansOf();
    expect(spans).toHaveLength(nodes.length);
    expect(nodes.length).toBe(9);
    const traceId = traceIdOf(run.runId);
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    for (const [i, node] of nodes.entries()) {
      const span = spans[i]!;
      expect(span.spanContext()).toMatchObject({ traceId, spanId: spanIdOf(run.runId, node.id) });
      expect(span.parentSpanContext?.spanId ?? null).toBe(node.parentId === null ? null : spanIdOf(run.runId, node.parentId));
      expect(span.parentSpanContext?.traceId ?? traceId).toBe(traceId);
    }
    expect(new Set(spans.map((span) => span.spanContext().spanId)).size).toBe(nodes.length);
    // The child RLM hangs under the cell that started it, and its turn under it.
    const child = byKind('rlm').find((node) => node.depth === 1)!;
    const childSpan = spanFor(spans, child);
    expect(childSpan.parentSpanContext?.spanId).toBe(spanIdOf(run.runId, child.parentId!));
    expect(nodes.find((node) => node.id === child.parentId)?.kind).toBe('cell');
    const childTurn = nodes.find((node) => node.parentId === child.id)!;
    expect(spanFor(spans, childTurn).parentSpanContext?.spanId).toBe(childSpan.spanContext().spanId);
  });

  it('keep each node’s own start and end times', () => {
    const spans = spansOf();
    for (const [i, node] of nodes.entries()) {
      expect(hrTimeToMilliseconds(spans[i]!.startTime)).toBe(node.startedAt);
      expect(hrTimeToMilliseconds(spans[i]!.endTime)).toBe(node.endedAt);
      expect(hrTimeToMilliseconds(spans[i]!.duration)).toBe(node.endedAt! - node.startedAt);
    }
  });

  it('make an RLM an agent span with its query and answer', () => {
    const spans = spansOf();
    const [root, child] = byKind('rlm');
    const span = spanFor(spans, root!);
    expect(span).toMatchObject({ name: 'invoke_agent rlm', kind: SpanKind.INTERNAL, status: { code: SpanStatusCode.UNSET } });
    expect(span.attributes).toMatchObject({
      'gen_ai.operation.name': 'invoke_agent',
      'gen_ai.agent.name': 'rlm',
      'gen_ai.provider.name': new URL(h.fake.url).host,
      'gen_ai.request.model': ROOT,
      'openinference.span.kind': 'AGENT',
      'input.value': SAMPLE_QUERY,
      'output.value': SAMPLE_ANSWER,
      'session.id': run.runId,
      'rlmscope.node.depth': 0,
    });
    // Totals stay on model calls: a backend that sums usage over the trace would count them twice.
    expect(Object.keys(span.attributes).filter((key) => key.includes('token') || key.includes('cost'))).toEqual([]);
    expect(spanFor(spans, child!).attributes).toMatchObject({ 'input.value': 'child q', 'output.value': 'child answer', 'gen_ai.request.model': SUB, 'rlmscope.node.depth': 1 });
  });

  it('make a model call an LLM span with its model, tokens, cost, prompt and reply', () => {
    const spans = spansOf();
    const first = byKind('llm')[0]!;
    expect(first).toMatchObject({ purpose: 'turn', inputTokens: 100, outputTokens: 10 });
    const span = spanFor(spans, first);
    expect(span).toMatchObject({ name: `chat ${ROOT}`, kind: SpanKind.CLIENT, status: { code: SpanStatusCode.UNSET } });
    expect(span.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': new URL(h.fake.url).host,
      'gen_ai.request.model': ROOT,
      'gen_ai.usage.input_tokens': 100,
      'gen_ai.usage.output_tokens': 10,
      'openinference.span.kind': 'LLM',
      'llm.model_name': ROOT,
      'llm.token_count.prompt': 100,
      'llm.token_count.completion': 10,
      'llm.token_count.total': 110,
      'llm.cost.total': first.costUsd,
      'input.mime_type': 'application/json',
      'output.value': payloads.get(first.id)?.text,
      'rlmscope.purpose': 'turn',
    });
    expect(first.costUsd).toBeCloseTo((100 * 2 + 10 * 8) / 1e6, 12);
    expect(JSON.parse(span.attributes['input.value'] as string)).toEqual(payloads.get(first.id)?.prompt);
  });

  it('mark a fork\'s call answered from its parent\'s recording as cached, and no other', () => {
    const first = byKind('llm')[0]!;
    const cached: NodeRow = { ...first, cached: true, inputTokens: null, outputTokens: null, cachedTokens: null, costUsd: null };
    const context = runSpanContext(run, nodes, options);
    const span = nodeSpan(context, cached, payloads.get(first.id) ?? null);
    expect(span.attributes['rlmscope.cached']).toBe(true);
    expect(span.attributes['llm.cost.total']).toBeUndefined();
    for (const other of spansOf()) expect(other.attributes['rlmscope.cached']).toBeUndefined();
  });

  it('make a cell a tool span with its code and output', () => {
    const spans = spansOf();
    const cell = byKind('cell')[0]!;
    const span = spanFor(spans, cell);
    expect(span).toMatchObject({ name: 'execute_tool repl', kind: SpanKind.INTERNAL, status: { code: SpanStatusCode.UNSET } });
    expect(span.attributes).toMatchObject({
      'gen_ai.operation.name': 'execute_tool',
      'gen_ai.tool.name': 'repl',
      'openinference.span.kind': 'TOOL',
      'input.value': expect.stringContaining('rlm_query("child q"'),
      'output.value': 'sub failed: 400 from sub-model: bad prompt boom\nchild answer\n',
    });
  });

  it('make failed nodes ERROR spans with their message', () => {
    const spans = spansOf();
    const failed = nodes.filter((node) => node.status === 'failed');
    expect(failed.map((node) => `${node.kind}:${node.purpose ?? ''}`)).toEqual(['llm:sub', 'cell:']);
    expect(spanFor(spans, failed[0]!).status).toEqual({ code: SpanStatusCode.ERROR, message: '400 from sub-model: bad prompt boom' });
    expect(spanFor(spans, failed[0]!).attributes).toMatchObject({ 'gen_ai.request.model': SUB, 'rlmscope.node.status': 'failed' });
    // A failed call with no usage reports no tokens rather than zero.
    expect(spanFor(spans, failed[0]!).attributes['gen_ai.usage.input_tokens']).toBeUndefined();
    expect(spanFor(spans, failed[1]!).status).toMatchObject({ code: SpanStatusCode.ERROR, message: expect.stringMatching(/^Error: cell broke/) });
    const others = spans.filter((_, i) => nodes[i]!.status !== 'failed');
    expect(others.every((span) => span.status.code === SpanStatusCode.UNSET)).toBe(true);
  });

  it('are the same on every export, byte for byte', () => {
    const a = JsonTraceSerializer.serializeRequest(spansOf())!;
    const b = JsonTraceSerializer.serializeRequest(spansOf())!;
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
    expect(traceIdOf('other run')).not.toBe(traceIdOf(run.runId));
  });

  it('cut long values with a marker giving their length, and fall back from JSON to text for long prompts', () => {
    const spans = spansOf({ version: '1', valueMaxChars: 12 });
    const cellNode = byKind('cell')[0]!;
    const output = payloads.get(cellNode.id)?.output ?? '';
    expect(spanFor(spans, cellNode).attributes['output.value']).toBe(`sub failed: \n… [cut here: the whole value is ${output.length} characters; \`rlmscope export RUN --format rlmscope\` keeps it whole]`);
    const turnSpan = spanFor(spans, byKind('llm')[0]!);
    expect(turnSpan.attributes['input.mime_type']).toBe('text/plain');
    expect(turnSpan.attributes['input.value']).toMatch(/^system:\nYou \n… \[cut here/);
    expect(spanFor(spans, byKind('rlm')[0]!).attributes['input.value']).toBe(SAMPLE_QUERY);
  });
});

describe('boundValue', () => {
  it('keeps short text and never splits a surrogate pair', () => {
    expect(boundValue('abc', 3)).toBe('abc');
    const cut = boundValue('ab😀cd', 3);
    expect(cut.startsWith('ab\n… [cut here: the whole value is 6 characters')).toBe(true);
    expect(boundValue('x'.repeat(200_000_000), 32).length).toBeLessThan(200);
  });
});

describe('nodes a run left unfinished', () => {
  const node = (over: Partial<NodeRow>): NodeRow => ({
    id: 1, parentId: null, kind: 'llm', depth: 0, seq: 0, status: 'completed', startedAt: 1000, endedAt: 2000, label: '', model: 'm', purpose: 'turn',
    inputTokens: null, outputTokens: null, cachedTokens: null, costUsd: null, usageEstimated: false,
    subtree: { pricedCostUsd: 0, unpricedCalls: 0, inputTokens: 0, outputTokens: 0, modelCalls: 0 },
    ...over,
  });
  const detail = (): RunDetail => ({ ...run, runId: 'r1', endedAt: null, createdAt: 500, baseUrl: 'https://openrouter.ai/api/v1' });

  it('end a running node at the latest time the run shows, and mark an interrupted one as an error', () => {
    const rows = [node({ id: 1, kind: 'rlm', status: 'running', endedAt: null }), node({ id: 2, parentId: 1, status: 'interrupted', endedAt: null, startedAt: 3000 }), node({ id: 3, parentId: 1, startedAt: 3100, endedAt: 4000 })];
    const context = runSpanContext(detail(), rows, options);
    const [rlm, interrupted] = rows.map((row) => nodeSpan(context, row, null));
    expect(hrTimeToMilliseconds(rlm!.endTime)).toBe(4000);
    expect(rlm!.status.code).toBe(SpanStatusCode.UNSET);
    expect(rlm!.attributes['rlmscope.node.status']).toBe('running');
    expect(interrupted!.status).toMatchObject({ code: SpanStatusCode.ERROR, message: expect.stringContaining('interrupted') });
    expect(interrupted!.attributes['gen_ai.provider.name']).toBe('openrouter');
    expect(interrupted!.attributes['llm.cost.total']).toBeUndefined();
  });

  it('make a node whose parent is missing a root span rather than a dangling link', () => {
    const rows = [node({ id: 5, parentId: 99 })];
    const span = nodeSpan(runSpanContext(detail(), rows, options), rows[0]!, null);
    expect(span.parentSpanContext).toBeUndefined();
  });
});

describe('providerName', () => {
  it('names known hosts by the conventions and others by their address', () => {
    expect(providerName('https://api.openai.com/v1')).toBe('openai');
    expect(providerName('http://127.0.0.1:11434/v1')).toBe('127.0.0.1:11434');
    expect(providerName('not a url')).toBe('unknown');
  });
});
