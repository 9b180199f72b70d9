// Sending a run's spans to a running collector over OTLP/HTTP with protobuf bodies, what Phoenix
// (`/v1/traces`) and Langfuse (`/api/public/otel/v1/traces`) accept. The encoding is the
// OpenTelemetry package's (ProtobufTraceSerializer); batching and errors are ours.
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { RlmError } from '../../../shared/errors';

export interface OtlpPushOptions {
  /** The traces URL, used as given (the OTLP `..._TRACES_ENDPOINT` convention). */
  endpoint: string;
  headers?: Record<string, string>;
  /** Per request. */
  timeoutMs?: number;
  /** Limits of one request; tests lower them. */
  maxSpans?: number;
  maxBytes?: number;
  signal?: AbortSignal;
}

export interface OtlpPushResult {
  spans: number;
  requests: number;
}

/** Long enough for a slow collector to take a few MB; short enough that a hung one is reported. */
export const OTLP_TIMEOUT_MS = 30_000;
/** A collector's answer is read up to this (readAtMost). */
export const OTLP_ANSWER_MAX_BYTES = 1024 * 1024;
/**
 * A request holds at most this many spans and about this many bytes: collectors refuse large
 * bodies (the OpenTelemetry Collector's gRPC receiver 4 MiB by default, Langfuse's ingestion a few
 * MB), and a run of 100,000 nodes as one request would be hundreds of MB.
 */
export const OTLP_MAX_SPANS = 2000;
export const OTLP_MAX_BYTES = 3 * 1024 * 1024;

/**
 * POSTs the spans in batches, in order. The first refusal, failure to connect, timeout or
 * non-2xx answer ends the export with one line that names the endpoint and what happened (and
 * how many spans had been sent). A 2xx answer whose body reports rejected spans is a failure too.
 * Header values are never repeated in messages: they carry keys.
 */
export async function pushOtlp(spans: Iterable<ReadableSpan>, options: OtlpPushOptions): Promise<OtlpPushResult> {
  const maxSpans = options.maxSpans ?? OTLP_MAX_SPANS;
  const maxBytes = options.maxBytes ?? OTLP_MAX_BYTES;
  const result: OtlpPushResult = { spans: 0, requests: 0 };
  let batch: ReadableSpan[] = [];
  let batchBytes = 0;
  const flush = async () => {
    await post(batch, options, result);
    result.spans += batch.length;
    result.requests += 1;
    batch = [];
    batchBytes = 0;
  };
  for (const span of spans) {
    const size = estimatedBytes(span);
    if (batch.length > 0 && (batch.length >= maxSpans || batchBytes + size > maxBytes)) await flush();
    batch.push(span);
    batchBytes += size;
  }
  if (batch.length > 0) await flush();
  return result;
}

async function post(batch: ReadableSpan[], options: OtlpPushOptions, sent: OtlpPushResult): Promise<void> {
  const body = ProtobufTraceSerializer.serializeRequest(batch);
  if (!body) throw new RlmError('INTERNAL', 'OTLP export: the serializer returned nothing');
  const where = `the OTLP endpoint ${options.endpoint}`;
  const progress = sent.spans > 0 ? ` (after ${sent.spans.toLocaleString('en-US')} spans were sent)` : '';
  const timeoutMs = options.timeoutMs ?? OTLP_TIMEOUT_MS;
  const signals = [AbortSignal.timeout(timeoutMs), ...(options.signal ? [options.signal] : [])];
  let response: Response;
  let answer: Uint8Array;
  try {
    response = await fetch(options.endpoint, {
      method: 'POST',
      headers: { ...options.headers, 'content-type': 'application/x-protobuf' },
      // A copy typed over a plain ArrayBuffer, which is what fetch's BodyInit takes.
      body: new Uint8Array(body),
      signal: AbortSignal.any(signals),
      // SECURITY: never followed. fetch would send the user's --otlp-header values (an API key
      // under any name but Authorization) on to wherever the collector points, another host too.
      redirect: 'manual',
    });
    answer = await readAtMost(response, OTLP_ANSWER_MAX_BYTES);
  } catch (error) {
    if (error instanceof Error && error.name === 'TimeoutError') {
      throw new RlmError('PROVIDER_UNREACHABLE', `${where} did not answer within ${timeoutMs / 1000} s${progress}`);
    }
    throw new RlmError('PROVIDER_UNREACHABLE', `could not reach ${where}: ${networkReason(error)}${progress}`);
  }
  if (response.status >= 300 && response.status < 400) {
    const location = response.headers.get('location');
    throw new RlmError('PROVIDER_ERROR', `${where} answered ${response.status} with a redirect${location ? ` to ${location.slice(0, 300)}` : ''}, which is not followed (the headers would go with it): give the URL it names${progress}`);
  }
  if (!response.ok) {
    const text = new TextDecoder().decode(answer.subarray(0, 300)).replace(/\s+/g, ' ').trim();
    throw new RlmError('PROVIDER_ERROR', `${where} answered ${response.status}${response.statusText ? ` ${response.statusText}` : ''}${text ? `: ${text}` : ''}${progress}`);
  }
  const rejected = rejectedSpans(answer, response.headers.get('content-type'));
  if (rejected) {
    throw new RlmError('PROVIDER_ERROR', `${where} rejected ${rejected.count} of ${batch.length} spans${rejected.message ? `: ${rejected.message}` : ''}${progress}`);
  }
}

/**
 * What a collector answers is a small ExportTraceServiceResponse or an error page: read up to
 * `max` bytes, the rest dropped. Whole, an endpoint answering gigabytes was read into memory.
 */
async function readAtMost(response: Response, max: number): Promise<Uint8Array> {
  if (!response.body) return new Uint8Array(0);
  const reader = response.body.getReader();
  const parts: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      const take = value.subarray(0, max - size);
      parts.push(take);
      size += take.length;
      if (size >= max) break;
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  return Buffer.concat(parts);
}

/** OTLP's partial success: a 2xx answer that still refused some spans. Unreadable bodies count as none. */
function rejectedSpans(answer: Uint8Array, contentType: string | null): { count: number; message: string } | null {
  if (answer.length === 0 || !contentType?.includes('protobuf')) return null;
  try {
    const partial = ProtobufTraceSerializer.deserializeResponse(answer).partialSuccess;
    const count = Number(partial?.rejectedSpans ?? 0);
    return count > 0 ? { count, message: partial?.errorMessage ?? '' } : null;
  } catch {
    return null;
  }
}

/** "connect ECONNREFUSED 127.0.0.1:4318" rather than undici's bare "fetch failed". */
function networkReason(error: unknown): string {
  const cause = error instanceof Error ? (error.cause as { code?: string; message?: string } | undefined) : undefined;
  if (cause?.message) return cause.message;
  if (cause?.code) return cause.code;
  return error instanceof Error ? error.message : String(error);
}

/** The size a span adds to a request, roughly: its strings and a fixed part for ids, times and keys. */
function estimatedBytes(span: ReadableSpan): number {
  let bytes = 200 + span.name.length + (span.status.message?.length ?? 0) * 3;
  for (const [key, value] of Object.entries(span.attributes)) {
    // Three bytes per UTF-16 unit at most in UTF-8.
    bytes += key.length + 8 + (typeof value === 'string' ? value.length * 3 : 8);
  }
  return bytes;
}
