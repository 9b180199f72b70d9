// A run as OpenTelemetry spans (issue 11, DESIGN §9): one trace per run, one span per node, the
// parent links of the tree, the nodes' own start and end times. Pure: the same run gives the same
// spans (ids are hashes of the run and node ids), so a re-export is identical and a backend that
// receives it twice sees the same trace, not two.
//
// Attribute names: the OpenTelemetry GenAI conventions (Development status; `gen_ai.provider.name`,
// formerly `gen_ai.system`) and OpenInference's (`openinference.span.kind`, `llm.*`, `input.value`,
// `output.value`), both, because Phoenix reads the second and Langfuse and most collectors the first.
// Tokens and cost sit on model-call spans only: Langfuse sums `gen_ai.usage.*` over every span of
// a trace, so rolled-up totals on agent spans would be counted twice.
import { createHash } from 'node:crypto';
import { SpanKind, SpanStatusCode, TraceFlags, type Attributes, type SpanContext, type SpanStatus } from '@opentelemetry/api';
import { hrTimeDuration, millisToHrTime } from '@opentelemetry/core';
import { resourceFromAttributes, type Resource } from '@opentelemetry/resources';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { ChatMessage, NodePayload, NodeRow } from '../../../shared/domain/node';
import type { RunDetail } from '../../../shared/domain/run';
import { wholeCharEnd } from '../../../shared/ellipsize';

/**
 * The most characters of `input.value`, `output.value` and a status message. A run's answer can
 * be 200 MB and a cell's output megabytes: whole, one span would outweigh the limits of the
 * backends (Langfuse's ingestion takes a few MB per request, collectors default to 4 MiB gRPC
 * messages) and the JSON file would be the run many times over. 32 Ki characters is more than a
 * trace view shows at once; a longer value is cut with a marker giving its true length and the
 * command that reads it whole. Tests lower it.
 */
export const OTLP_VALUE_MAX_CHARS = 32 * 1024;

export const AGENT_NAME = 'rlm';
export const TOOL_NAME = 'repl';

export interface SpanOptions {
  /** The `service.version` and instrumentation scope version. */
  version: string;
  valueMaxChars?: number;
}

/** What every span of one run shares: computed once per run, not per node. */
export interface RunSpanContext {
  run: RunDetail;
  traceId: string;
  provider: string;
  resource: Resource;
  scope: { name: string; version: string };
  /** The end of a node still running (or left running by a dead process): the latest time the run shows. */
  lastSeenAt: number;
  /** Node ids present, so that a dangling parent id makes a root span rather than a broken link. */
  ids: ReadonlySet<number>;
  valueMaxChars: number;
}

export function runSpanContext(run: RunDetail, nodes: readonly NodeRow[], options: SpanOptions): RunSpanContext {
  let lastSeenAt = run.endedAt ?? run.createdAt;
  for (const node of nodes) lastSeenAt = Math.max(lastSeenAt, node.startedAt, node.endedAt ?? 0);
  return {
    run,
    traceId: traceIdOf(run.runId),
    provider: providerName(run.baseUrl),
    // openinference.project.name: Phoenix files the traces under a project of that name.
    resource: resourceFromAttributes({ 'service.name': 'rlmscope', 'service.version': options.version, 'openinference.project.name': 'rlmscope' }),
    scope: { name: 'rlmscope', version: options.version },
    lastSeenAt,
    ids: new Set(nodes.map((node) => node.id)),
    valueMaxChars: options.valueMaxChars ?? OTLP_VALUE_MAX_CHARS,
  };
}

/** 16 bytes of sha256 over the run id: the W3C trace id of the run. */
export function traceIdOf(runId: string): string {
  return nonZero(createHash('sha256').update(`rlmscope trace\0${runId}`).digest('hex').slice(0, 32));
}

/** 8 bytes of sha256 over the run and node ids: the span id of the node. */
export function spanIdOf(runId: string, nodeId: number): string {
  return nonZero(createHash('sha256').update(`rlmscope span\0${runId}\0${nodeId}`).digest('hex').slice(0, 16));
}

// An all-zero id is invalid in W3C trace context (backends drop the span); one chance in 2^64.
function nonZero(hex: string): string {
  return /^0+$/.test(hex) ? `${hex.slice(0, -1)}1` : hex;
}

