// Reading OTLP trace requests back in tests, protobuf and JSON alike, into one plain shape to
// compare with the run. The OpenTelemetry JS packages ship no decoder for requests (only for
// the collector's response) and no .proto files, and protobufjs is no longer among their
// dependencies; so the protobuf is read with the otlp-transformer package's own wire reader
// (`ProtobufReader`, internal to the package but shipped in its build) and the field numbers of
// opentelemetry-proto's trace.proto, common.proto and resource.proto, written out below.
import { ProtobufReader } from '@opentelemetry/otlp-transformer/build/src/common/protobuf/protobuf-reader';
import type { IAnyValue, IKeyValue } from '@opentelemetry/otlp-transformer/build/src/common/internal-types';
import type { IExportTraceServiceRequest } from '@opentelemetry/otlp-transformer/build/src/trace/internal-types';

export type AttributeValue = string | number | boolean;

/** A span as both encodings carry it: ids in hex, times in nanoseconds as decimal strings. */
export interface DecodedSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string | null;
  name: string;
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: Record<string, AttributeValue>;
  status: { code: number; message: string | null };
}

export interface DecodedRequest {
  resource: Record<string, AttributeValue>;
  scope: { name: string; version: string };
  spans: DecodedSpan[];
}

/** The OTLP/JSON encoding, checked against the package's own request type. */
export function decodeOtlpJson(text: string): DecodedRequest {
  const request = JSON.parse(text) as IExportTraceServiceRequest;
  const out: DecodedRequest = { resource: {}, scope: { name: '', version: '' }, spans: [] };
  for (const group of request.resourceSpans ?? []) {
    out.resource = attributeMap(group.resource?.attributes ?? []);
    for (const scopeGroup of group.scopeSpans) {
      out.scope = { name: scopeGroup.scope?.name ?? '', version: scopeGroup.scope?.version ?? '' };
      for (const span of scopeGroup.spans ?? []) {
        out.spans.push({
          traceId: String(span.traceId),
          spanId: String(span.spanId),
          parentSpanId: span.parentSpanId ? String(span.parentSpanId) : null,
          name: span.name,
          kind: span.kind,
          startTimeUnixNano: String(span.startTimeUnixNano),
          endTimeUnixNano: String(span.endTimeUnixNano),
          attributes: attributeMap(span.attributes),
          status: { code: span.status.code, message: span.status.message ?? null },
        });
      }
    }
  }
  return out;
}

function attributeMap(attributes: IKeyValue[]): Record<string, AttributeValue> {
  const map: Record<string, AttributeValue> = {};
  for (const { key, value } of attributes) map[key] = anyValue(value);
  return map;
}

function anyValue(value: IAnyValue): AttributeValue {
  if (value.stringValue !== undefined && value.stringValue !== null) return value.stringValue;
  if (value.boolValue !== undefined && value.boolValue !== null) return value.boolValue;
  if (value.intValue !== undefined && value.intValue !== null) return Number(value.intValue);
  if (value.doubleValue !== undefined && value.doubleValue !== null) return value.doubleValue;
  throw new Error(`unexpected attribute value ${JSON.stringify(value)}`);
}

// Wire types.
const VARINT = 0;
const FIXED64 = 1;
const LENGTH = 2;

/** An ExportTraceServiceRequest in protobuf. */
export function decodeOtlpProtobuf(bytes: Uint8Array): DecodedRequest {
  const out: DecodedRequest = { resource: {}, scope: { name: '', version: '' }, spans: [] };
  // ExportTraceServiceRequest: 1 resource_spans
  fields(bytes, (field, reader) => {
    if (field !== 1) return false;
    // ResourceSpans: 1 resource, 2 scope_spans
    fields(reader.readBytes(), (field, reader) => {
      if (field === 1) {
        // Resource: 1 attributes
        const attributes: Record<string, AttributeValue> = {};
        fields(reader.readBytes(), (field, reader) => field === 1 && (keyValue(reader.readBytes(), attributes), true));
        out.resource = attributes;
        return true;
      }
      if (field !== 2) return false;
      // ScopeSpans: 1 scope, 2 spans
      fields(reader.readBytes(), (field, reader) => {
        if (field === 1) {
          // InstrumentationScope: 1 name, 2 version
          fields(reader.readBytes(), (field, reader) => {
            if (field === 1) out.scope.name = reader.readString();
            else if (field === 2) out.scope.version = reader.readString();
            else return false;
            return true;
          });
          return true;
        }
        if (field !== 2) return false;
        out.spans.push(span(reader.readBytes()));
        return true;
      });
      return true;
    });
    return true;
  });
  return out;
}

