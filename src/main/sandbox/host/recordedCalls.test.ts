import { describe, expect, it } from 'vitest';
import { NOT_RECORDED, RecordedCallServer, type RecordedCall } from './recordedCalls';

const call = (request: string, value: string | null, ok: boolean | null = true): RecordedCall => ({ kind: 'llm', request, ok, value, refused: false });
const refusal: RecordedCall = { kind: 'llm', request: null, ok: false, value: 'too big', refused: true };

describe('RecordedCallServer', () => {
  it('hands results over in the recorded groups, one group per quiet signal, once its calls are made', () => {
    // Recorded: calls a, b made together; b's result came first, then a's; refusal in between.
    const server = new RecordedCallServer([call('a', 'A'), refusal, call('b', 'B')], [[2], [0]]);
    expect(server.made(0, 'llm', 'a')).toEqual([]);
    expect(server.quiet()).toEqual([]); // b not made yet
    expect(server.made(1, 'llm', 'b')).toEqual([]);
    expect(server.quiet()).toEqual([{ callId: 1, ok: true, value: 'B' }]);
    expect(server.quiet()).toEqual([{ callId: 0, ok: true, value: 'A' }]);
    expect(server.finish()).toBeNull();
  });

  it('fails a call that is not the recorded one, and every call after it, without asking anything', () => {
    const server = new RecordedCallServer([call('a', 'A'), call('b', 'B')], [[0], [1]]);
    expect(server.made(0, 'llm', 'x')).toEqual([{ callId: 0, ok: false, value: NOT_RECORDED }]);
    expect(server.made(1, 'llm', 'b')).toEqual([{ callId: 1, ok: false, value: NOT_RECORDED }]);
    expect(server.finish()).toEqual({ expected: 'host call 1: llm_query (request a)', actual: 'host call 1: llm_query (request x)' });
  });

  it('releases code that waits for a result the recording never gave it, after quiet rounds with nothing new', () => {
    const server = new RecordedCallServer([call('a', null, null)], []);
    expect(server.made(0, 'llm', 'a')).toEqual([]);
    // The round in which the call arrived, then three with nothing new.
    for (let round = 0; round < 3; round++) expect(server.quiet()).toEqual([]);
    expect(server.quiet()).toEqual([{ callId: 0, ok: false, value: NOT_RECORDED }]);
    expect(server.finish()).toEqual({ expected: 'the cell ends with the results it was given', actual: 'the code waits for a result the recording never delivered' });
  });

  it('answers each call as it comes when the order was not recorded (a killed sandbox), and counts missing calls', () => {
    const server = new RecordedCallServer([call('a', 'A', false), call('b', 'B')], null);
    expect(server.made(0, 'llm', 'a')).toEqual([{ callId: 0, ok: false, value: 'A' }]);
    expect(server.finish()).toEqual({ expected: '2 host calls', actual: '1 host calls' });
  });
});
