import { describe, expect, it } from 'vitest';
import { binaryFieldOf, decodeBinaryCall, decodeBinaryResult, encodeBinaryCall, encodeBinaryResult, type CallMessage } from './wsProtocol';

const utf8 = new TextEncoder();

/** A frame built by hand, to say exactly what is on the wire. */
function frame(header: string, bytes: number[] = [], declaredLength = utf8.encode(header).byteLength): Uint8Array {
  const json = utf8.encode(header);
  const out = new Uint8Array(4 + json.byteLength + bytes.length);
  new DataView(out.buffer).setUint32(0, declaredLength);
  out.set(json, 4);
  out.set(bytes, 4 + json.byteLength);
  return out;
}

const append = (data: Uint8Array): CallMessage => ({ type: 'call', id: 42, method: 'uploads.append', params: { uploadId: 'u-abcdefgh', offset: 8, data } });

describe('binaryFieldOf', () => {
  it('names the one top-level Uint8Array field, Buffer included, and nothing else', () => {
    expect(binaryFieldOf({ uploadId: 'u-1', data: new Uint8Array(3) })).toBe('data');
    class NodeBufferLike extends Uint8Array {} // Buffer is such a subclass; shared code may not name it
    expect(binaryFieldOf({ chunk: new NodeBufferLike(1) })).toBe('chunk');
    expect(binaryFieldOf({ data: 'aGk=' })).toBeNull();
    expect(binaryFieldOf({ nested: { data: new Uint8Array(1) } })).toBeNull();
    expect(binaryFieldOf(null)).toBeNull();
    expect(binaryFieldOf(new Uint8Array(2))).toBeNull();
  });

  it('refuses two fields of bytes: a frame carries one', () => {
    expect(() => binaryFieldOf({ a: new Uint8Array(1), b: new Uint8Array(1) })).toThrow(/one field of bytes, not 2/);
  });
});

describe('binary call frames', () => {
  it('round-trip: header length, JSON header without the bytes, then the bytes', () => {
    const bytes = new Uint8Array([0, 1, 2, 250, 255]);
    const encoded = encodeBinaryCall(append(bytes), 'data');
    const headerLength = new DataView(encoded.buffer).getUint32(0, false);
    expect(JSON.parse(new TextDecoder().decode(encoded.subarray(4, 4 + headerLength)))).toEqual({
      type: 'call',
      id: 42,
      method: 'uploads.append',
      params: { uploadId: 'u-abcdefgh', offset: 8 },
      binaryField: 'data',
    });
    expect([...encoded.subarray(4 + headerLength)]).toEqual([0, 1, 2, 250, 255]);
    expect(decodeBinaryCall(encoded)).toEqual({ ok: true, message: append(bytes) });
  });

  it('carry empty bytes, and bytes that are a view into a larger buffer', () => {
    expect(decodeBinaryCall(encodeBinaryCall(append(new Uint8Array(0)), 'data'))).toEqual({ ok: true, message: append(new Uint8Array(0)) });
    const view = new Uint8Array([9, 9, 1, 2, 3, 9]).subarray(2, 5);
    const decoded = decodeBinaryCall(encodeBinaryCall(append(view), 'data'));
    expect(decoded.ok && [...((decoded.message as CallMessage).params as { data: Uint8Array }).data]).toEqual([1, 2, 3]);
  });

  it('decode a frame that sits inside a larger buffer (as a Node Buffer may)', () => {
    const encoded = encodeBinaryCall(append(new Uint8Array([7])), 'data');
    const padded = new Uint8Array(encoded.byteLength + 10);
    padded.set(encoded, 5);
    expect(decodeBinaryCall(padded.subarray(5, 5 + encoded.byteLength))).toEqual({ ok: true, message: append(new Uint8Array([7])) });
  });

  it('refuse a frame too short to hold the header length', () => {
    expect(decodeBinaryCall(new Uint8Array([0, 0, 1]))).toEqual({ ok: false, error: 'a binary frame of 3 bytes has no header length', header: null });
  });

  it('refuse a header length past the end of the frame', () => {
    const result = decodeBinaryCall(frame('{"type":"call"}', [], 1000));
    expect(result).toMatchObject({ ok: false, error: expect.stringContaining('runs past its end'), header: null });
    expect(decodeBinaryCall(new Uint8Array([0xff, 0xff, 0xff, 0xff, 1]))).toMatchObject({ ok: false, error: expect.stringContaining('runs past its end') });
  });

  it('refuse a truncated frame (cut inside the header)', () => {
    const encoded = encodeBinaryCall(append(new Uint8Array([1, 2])), 'data');
    expect(decodeBinaryCall(encoded.subarray(0, 20))).toMatchObject({ ok: false, error: expect.stringContaining('runs past its end') });
  });

  it('refuse a header that is not JSON, or not UTF-8', () => {
    expect(decodeBinaryCall(frame('{"type":"call",'))).toEqual({ ok: false, error: "a binary frame's header is not JSON", header: null });
    const invalidUtf8 = new Uint8Array([0, 0, 0, 4, 0x22, 0xff, 0xfe, 0x22]);
    expect(decodeBinaryCall(invalidUtf8)).toMatchObject({ ok: false, error: "a binary frame's header is not JSON" });
  });

  it('refuse headers of the wrong shape, and hand back the header for an answer by id', () => {
    const cases: Array<[string, RegExp]> = [
      ['[1,2]', /not a JSON object/],
      ['{"type":"subscribe","id":1,"runId":null,"binaryField":"data"}', /only a call/],
      ['{"type":"call","id":3,"method":"m","params":{}}', /binaryField/],
      ['{"type":"call","id":3,"method":"m","params":{},"binaryField":"__proto__"}', /binaryField/],
      ['{"type":"call","id":3,"method":"m","params":[],"binaryField":"data"}', /params: not an object/],
      ['{"type":"call","id":3,"method":"m","params":{"data":"aGk="},"binaryField":"data"}', /given twice/],
    ];
    for (const [header, error] of cases) {
      const result = decodeBinaryCall(frame(header, [1]));
      expect(result, header).toMatchObject({ ok: false, error: expect.stringMatching(error), header: JSON.parse(header) });
    }
  });

  it('leave validating the call to the receiver: unknown header fields pass through', () => {
    const result = decodeBinaryCall(frame('{"type":"call","id":"x","method":"m","params":{},"binaryField":"data","extra":1}', [5]));
    expect(result).toEqual({ ok: true, message: { type: 'call', id: 'x', method: 'm', params: { data: new Uint8Array([5]) }, extra: 1 } });
  });
});

