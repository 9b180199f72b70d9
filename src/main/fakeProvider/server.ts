// A fake OpenAI-compatible Chat Completions server for tests and benchmarks. It speaks the real
// wire format over real HTTP so that the real `openai` client, fetch, keep-alive and SSE parsing
// are all exercised; scripted replies inject the faults the model client must survive.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { promptTokensOf, shapeReply, type FakeBill } from './billing';
import type { FakeHandler, FakeReply, FakeRequest, FakeTextReply } from './exchange';
import { completion, modelList, sendCut, sendError, sendJson, sendStatus, sendStream } from './wire';

export type { FakeBill } from './billing';
export type { FakeCutReply, FakeHandler, FakeHangReply, FakeReply, FakeRequest, FakeStatusReply, FakeTextReply, FakeUsage } from './exchange';
export { firstUserMessage, lastUserMessage, turnIndex } from './exchange';

export interface FakeProvider {
  /** Base URL including /v1: what the openai client takes as baseURL. */
  url: string;
  /** Every chat completion request received, in order (rejected ones included). */
  requests: FakeRequest[];
  /** What it billed, one entry per request it took on (not for error statuses): see billing.ts. */
  ledger: FakeBill[];
  setHandler(handler: FakeHandler): void;
  /** Closes the server and every open socket, hanging ones included. */
  close(): Promise<void>;
}

export interface FakeProviderOptions {
  apiKey?: string;
  port?: number;
  /** Added before every reply. */
  latencyMs?: number;
  /** Answer 400 to max_completion_tokens, as OpenAI-compatible servers that know only max_tokens do. */
  rejectMaxCompletionTokens?: boolean;
  /** Generate past the output cap, as old servers that do not know max_completion_tokens do. */
  ignoreOutputCap?: boolean;
}

export async function startFakeProvider(handler: FakeHandler, options: FakeProviderOptions = {}): Promise<FakeProvider> {
  let current = handler;
  const requests: FakeRequest[] = [];
  const ledger: FakeBill[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const latencyMs = options.latencyMs ?? 0;

  // Timers are tracked so close() can drop pending replies instead of keeping the process alive.
  const wait = (ms: number): Promise<void> => {
    if (ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve();
      }, ms);
      timers.add(timer);
    });
  };

  const authorized = (req: IncomingMessage): boolean =>
    options.apiKey === undefined || req.headers.authorization === `Bearer ${options.apiKey}`;

  async function chat(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let body: unknown;
    try {
      body = JSON.parse(await readBody(req));
    } catch {
      sendError(res, 400, 'the request body is not valid JSON');
      return;
    }
    const request = toFakeRequest(body, requests.length, req.headers);
    if (options.ignoreOutputCap) request.maxOutputTokens = null;
    requests.push(request);
    if (!authorized(req)) {
      sendError(res, 401, 'Incorrect API key provided', 'invalid_api_key');
      return;
    }
    if (options.rejectMaxCompletionTokens && (body as { max_completion_tokens?: unknown }).max_completion_tokens !== undefined) {
      sendError(res, 400, 'Unrecognized request argument supplied: max_completion_tokens');
      return;
    }
    let reply: FakeReply;
    try {
      reply = await current(request);
    } catch (error) {
      await wait(latencyMs);
      sendError(res, 500, error instanceof Error ? error.message : String(error));
      return;
    }
    if ('status' in reply) {
      await wait(latencyMs);
      if (!res.destroyed) sendStatus(res, reply);
      return;
    }
    // Taken on: the prompt is billed from here, whatever happens to the reply.
    const shaped = 'text' in reply && !('cut' in reply) ? shapeReply(request, reply) : null;
    const bill: FakeBill = {
      index: request.index,
      model: request.model,
      promptTokens: shaped?.promptTokens ?? promptTokensOf(request),
      cachedTokens: shaped?.cachedTokens ?? 0,
      completionTokens: 0,
      ...('cost' in reply && reply.cost !== undefined ? { cost: reply.cost } : {}),
      finish: 'open',
    };
    ledger.push(bill);
    res.once('close', () => {
      if (bill.finish === 'open') bill.finish = 'aborted';
    });
    if ('hang' in reply) return;
    await wait(latencyMs + (shaped ? (reply as FakeTextReply).delayMs ?? 0 : 0));
    if (res.destroyed) return; // the client gave up while we waited
    if ('cut' in reply) sendCut(req, res, request, reply, bill);
    else if (!shaped) return;
    else if (request.stream) await sendStream(res, request, reply as FakeTextReply, shaped, bill, wait);
    else sendJson(res, 200, completion(request, reply as FakeTextReply, shaped, bill));
  }

  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'POST' && (path === '/v1/chat/completions' || path === '/chat/completions')) {
      chat(req, res).catch((error: unknown) => {
        if (!res.headersSent) sendError(res, 500, String(error));
        else res.destroy();
      });
    } else if (req.method === 'GET' && (path === '/v1/models' || path === '/models')) {
      req.resume();
      if (!authorized(req)) sendError(res, 401, 'Incorrect API key provided', 'invalid_api_key');
      else sendJson(res, 200, modelList(requests));
    } else if (req.method === 'GET' && (path === '/v1/ledger' || path === '/ledger')) {
      // For tests that run the fake as its own process (cli.ts): what it billed so far.
      req.resume();
      sendJson(res, 200, { bills: ledger });
    } else {
      req.resume();
      sendError(res, 404, `no route for ${req.method} ${path}`);
    }
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    ledger,
    setHandler(next) {
      current = next;
    },
    close() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      return new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function toFakeRequest(body: unknown, index: number, headers: IncomingMessage['headers']): FakeRequest {
  const b = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  const rawMessages = Array.isArray(b.messages) ? (b.messages as unknown[]) : [];
  const messages = rawMessages.map((m) => {
    const message = (typeof m === 'object' && m !== null ? m : {}) as Record<string, unknown>;
    return { role: String(message.role ?? ''), content: flattenContent(message.content) };
  });
  const streamOptions = b.stream_options as { include_usage?: unknown } | undefined;
  const cap = [b.max_completion_tokens, b.max_tokens].find((v): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0);
  return {
    index,
    model: typeof b.model === 'string' ? b.model : '',
    messages,
    stream: b.stream === true,
    includeUsage: streamOptions?.include_usage === true,
    maxOutputTokens: cap ?? null,
    headers,
    body,
  };
}

function flattenContent(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((part: unknown) => {
      const text = (part as { text?: unknown } | null)?.text;
      return typeof text === 'string' ? text : '';
    })
    .join('');
}