function span(bytes: Uint8Array): DecodedSpan {
  const decoded: DecodedSpan = {
    traceId: '', spanId: '', parentSpanId: null, name: '', kind: 0,
    startTimeUnixNano: '0', endTimeUnixNano: '0', attributes: {}, status: { code: 0, message: null },
  };
  // Span: 1 trace_id, 2 span_id, 4 parent_span_id, 5 name, 6 kind, 7 start, 8 end (fixed64), 9 attributes, 15 status
  fields(bytes, (field, reader, wireType, buffer) => {
    if (field === 1) decoded.traceId = hex(reader.readBytes());
    else if (field === 2) decoded.spanId = hex(reader.readBytes());
    else if (field === 4) decoded.parentSpanId = hex(reader.readBytes()) || null;
    else if (field === 5) decoded.name = reader.readString();
    else if (field === 6) decoded.kind = reader.readVarint();
    else if ((field === 7 || field === 8) && wireType === FIXED64) {
      const nanos = new DataView(buffer.buffer, buffer.byteOffset + reader.pos, 8).getBigUint64(0, true).toString();
      reader.skip(FIXED64);
      if (field === 7) decoded.startTimeUnixNano = nanos;
      else decoded.endTimeUnixNano = nanos;
    } else if (field === 9) keyValue(reader.readBytes(), decoded.attributes);
    else if (field === 15) {
      // Status: 2 message, 3 code
      fields(reader.readBytes(), (field, reader) => {
        if (field === 2) decoded.status.message = reader.readString();
        else if (field === 3) decoded.status.code = reader.readVarint();
        else return false;
        return true;
      });
    } else return false;
    return true;
  });
  return decoded;
}

/** KeyValue: 1 key, 2 value; AnyValue: 1 string, 2 bool, 3 int, 4 double. */
function keyValue(bytes: Uint8Array, into: Record<string, AttributeValue>): void {
  let key = '';
  let value: AttributeValue | undefined;
  fields(bytes, (field, reader) => {
    if (field === 1) key = reader.readString();
    else if (field === 2) {
      fields(reader.readBytes(), (field, reader, wireType, buffer) => {
        if (field === 1) value = reader.readString();
        else if (field === 2 && wireType === VARINT) value = reader.readVarint() !== 0;
        else if (field === 3 && wireType === VARINT) value = reader.readVarint();
        else if (field === 4 && wireType === FIXED64) {
          value = new DataView(buffer.buffer, buffer.byteOffset + reader.pos, 8).getFloat64(0, true);
          reader.skip(FIXED64);
        } else return false;
        return true;
      });
    } else return false;
    return true;
  });
  if (value === undefined) throw new Error(`attribute ${key} has no value of a known type`);
  into[key] = value;
}

/** Calls `read` for each field; a field it does not take (returns false) is skipped. */
function fields(bytes: Uint8Array, read: (field: number, reader: ProtobufReader, wireType: number, buffer: Uint8Array) => boolean): void {
  const reader = new ProtobufReader(bytes);
  while (!reader.isAtEnd()) {
    const { fieldNumber, wireType } = reader.readTag();
    if (!read(fieldNumber, reader, wireType, bytes)) reader.skip(wireType === LENGTH ? LENGTH : wireType);
  }
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}