describe('binary result frames', () => {
  /** A frame laid out by hand, so that it can be wrong. */
  const frame = (header: unknown, bytes: number[] = [1, 2], declared?: number) => {
    const json = new TextEncoder().encode(typeof header === 'string' ? header : JSON.stringify(header));
    const out = new Uint8Array(4 + json.byteLength + bytes.length);
    new DataView(out.buffer).setUint32(0, declared ?? json.byteLength, false);
    out.set(json, 4);
    out.set(bytes, 4 + json.byteLength);
    return out;
  };

  it('round-trip a value with its bytes, which come back as a view into the frame', () => {
    const bytes = new Uint8Array(100_000).map((_, i) => i % 251);
    const encoded = encodeBinaryResult(12, { encoding: 'tuples-1', bytes, lastId: 4, total: null }, 'bytes');
    const decoded = decodeBinaryResult(encoded);
    if (!decoded.ok) throw new Error(decoded.error);
    expect(decoded.message).toEqual({ type: 'result', id: 12, outcome: { ok: true, value: { encoding: 'tuples-1', bytes, lastId: 4, total: null } } });
    expect((decoded.message.outcome as { value: { bytes: Uint8Array } }).value.bytes.buffer).toBe(encoded.buffer);
  });

  it('refuse what is not a result frame, naming what is wrong', () => {
    const result = { type: 'result', id: 1, outcome: { ok: true, value: { n: 1 } }, binaryField: 'bytes' };
    const error = (f: Uint8Array) => {
      const d = decodeBinaryResult(f);
      return d.ok ? null : d.error;
    };
    expect(error(new Uint8Array(2))).toMatch(/no header length/);
    expect(error(frame(result, [], 10_000))).toMatch(/runs past its end/);
    expect(error(frame('{not json'))).toMatch(/not JSON/);
    expect(error(frame({ ...result, type: 'event' }))).toMatch(/not a result/);
    expect(error(frame({ ...result, id: 'x' }))).toMatch(/id is not a number/);
    expect(error(frame({ ...result, binaryField: '__proto__' }))).toMatch(/not a field name/);
    expect(error(frame({ ...result, outcome: { ok: false, error: { code: 'INTERNAL', message: 'x' } } }))).toMatch(/not a value/);
    expect(error(frame({ ...result, outcome: { ok: true, value: { bytes: 'twice' } } }))).toMatch(/given twice/);
    expect(error(frame(result))).toBeNull();
  });
});
