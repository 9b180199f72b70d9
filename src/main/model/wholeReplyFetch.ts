// The `fetch` the openai SDK uses for replies asked for whole (batched sub-calls): node:http(s)
// over keep-alive sockets, the body read at once into one string. Node's global fetch (undici)
// wraps every request and response in WHATWG streams, clones the request and tees its body:
// measured on the batched benchmark it was the largest cost per sub-call (bench/batched.ts;
// 1.0 ms of CPU per request against 0.6 ms with this, the SDK on top of both). Streamed replies
// keep the global fetch: the SDK reads their server-sent events from a web stream.
import { Buffer } from 'node:buffer';
import http from 'node:http';
import https from 'node:https';
import { brotliDecompressSync, gunzipSync, inflateSync } from 'node:zlib';
import { abortError } from './abort';
import { MAX_REPLY_BYTES, ReplyTooLargeError } from './replyLimit';

/**
 * A free socket is closed after this long unused, before a server's own idle timeout can close it
 * under a request just sent on it (undici's default, which the global fetch used). A shorter
 * `Keep-Alive: timeout=N` from the server is honoured by node:http's agent.
 */
const FREE_SOCKET_MS = 4_000;

/**
 * How long a connection may take to open: the global fetch's (undici's connect timeout), and with
 * its error code, which failures.ts counts as never sent. node:http has none: a provider's address
 * that drops packets held the call for the system's ~2 minutes, then failed as ETIMEDOUT, which
 * may come after a request was sent, so the call was charged as maybe billed.
 */
export const CONNECT_TIMEOUT_MS = 10_000;

/**
 * What the SDK reads of a response (openai 6.x: makeRequest, shouldRetry, defaultParseResponse,
 * makeStatusError): status, ok, url, headers, json() and text(). A real `Response` would build a
 * web stream around a body that has already arrived.
 */
class WholeResponse {
  readonly ok: boolean;
  /** Null: the body is read; the SDK only cancels a body it retries, and its retries are off. */
  readonly body = null;
  bodyUsed = false;

  constructor(
    readonly status: number,
    readonly statusText: string,
    readonly headers: Headers,
    readonly url: string,
    private readonly content: string,
  ) {
    this.ok = status >= 200 && status < 300;
  }

  text(): Promise<string> {
    this.bodyUsed = true;
    return Promise.resolve(this.content);
  }

  json(): Promise<unknown> {
    this.bodyUsed = true;
    try {
      return Promise.resolve(JSON.parse(this.content));
    } catch (error) {
      return Promise.reject(error);
    }
  }
}

export interface WholeReplyFetch {
  fetch: typeof fetch;
  /** Closes the idle sockets (sockets in use close when their request ends). */
  close(): void;
}

export interface WholeReplyFetchOptions {
  connectTimeoutMs?: number;
  /** Opens the http: sockets (tests: one that never connects). */
  createConnection?: http.Agent['createConnection'];
  /** Bytes of body past which a reply is refused (replyLimit.ts). */
  maxReplyBytes?: number;
}

export function createWholeReplyFetch(options: WholeReplyFetchOptions = {}): WholeReplyFetch {
  const connectTimeoutMs = options.connectTimeoutMs ?? CONNECT_TIMEOUT_MS;
  const limits = { connectTimeoutMs, maxReplyBytes: options.maxReplyBytes ?? MAX_REPLY_BYTES };
  const agents = {
    'http:': new http.Agent({ keepAlive: true, timeout: FREE_SOCKET_MS }),
    'https:': new https.Agent({ keepAlive: true, timeout: FREE_SOCKET_MS }),
  };
  if (options.createConnection) agents['http:'].createConnection = options.createConnection;
  const wholeFetch = (input: string | URL | Request, init: RequestInit = {}): Promise<Response> => {
    const url = typeof input === 'string' ? new URL(input) : input instanceof URL ? input : null;
    const protocol = url?.protocol;
    // Anything but a string body to an http(s) URL (the SDK's JSON calls) goes the usual way.
    if (!url || (protocol !== 'http:' && protocol !== 'https:') || (init.body !== undefined && init.body !== null && typeof init.body !== 'string')) {
      return fetch(input, init);
    }
    return sendFollowing(url, init, agents, limits) as Promise<unknown> as Promise<Response>;
  };
  return {
    fetch: wholeFetch as typeof fetch,
    close() {
      agents['http:'].destroy();
      agents['https:'].destroy();
    },
  };
}

/** The global fetch's limit (WHATWG fetch: 20 redirects). */
const MAX_REDIRECTS = 20;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);
/** Headers the global fetch drops when a redirect leads to another origin, or with the body. */
const CREDENTIAL_HEADERS = ['authorization', 'proxy-authorization', 'cookie'];
const BODY_HEADERS = ['content-type', 'content-encoding', 'content-language', 'content-location', 'content-length'];

/**
 * Follows redirects as the global fetch does (the streamed path's: a provider behind a 307 or
 * 308 must answer batched sub-calls as it answers turns): 307 and 308 send the same request
 * again, a 303, or a 301 or 302 to a POST, turn it into a GET without body; credentials are not
 * sent to another origin.
 */
interface SendLimits {
  connectTimeoutMs: number;
  maxReplyBytes: number;
}

