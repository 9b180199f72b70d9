// The WebSocket wire of browser mode (`rlmscope serve`): the RlmApi's `call` and `subscribe`,
// the same operations the desktop app carries over IPC (ipcChannels.ts). One JSON object per
// message, or one binary frame for a call that carries bytes (below). Every message from the
// page is validated by the server; nothing is trusted.
import type { CallOutcome, RlmEvent } from './api';

/** The path of the WebSocket endpoint on the browser-mode server. */
export const WS_PATH = '/rlm';

export type ClientMessage =
  /** → a `result` with the same id. */
  | { type: 'call'; id: number; method: string; params: unknown }
  /** → a `subscribed` with the same id; then `event`s under the subscription id it carries. */
  | { type: 'subscribe'; id: number; runId: string | null }
  /** No answer; an unknown id is not an error (already gone). */
  | { type: 'unsubscribe'; subscriptionId: number }
  /**
   * The caller gave up on call `id`: its handler's signal aborts. No answer of its own (the
   * call's `result` may still come, and is ignored); an unknown id is not an error (it ended).
   */
  | { type: 'cancel'; id: number };

export type ServerMessage =
  | { type: 'result'; id: number; outcome: CallOutcome<unknown> }
  | { type: 'subscribed'; id: number; outcome: CallOutcome<{ subscriptionId: number }> }
  | { type: 'event'; subscriptionId: number; event: RlmEvent };

// ---- Binary frames -------------------------------------------------------------------------
// A call whose params hold bytes (an upload chunk) travels as one binary message rather than
// JSON: as base64 inside JSON it cost the page's main thread ~75 ms per MiB (JSON.stringify and
// WebSocket.send of the text, measured in Chromium) and a third more bytes on the wire.
//
//   offset 0      4 bytes    H: the header's length in bytes, unsigned, big-endian
//   offset 4      H bytes    the header, UTF-8 JSON: a `call` message whose params lack the
//                            bytes field, plus `binaryField`: that field's name
//   offset 4 + H  the rest   the bytes of params[binaryField]
//
// The server puts the bytes back under their name and validates the call exactly as a text one
// (wsConnection.ts): the frame format adds no way in that JSON does not have.

/** The header of a binary frame, as JSON in the frame. */
export interface BinaryCallHeader {
  type: 'call';
  id: number;
  method: string;
  params: Record<string, unknown>;
  binaryField: string;
}

export type CallMessage = Extract<ClientMessage, { type: 'call' }>;

/** The header's length field. */
const LENGTH_BYTES = 4;
/** A params key: a plain name (never `__proto__`), short. */
const FIELD_NAME = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;

// The shared code compiles without DOM or Node typings, and both have these two globals.
interface Utf8Codecs {
  TextEncoder: new () => { encode(text: string): Uint8Array };
  TextDecoder: new (label: 'utf-8', options: { fatal: boolean }) => { decode(bytes: Uint8Array): string };
}
const codecs = globalThis as unknown as Utf8Codecs;

/**
 * The name of the one top-level Uint8Array field of a call's params (the call then goes as a
 * binary frame), or null when there is none. Throws for more than one: a frame carries one.
 */
export function binaryFieldOf(params: unknown): string | null {
  if (typeof params !== 'object' || params === null || Array.isArray(params) || params instanceof Uint8Array) return null;
  const fields = Object.keys(params).filter((key) => (params as Record<string, unknown>)[key] instanceof Uint8Array);
  if (fields.length > 1) throw new RangeError(`a call can carry one field of bytes, not ${fields.length} (${fields.join(', ')})`);
  const [field] = fields;
  if (field !== undefined && !FIELD_NAME.test(field)) throw new RangeError(`a field of bytes needs a plain name, not ${JSON.stringify(field.slice(0, 64))}`);
  return field ?? null;
}

/**
 * A binary frame in two parts, the bytes not copied: `head` (the header's length and the header)
 * and then `bytes`, params[field] (see binaryFieldOf). A sender may hand them over as they are.
 */
export function encodeBinaryCallParts(message: CallMessage, field: string): { head: Uint8Array<ArrayBuffer>; bytes: Uint8Array } {
  const { [field]: bytes, ...rest } = message.params as Record<string, unknown>;
  if (!(bytes instanceof Uint8Array)) throw new TypeError(`params.${field} is not a Uint8Array`);
  const header: BinaryCallHeader = { type: 'call', id: message.id, method: message.method, params: rest, binaryField: field };
  const json = new codecs.TextEncoder().encode(JSON.stringify(header));
  const head = new Uint8Array(LENGTH_BYTES + json.byteLength);
  new DataView(head.buffer).setUint32(0, json.byteLength, false);
  head.set(json, LENGTH_BYTES);
  return { head, bytes };
}

/** The binary frame of a call, in one array. */
export function encodeBinaryCall(message: CallMessage, field: string): Uint8Array {
  const { head, bytes } = encodeBinaryCallParts(message, field);
  const frame = new Uint8Array(head.byteLength + bytes.byteLength);
  frame.set(head);
  frame.set(bytes, head.byteLength);
  return frame;
}

/**
 * `message`: the call with its bytes back in params, not yet validated (the receiver checks it
 * as it checks a text message). `header`: whatever JSON the frame held, for answering by id.
 */
