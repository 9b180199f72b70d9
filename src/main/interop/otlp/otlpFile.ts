// The OTLP/JSON file: one ExportTraceServiceRequest (the OpenTelemetry protocol's JSON encoding)
// holding every span of the run. The encoding is the OpenTelemetry package's own
// (JsonTraceSerializer); what is ours is streaming it: a run of 100,000 nodes is serialized a
// batch at a time and written span by span into one request, so the file is never one string.
import type { Writable } from 'node:stream';
import { JsonTraceSerializer } from '@opentelemetry/otlp-transformer';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { writeChunk } from '../streamWrite';

/** Spans serialized at once: bounds the memory of one batch (each value is at most OTLP_VALUE_MAX_CHARS). */
const SPANS_PER_BATCH = 256;

interface JsonRequest {
  resourceSpans?: { resource?: unknown; schemaUrl?: string; scopeSpans?: { scope?: unknown; schemaUrl?: string; spans?: unknown[] }[] }[];
}

/**
 * Writes `spans` to `out` as one OTLP/JSON ExportTraceServiceRequest. Every span must share one
 * resource and one instrumentation scope (the spans of a run do), so the request has one
 * `resourceSpans` entry with one `scopeSpans` entry. Does not end `out`. Returns the spans written.
 */
export async function writeOtlpJson(spans: Iterable<ReadableSpan>, out: Writable, spansPerBatch = SPANS_PER_BATCH): Promise<number> {
  let written = 0;
  let batch: ReadableSpan[] = [];
  const flush = async () => {
    const request = serialize(batch);
    batch = [];
    const group = request.resourceSpans?.[0];
    const scopeGroup = group?.scopeSpans?.[0];
    if (!group || !scopeGroup || request.resourceSpans?.length !== 1 || group.scopeSpans?.length !== 1) {
      throw new Error('OTLP export: the spans of one run must share one resource and one scope');
    }
    if (written === 0) {
      // The envelope as the serializer wrote it, around an empty span list filled in below.
      const { spans: _spans, ...scopeFields } = scopeGroup;
      const { scopeSpans: _scopeSpans, ...resourceFields } = group;
      const head = JSON.stringify({ resourceSpans: [{ ...resourceFields, scopeSpans: [{ ...scopeFields, spans: [] }] }] });
      await writeChunk(out, head.slice(0, head.lastIndexOf('[]') + 1));
    }
    for (const span of scopeGroup.spans ?? []) {
      await writeChunk(out, `${written === 0 ? '' : ','}${JSON.stringify(span)}`);
      written += 1;
    }
  };
  for (const span of spans) {
    batch.push(span);
    if (batch.length >= spansPerBatch) await flush();
  }
  if (batch.length > 0) await flush();
  await writeChunk(out, written === 0 ? '{"resourceSpans":[]}\n' : ']}]}]}\n');
  return written;
}

function serialize(spans: ReadableSpan[]): JsonRequest {
  const bytes = JsonTraceSerializer.serializeRequest(spans);
  if (!bytes) throw new Error('OTLP export: the serializer returned nothing');
  return JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8')) as JsonRequest;
}