/**
 * `gen_ai.provider.name` from the run's endpoint: the conventions' well-known names for the
 * hosted APIs we know, otherwise the endpoint's host (a local vLLM, Ollama or llama.cpp server has
 * no registered name, and its address says more than a guess would).
 */
export function providerName(baseUrl: string): string {
  let host: string;
  try {
    host = new URL(baseUrl).host.toLowerCase();
  } catch {
    return 'unknown';
  }
  const known: Record<string, string> = {
    'api.openai.com': 'openai',
    'openrouter.ai': 'openrouter',
    'api.anthropic.com': 'anthropic',
    'api.groq.com': 'groq',
    'api.deepseek.com': 'deepseek',
    'api.mistral.ai': 'mistral_ai',
    'api.x.ai': 'x_ai',
    'api.perplexity.ai': 'perplexity',
    'generativelanguage.googleapis.com': 'gcp.gemini',
  };
  return known[host] ?? host;
}

/** The span of one node. `payload` is the node's payload (null when it has none). */
export function nodeSpan(context: RunSpanContext, node: NodeRow, payload: NodePayload | null): ReadableSpan {
  const { run, traceId } = context;
  const spanId = spanIdOf(run.runId, node.id);
  const spanContext: SpanContext = { traceId, spanId, traceFlags: TraceFlags.SAMPLED };
  const hasParent = node.parentId !== null && context.ids.has(node.parentId);
  const startTime = millisToHrTime(node.startedAt);
  const endTime = millisToHrTime(Math.max(node.startedAt, node.endedAt ?? context.lastSeenAt));
  const shape = shapeOf(context, node, payload ?? {});
  return {
    name: shape.name,
    kind: shape.kind,
    spanContext: () => spanContext,
    ...(hasParent ? { parentSpanContext: { traceId, spanId: spanIdOf(run.runId, node.parentId as number), traceFlags: TraceFlags.SAMPLED } } : {}),
    startTime,
    endTime,
    duration: hrTimeDuration(startTime, endTime),
    status: statusOf(node, payload, context.valueMaxChars),
    attributes: { ...commonAttributes(context, node), ...shape.attributes },
    links: [],
    events: [],
    ended: true,
    resource: context.resource,
    instrumentationScope: context.scope,
    droppedAttributesCount: 0,
    droppedEventsCount: 0,
    droppedLinksCount: 0,
  };
}

/** Every node's span, in the order given (the store's creation order puts parents first). */
export function* runSpans(
  run: RunDetail,
  nodes: readonly NodeRow[],
  payloadOf: (nodeId: number) => NodePayload | null,
  options: SpanOptions,
): Generator<ReadableSpan> {
  const context = runSpanContext(run, nodes, options);
  for (const node of nodes) yield nodeSpan(context, node, payloadOf(node.id));
}

interface SpanShape {
  name: string;
  kind: SpanKind;
  attributes: Attributes;
}