export type DecodedFrame = { ok: true; message: unknown } | { ok: false; error: string; header: unknown };

/** Reads a binary frame; the bytes returned are a view into `frame`, not a copy. */
export function decodeBinaryCall(frame: Uint8Array): DecodedFrame {
  if (frame.byteLength < LENGTH_BYTES) return { ok: false, error: `a binary frame of ${frame.byteLength} bytes has no header length`, header: null };
  const headerBytes = new DataView(frame.buffer, frame.byteOffset, frame.byteLength).getUint32(0, false);
  const bytesAt = LENGTH_BYTES + headerBytes;
  if (bytesAt > frame.byteLength) {
    return { ok: false, error: `a binary frame's header of ${headerBytes} bytes runs past its end (${frame.byteLength} bytes)`, header: null };
  }
  let header: unknown;
  try {
    header = JSON.parse(new codecs.TextDecoder('utf-8', { fatal: true }).decode(frame.subarray(LENGTH_BYTES, bytesAt)));
  } catch {
    return { ok: false, error: "a binary frame's header is not JSON", header: null };
  }
  if (!isPlainObject(header)) return { ok: false, error: "a binary frame's header is not a JSON object", header };
  if (header.type !== 'call') return { ok: false, error: 'only a call can carry bytes', header };
  const { binaryField: field, ...call } = header;
  if (typeof field !== 'string' || !FIELD_NAME.test(field)) return { ok: false, error: 'binaryField: not a field name', header };
  const params = call.params;
  if (!isPlainObject(params)) return { ok: false, error: 'params: not an object', header };
  if (Object.hasOwn(params, field)) return { ok: false, error: `params.${field}: given twice, in the header and as bytes`, header };
  // A computed key defines an own property, whatever the name: nothing reaches a prototype.
  return { ok: true, message: { ...call, params: { ...params, [field]: frame.subarray(bytesAt) } } };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// ---- Binary results ------------------------------------------------------------------------
// The other way, a call's answer whose value holds bytes (a run's node index: 16 MB for 100,000
// nodes) travels as one binary message in the same layout: the header is a `result` message
// whose value lacks the bytes field, plus `binaryField`. As a string inside JSON, the service
// spent ~100 ms escaping a 16 MB index into its message and the page as long turning the text
// back into a string and parsing the message around it.

/** The header of a binary result frame, as JSON in the frame. */
export interface BinaryResultHeader {
  type: 'result';
  id: number;
  outcome: { ok: true; value: Record<string, unknown> };
  binaryField: string;
}

/** The binary frame of a successful result whose value has one field of bytes, in one array. */
export function encodeBinaryResult(id: number, value: Record<string, unknown>, field: string): Uint8Array {
  const { [field]: bytes, ...rest } = value;
  if (!(bytes instanceof Uint8Array)) throw new TypeError(`value.${field} is not a Uint8Array`);
  const header: BinaryResultHeader = { type: 'result', id, outcome: { ok: true, value: rest }, binaryField: field };
  const json = new codecs.TextEncoder().encode(JSON.stringify(header));
  const frame = new Uint8Array(LENGTH_BYTES + json.byteLength + bytes.byteLength);
  new DataView(frame.buffer).setUint32(0, json.byteLength, false);
  frame.set(json, LENGTH_BYTES);
  frame.set(bytes, LENGTH_BYTES + json.byteLength);
  return frame;
}

/**
 * The result message of a binary frame from the server, its bytes a view into `frame` back in
 * the value; an error naming what is wrong when it is not one.
 */
export function decodeBinaryResult(frame: Uint8Array): { ok: true; message: Extract<ServerMessage, { type: 'result' }> } | { ok: false; error: string } {
  if (frame.byteLength < LENGTH_BYTES) return { ok: false, error: `a binary frame of ${frame.byteLength} bytes has no header length` };
  const headerBytes = new DataView(frame.buffer, frame.byteOffset, frame.byteLength).getUint32(0, false);
  const bytesAt = LENGTH_BYTES + headerBytes;
  if (bytesAt > frame.byteLength) return { ok: false, error: `a binary frame's header of ${headerBytes} bytes runs past its end (${frame.byteLength} bytes)` };
  let header: unknown;
  try {
    header = JSON.parse(new codecs.TextDecoder('utf-8', { fatal: true }).decode(frame.subarray(LENGTH_BYTES, bytesAt)));
  } catch {
    return { ok: false, error: "a binary frame's header is not JSON" };
  }
  if (!isPlainObject(header) || header.type !== 'result') return { ok: false, error: 'a binary frame from the server is not a result' };
  const { id, outcome, binaryField: field } = header;
  if (typeof id !== 'number' || !Number.isSafeInteger(id)) return { ok: false, error: "a binary result's id is not a number" };
  if (typeof field !== 'string' || !FIELD_NAME.test(field)) return { ok: false, error: 'binaryField: not a field name' };
  if (!isPlainObject(outcome) || outcome.ok !== true || !isPlainObject(outcome.value)) return { ok: false, error: "a binary result's outcome is not a value" };
  if (Object.hasOwn(outcome.value, field)) return { ok: false, error: `value.${field}: given twice, in the header and as bytes` };
  return { ok: true, message: { type: 'result', id, outcome: { ok: true, value: { ...outcome.value, [field]: frame.subarray(bytesAt) } } } };
}
