import { APIConnectionError, APIConnectionTimeoutError, APIError } from 'openai';
import { describe, expect, it } from 'vitest';
import { classifyError, failureReason, mayBeBilled, rejectsStreamOptions, toRlmError } from './failures';

const context = { model: 'gpt-5', baseUrl: 'http://127.0.0.1:1/v1', timeoutMs: 1000, attempts: 1 };
const statusError = (status: number, message: string): APIError =>
  APIError.generate(status, { error: { message } }, undefined, new Headers({ 'retry-after': '2' }));

describe('classifyError', () => {
  it('keeps the status, the provider message and the headers of HTTP errors', () => {
    const failure = classifyError(statusError(429, 'Rate limit reached'));
    expect(failure).toMatchObject({ kind: 'status', status: 429, retryable: true, message: 'Rate limit reached' });
    expect(failure.headers?.get('retry-after')).toBe('2');
    expect(classifyError(statusError(422, 'bad')).retryable).toBe(false);
  });

  it('finds the errno code in a connection error', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
    const failure = classifyError(new APIConnectionError({ cause: new TypeError('fetch failed', { cause: refused }) }));
    expect(failure).toEqual({ kind: 'connection', retryable: true, message: 'ECONNREFUSED', neverSent: true });
    expect(mayBeBilled(failure)).toBe(false);
    const badPort = classifyError(new APIConnectionError({ cause: new TypeError('fetch failed', { cause: new Error('bad port') }) }));
    expect(mayBeBilled(badPort)).toBe(false);
  });

  it('counts a gateway timeout as possibly billed: the model behind it may have generated the reply', () => {
    // A proxy (Cloudflare's 524, a load balancer's 504) gives up waiting on a reply asked for whole
    // while the provider behind it goes on and bills it.
    for (const status of [502, 504, 524]) expect(mayBeBilled(classifyError(statusError(status, 'gateway')))).toBe(true);
    for (const status of [400, 401, 429, 500, 503]) expect(mayBeBilled(classifyError(statusError(status, 'no')))).toBe(false);
  });

  it('counts a connection reset as possibly billed: the server may have taken the request', () => {
    const reset = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
    const failure = classifyError(new APIConnectionError({ cause: new TypeError('fetch failed', { cause: reset }) }));
    expect(failure).toEqual({ kind: 'connection', retryable: true, message: 'ECONNRESET' });
    expect(mayBeBilled(failure)).toBe(true);
  });

  it('treats SDK timeouts and broken bodies as retryable, malformed JSON as final', () => {
    expect(classifyError(new APIConnectionTimeoutError())).toMatchObject({ kind: 'timeout', retryable: true });
    const cut = classifyError(new TypeError('terminated', { cause: new Error('other side closed') }));
    expect(cut).toEqual({ kind: 'cut', retryable: true, message: 'terminated (other side closed)' });
    expect(classifyError(new SyntaxError('Unexpected token'))).toMatchObject({ kind: 'malformed', retryable: false });
  });

  it('treats an error event inside the stream as retryable', () => {
    const failure = classifyError(new APIError(undefined, { message: 'upstream overloaded' }, undefined, undefined));
    expect(failure).toMatchObject({ kind: 'stream-error', retryable: true, message: 'upstream overloaded' });
    expect(toRlmError(failure, { ...context, attempts: 5 }).message).toBe('gpt-5 reported an error: upstream overloaded (after 5 attempts)');
  });
});

describe('toRlmError', () => {
  it('maps each failure to a stable code and a message naming what failed', () => {
    expect(toRlmError(classifyError(statusError(403, 'forbidden')), context).toData()).toEqual({
      code: 'PROVIDER_AUTH',
      message: 'the provider rejected the API key (403): forbidden',
    });
    expect(toRlmError(classifyError(statusError(400, 'bad request')), context).toData()).toEqual({
      code: 'PROVIDER_ERROR',
      message: '400 from gpt-5: bad request',
    });
    expect(toRlmError({ kind: 'connection', retryable: true, message: 'ENOTFOUND' }, { ...context, attempts: 3 }).toData()).toEqual({
      code: 'PROVIDER_UNREACHABLE',
      message: 'cannot reach http://127.0.0.1:1/v1: ENOTFOUND (after 3 attempts)',
    });
  });

  it('recognises a server that rejects stream_options', () => {
    expect(rejectsStreamOptions(classifyError(statusError(400, "Unrecognized request argument supplied: stream_options")))).toBe(true);
    expect(rejectsStreamOptions(classifyError(statusError(400, 'messages is required')))).toBe(false);
    expect(failureReason(classifyError(statusError(503, 'busy')))).toBe('503 busy');
  });
});