function shapeOf(context: RunSpanContext, node: NodeRow, payload: NodePayload): SpanShape {
  const bound = (text: string | undefined) => (text === undefined ? undefined : boundValue(text, context.valueMaxChars));
  if (node.kind === 'rlm') {
    return {
      name: `invoke_agent ${AGENT_NAME}`,
      kind: SpanKind.INTERNAL,
      attributes: defined({
        'gen_ai.operation.name': 'invoke_agent',
        'gen_ai.agent.name': AGENT_NAME,
        'gen_ai.provider.name': context.provider,
        ...(node.model ? { 'gen_ai.request.model': node.model } : {}),
        'openinference.span.kind': 'AGENT',
        'input.value': bound(payload.query ?? node.label),
        'output.value': bound(payload.answer),
        'rlmscope.stop_reason': payload.stopReason,
      }),
    };
  }
  if (node.kind === 'cell') {
    return {
      name: `execute_tool ${TOOL_NAME}`,
      kind: SpanKind.INTERNAL,
      attributes: defined({
        'gen_ai.operation.name': 'execute_tool',
        'gen_ai.tool.name': TOOL_NAME,
        'gen_ai.tool.type': 'function',
        'openinference.span.kind': 'TOOL',
        'tool.name': TOOL_NAME,
        'input.value': bound(payload.code),
        'output.value': bound(payload.output),
      }),
    };
  }
  const model = node.model ?? 'unknown';
  const input = node.inputTokens ?? undefined;
  const output = node.outputTokens ?? undefined;
  const messages = payload.prompt ?? [];
  return {
    name: `chat ${model}`,
    kind: SpanKind.CLIENT,
    attributes: defined({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': context.provider,
      'gen_ai.request.model': model,
      'gen_ai.usage.input_tokens': input,
      'gen_ai.usage.output_tokens': output,
      'gen_ai.usage.cache_read.input_tokens': node.cachedTokens ?? undefined,
      'openinference.span.kind': 'LLM',
      'llm.provider': context.provider,
      'llm.model_name': model,
      'llm.token_count.prompt': input,
      'llm.token_count.completion': output,
      'llm.token_count.total': input === undefined && output === undefined ? undefined : (input ?? 0) + (output ?? 0),
      'llm.token_count.prompt_details.cache_read': node.cachedTokens ?? undefined,
      // An unknown price is left out, never written as 0 (DESIGN §4).
      'llm.cost.total': node.costUsd ?? undefined,
      ...messageValue(messages, context.valueMaxChars),
      'output.value': bound(payload.text),
      'rlmscope.purpose': node.purpose ?? undefined,
      'rlmscope.usage_estimated': node.usageEstimated || undefined,
      // A fork's call answered from its parent's recording: no request was sent (no tokens, no cost).
      'rlmscope.cached': node.cached === true || undefined,
    }),
  };
}

/**
 * The messages a model call was sent, as `input.value`: the JSON array (OpenInference's
 * `application/json`, which Phoenix shows as messages) when it fits in `max`, otherwise the
 * messages as text, cut — a JSON text cut in the middle would not parse.
 */
function messageValue(messages: ChatMessage[], max: number): Attributes {
  if (messages.length === 0) return {};
  const json = JSON.stringify(messages);
  if (json.length <= max) return { 'input.value': json, 'input.mime_type': 'application/json' };
  const text = messages.map((message) => `${message.role}:\n${message.content}`).join('\n\n');
  return { 'input.value': boundValue(text, max), 'input.mime_type': 'text/plain' };
}

function commonAttributes(context: RunSpanContext, node: NodeRow): Attributes {
  return {
    // OpenInference's session groups a run's traces; one run is one trace here, so it names the run.
    'session.id': context.run.runId,
    'rlmscope.run.id': context.run.runId,
    'rlmscope.node.id': node.id,
    'rlmscope.node.kind': node.kind,
    'rlmscope.node.depth': node.depth,
    'rlmscope.node.status': node.status,
  };
}

/**
 * A failed node is an ERROR with its message. So is one left `interrupted` (its process died
 * mid-step: it neither finished nor failed on its own terms). A node stopped by the user or a
 * limit, or still running, is UNSET, its status in `rlmscope.node.status`: stopping is not a
 * fault of the step.
 */
function statusOf(node: NodeRow, payload: NodePayload | null, max: number): SpanStatus {
  if (node.status === 'failed') return { code: SpanStatusCode.ERROR, message: boundValue(payload?.error ?? 'failed', max) };
  if (node.status === 'interrupted') {
    return { code: SpanStatusCode.ERROR, message: boundValue(payload?.error ?? 'interrupted: the process recording the run ended during this step', max) };
  }
  return { code: SpanStatusCode.UNSET };
}

/**
 * `text` cut to `max` characters with a marker giving its true length. Never splits a surrogate
 * pair: half a pair is not valid UTF-8 and protobuf encoders replace it.
 */
export function boundValue(text: string, max: number): string {
  if (text.length <= max) return text;
  return `${text.slice(0, wholeCharEnd(text, max))}\n… [cut here: the whole value is ${text.length.toLocaleString('en-US')} characters; \`rlmscope export RUN --format rlmscope\` keeps it whole]`;
}

function defined(attributes: Record<string, string | number | boolean | undefined>): Attributes {
  const out: Attributes = {};
  for (const [key, value] of Object.entries(attributes)) if (value !== undefined) out[key] = value;
  return out;
}
