// A Chat Completions call whose reply is asked for whole (batched sub-calls): one JSON POST over
// node:http(s) keep-alive sockets, read at once. Measured on the batched benchmark (1,000
// sub-calls, 32 at a time, loaded 2-core machine): the openai SDK over Node's global fetch took
// 1.0 ms of client CPU per request, the SDK over node:http 0.6 ms, this 0.3 ms. undici's fetch
// wraps each request and response in WHATWG streams, clones the request and tees its body; the
// SDK builds its headers, a debug log line (formatted even when nothing logs it) and an abort
// controller of its own per request. Streamed replies keep the SDK: it parses their server-sent
// events. Failures are the SDK's own error classes (APIError.generate, APIConnectionError), so
// failures.ts classifies both paths alike.
import { Buffer } from 'node:buffer';
import http from 'node:http';
import https from 'node:https';
import { brotliDecompressSync, gunzipSync, inflateSync } from 'node:zlib';
import { APIConnectionError, APIError } from 'openai';
import type { ChatCompletion, ChatCompletionCreateParamsNonStreaming } from 'openai/resources/chat/completions';
import { abortError } from './abort';

/**
 * A free socket is closed after this long unused, before a server's own idle timeout can close it
 * under a request just sent on it (undici's default, which the global fetch used). A shorter
 * `Keep-Alive: timeout=N` from the server is honoured by node:http's agent.
 */
const FREE_SOCKET_MS = 4_000;

export interface WholeReplyOptions {
  baseUrl: string;
  apiKey: string;
}

export interface WholeReplies {
  /** Rejects with the SDK's error classes, a SyntaxError for a reply that is not JSON, or an AbortError. */
  create(params: ChatCompletionCreateParamsNonStreaming, signal: AbortSignal): Promise<ChatCompletion>;
  /** Closes the idle sockets (sockets in use close when their request ends). */
  close(): void;
}

export function createWholeReplies(options: WholeReplyOptions): WholeReplies {
  // As the SDK joins its base URL and path (client.buildURL).
  const url = new URL(options.baseUrl + (options.baseUrl.endsWith('/') ? 'chat/completions' : '/chat/completions'));
  const secure = url.protocol === 'https:';
  const agent = secure ? new https.Agent({ keepAlive: true, timeout: FREE_SOCKET_MS }) : new http.Agent({ keepAlive: true, timeout: FREE_SOCKET_MS });
  const headers = {
    'content-type': 'application/json',
    accept: 'application/json',
    authorization: `Bearer ${options.apiKey}`,
    'user-agent': 'rlmscope',
  };
  return {
    async create(params, signal) {
      const reply = await post(url, secure, agent, headers, JSON.stringify(params), signal);
      if (reply.status < 200 || reply.status >= 300) {
        // As the SDK makes its status errors (client.makeRequest): the body's JSON, else its text.
        const json = safeJson(reply.text);
        throw APIError.generate(reply.status, json, json === undefined ? reply.text : undefined, toHeaders(reply.rawHeaders));
      }
      return JSON.parse(reply.text) as ChatCompletion;
    },
    close: () => agent.destroy(),
  };
}

interface RawReply {
  status: number;
  rawHeaders: string[];
  text: string;
}

function post(url: URL, secure: boolean, agent: http.Agent, headers: Record<string, string>, json: string, signal: AbortSignal): Promise<RawReply> {
  const body = Buffer.from(json, 'utf8');
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(abortError(signal));
      return;
    }
    const settle = (fail: Error | null, reply?: RawReply) => {
      signal.removeEventListener('abort', onAbort);
      if (fail) reject(fail);
      else resolve(reply as RawReply);
    };
    const request = (secure ? https.request : http.request)(url, { method: 'POST', headers: { ...headers, 'content-length': String(body.length) }, agent }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        try {
          settle(null, { status: response.statusCode ?? 0, rawHeaders: response.rawHeaders, text: decode(Buffer.concat(chunks), response.headers['content-encoding']) });
        } catch (error) {
          settle(error as Error);
        }
      });
      // A reply cut before its end ('end' never comes): the socket closed under it, or we aborted.
      response.on('close', () => {
        if (response.complete) return;
        settle(signal.aborted ? abortError(signal) : new APIConnectionError({ message: 'the connection closed before the whole reply arrived', cause: Object.assign(new Error('aborted'), { code: 'ECONNRESET' }) }));
      });
    });
    // No connection, or it broke before an answer: node's error, whose `code` tells a refused
    // connection (never sent, never billed) from a reset (failures.ts).
    request.on('error', (error) => settle(signal.aborted ? abortError(signal) : new APIConnectionError({ message: error.message, cause: error })));
    // One listener on the attempt's own signal (modelClient.ts links it to the run's), removed when settled.
    const onAbort = () => request.destroy(abortError(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    request.end(body);
  });
}

function safeJson(text: string): object | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null ? value : undefined;
  } catch {
    return undefined;
  }
}

function toHeaders(raw: string[]): Headers {
  const headers = new Headers();
  for (let i = 0; i + 1 < raw.length; i += 2) headers.append(raw[i] as string, raw[i + 1] as string);
  return headers;
}

/** No Accept-Encoding is sent, so replies come plain; a server that compresses anyway is read too. */
function decode(bytes: Buffer, encoding: string | undefined): string {
  switch (encoding?.trim().toLowerCase()) {
    case 'gzip':
    case 'x-gzip':
      return gunzipSync(bytes).toString('utf8');
    case 'deflate':
      return inflateSync(bytes).toString('utf8');
    case 'br':
      return brotliDecompressSync(bytes).toString('utf8');
    default:
      return bytes.toString('utf8');
  }
}