async function sendFollowing(first: URL, init: RequestInit, agents: Record<'http:' | 'https:', http.Agent>, limits: SendLimits): Promise<WholeResponse> {
  let url = first;
  let method = (init.method ?? 'GET').toUpperCase();
  let body = typeof init.body === 'string' ? Buffer.from(init.body, 'utf8') : null;
  const headers = plainHeaders(init.headers);
  for (let redirects = 0; ; redirects++) {
    const response = await send(url, agents[url.protocol as 'http:' | 'https:'], method, headers, body, init.signal ?? undefined, limits);
    const location = response.headers.get('location');
    if (!REDIRECTS.has(response.status) || location === null || init.redirect === 'manual') return response;
    if (init.redirect === 'error') throw new TypeError(`fetch failed: redirected to ${location}`);
    if (redirects >= MAX_REDIRECTS) throw new TypeError('fetch failed: redirect count exceeded');
    let next: URL;
    try {
      next = new URL(location, url);
    } catch {
      throw new TypeError(`fetch failed: redirected to a bad URL ${location.slice(0, 100)}`);
    }
    if (next.protocol !== 'http:' && next.protocol !== 'https:') throw new TypeError(`fetch failed: redirected to ${next.protocol} URL`);
    if (response.status === 303 ? method !== 'HEAD' : (response.status === 301 || response.status === 302) && method === 'POST') {
      method = 'GET';
      body = null;
      for (const name of BODY_HEADERS) delete headers[name];
    }
    if (next.origin !== url.origin) for (const name of CREDENTIAL_HEADERS) delete headers[name];
    url = next;
  }
}

function send(url: URL, agent: http.Agent, method: string, headers: Record<string, string>, body: Buffer | null, signal: AbortSignal | undefined, limits: SendLimits): Promise<WholeResponse> {
  const { connectTimeoutMs, maxReplyBytes } = limits;
  if (body) headers['content-length'] = String(body.length);
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(abortError(signal));
      return;
    }
    const request = (url.protocol === 'https:' ? https.request : http.request)(url, { method, headers, agent }, (response) => {
      const chunks: Buffer[] = [];
      let bytes = 0;
      // Refused as soon as it is known to be too large: by its length, or by what has come.
      const refuse = () => {
        const error = new ReplyTooLargeError(maxReplyBytes);
        unlink();
        reject(error);
        request.destroy(error);
      };
      if (Number(response.headers['content-length']) > maxReplyBytes) {
        refuse();
        return;
      }
      response.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        if (bytes > maxReplyBytes) refuse();
        else chunks.push(chunk);
      });
      response.on('end', () => {
        unlink();
        const status = response.statusCode ?? 0;
        let content: string;
        try {
          content = decode(Buffer.concat(chunks), response.headers['content-encoding'], maxReplyBytes);
        } catch (error) {
          // An error status whose body does not decode (a proxy's damaged page) is still that
          // status: a 429's retry-after must reach the retry loop. A reply that does not decode fails.
          if (error instanceof ReplyTooLargeError || (status >= 200 && status < 300)) {
            reject(error);
            return;
          }
          content = '';
        }
        resolve(new WholeResponse(status, response.statusMessage ?? '', toHeaders(response.rawHeaders), url.href, content));
      });
      // A reply cut before its end ('end' never comes): the socket closed under it, or we aborted.
      response.on('close', () => {
        if (response.complete) return;
        unlink();
        reject(signal?.aborted ? abortError(signal) : Object.assign(new Error('the connection closed before the whole reply arrived'), { code: 'ECONNRESET' }));
      });
    });
    // Connection failures keep node's error (its `code` tells a refused connection from a reset).
    request.on('error', (error) => {
      unlink();
      reject(signal?.aborted ? abortError(signal) : error);
    });
    // A new socket that does not connect in time (a kept-alive one is connected already).
    request.on('socket', (socket) => {
      if (!socket.connecting) return;
      const timer = setTimeout(() => {
        request.destroy(Object.assign(new Error(`could not connect to ${url.host} within ${connectTimeoutMs / 1000} s`), { code: 'UND_ERR_CONNECT_TIMEOUT' }));
      }, connectTimeoutMs);
      const clear = () => clearTimeout(timer);
      socket.once('connect', clear);
      socket.once('close', clear);
    });
    // The SDK's signal: one per request, its own controller's, so a listener here piles up nothing.
    const onAbort = () => request.destroy(abortError(signal as AbortSignal));
    signal?.addEventListener('abort', onAbort, { once: true });
    const unlink = () => signal?.removeEventListener('abort', onAbort);
    request.end(body ?? undefined);
  });
}

function plainHeaders(init: HeadersInit | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!init) return out;
  if (init instanceof Headers) {
    init.forEach((value, name) => {
      out[name] = value;
    });
  } else if (Array.isArray(init)) {
    for (const [name, value] of init) if (name !== undefined && value !== undefined) out[name.toLowerCase()] = value;
  } else {
    for (const [name, value] of Object.entries(init)) out[name.toLowerCase()] = value;
  }
  return out;
}

function toHeaders(raw: string[]): Headers {
  const headers = new Headers();
  for (let i = 0; i + 1 < raw.length; i += 2) headers.append(raw[i] as string, raw[i + 1] as string);
  return headers;
}

/** No Accept-Encoding is sent, so replies come plain; a server that compresses anyway is read too. */
function decode(bytes: Buffer, encoding: string | undefined, maxReplyBytes: number): string {
  // Empty in any encoding (a proxy marks its empty 429 as gzip): zlib would call it cut short.
  if (bytes.length === 0) return '';
  // A small compressed body may inflate to gigabytes: zlib stops at the limit.
  const bounded = { maxOutputLength: maxReplyBytes };
  try {
    switch (encoding?.trim().toLowerCase()) {
      case 'gzip':
      case 'x-gzip':
        return gunzipSync(bytes, bounded).toString('utf8');
      case 'deflate':
        return inflateSync(bytes, bounded).toString('utf8');
      case 'br':
        return brotliDecompressSync(bytes, bounded).toString('utf8');
      default:
        return bytes.toString('utf8');
    }
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE') throw new ReplyTooLargeError(maxReplyBytes);
    throw error;
  }
}
