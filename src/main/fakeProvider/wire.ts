// The OpenAI wire format the fake server writes: completion objects, SSE chunk framing, error
// bodies. Kept apart from the server's lifecycle so each stays small.
import { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import { partialTokens, tokensOf, type FakeBill, type ShapedReply } from './billing';
import type { FakeCutReply, FakeRequest, FakeStatusReply, FakeTextReply } from './exchange';

function usageOf(reply: FakeTextReply, shaped: ShapedReply): Record<string, unknown> | null {
  if (reply.usage === false) return null;
  const { promptTokens: prompt, completionTokens: completion } = shaped;
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
    prompt_tokens_details: { cached_tokens: shaped.cachedTokens },
    ...(reply.cost !== undefined ? { cost: reply.cost } : {}),
  };
}

const created = (): number => Math.floor(Date.now() / 1000);
const completionId = (request: FakeRequest): string => `chatcmpl-fake-${request.index}`;

export function completion(request: FakeRequest, reply: FakeTextReply, shaped: ShapedReply, bill: FakeBill): unknown {
  const usage = usageOf(reply, shaped);
  bill.completionTokens = shaped.completionTokens;
  bill.finish = shaped.finishReason;
  return {
    id: completionId(request),
    object: 'chat.completion',
    created: created(),
    model: request.model,
    choices: [
      { index: 0, message: { role: 'assistant', content: shaped.text, refusal: null }, logprobs: null, finish_reason: shaped.finishReason },
    ],
    ...(usage ? { usage } : {}),
  };
}

/** Builds the SSE events of a streamed reply, the way OpenAI frames them. */
function chunkEncoder(request: FakeRequest): (choices: unknown[], usage?: unknown) => string {
  const head = { id: completionId(request), object: 'chat.completion.chunk', created: created(), model: request.model };
  return (choices, usage) => {
    // With include_usage, OpenAI puts `usage: null` on every chunk but the last.
    const tail = request.includeUsage ? { usage: usage ?? null } : {};
    return `data: ${JSON.stringify({ ...head, choices, ...tail })}\n\n`;
  };
}

const deltaChoice = (delta: Record<string, unknown>, finishReason: string | null = null): unknown => ({
  index: 0,
  delta,
  logprobs: null,
  finish_reason: finishReason,
});

/** Splits by code points so a piece never ends in half a surrogate pair. */
function pieces(text: string, size: number): string[] {
  const chars = Array.from(text);
  const out: string[] = [];
  for (let i = 0; i < chars.length; i += size) out.push(chars.slice(i, i + size).join(''));
  return out;
}

const SSE_HEADERS = { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' };

export async function sendStream(
  res: ServerResponse,
  request: FakeRequest,
  reply: FakeTextReply,
  shaped: ShapedReply,
  bill: FakeBill,
  wait: (ms: number) => Promise<void>,
): Promise<void> {
  const encode = chunkEncoder(request);
  const delay = reply.chunkDelayMs ?? 0;
  res.writeHead(200, SSE_HEADERS);
  let buffered = encode([deltaChoice({ role: 'assistant', content: '', refusal: null })]);
  let sentChars = 0;
  for (const piece of pieces(shaped.text, Math.max(1, reply.chunkChars ?? 16))) {
    if (delay > 0) {
      res.write(buffered);
      buffered = '';
      await wait(delay);
      if (res.destroyed) return;
    }
    // Without delays the whole reply goes out in one write: benchmarks must not measure us.
    buffered += encode([deltaChoice({ content: piece })]);
    // Generated and on its way: billed, even if the client hangs up before reading it.
    sentChars += piece.length;
    bill.completionTokens = partialTokens(shaped, sentChars);
  }
  buffered += encode([deltaChoice({}, shaped.finishReason)]);
  bill.completionTokens = shaped.completionTokens;
  bill.finish = shaped.finishReason;
  const usage = usageOf(reply, shaped);
  if (request.includeUsage && usage) buffered += encode([], usage);
  res.end(`${buffered}data: [DONE]\n\n`);
}

export function sendCut(req: IncomingMessage, res: ServerResponse, request: FakeRequest, reply: FakeCutReply, bill: FakeBill): void {
  bill.finish = 'cut';
  if (!request.stream) {
    req.socket.destroy();
    return;
  }
  const encode = chunkEncoder(request);
  const sent = Array.from(reply.text).slice(0, Math.max(0, reply.afterChars)).join('');
  bill.completionTokens = tokensOf(sent.length);
  let payload = encode([deltaChoice({ role: 'assistant', content: '', refusal: null })]);
  for (const piece of pieces(sent, 16)) payload += encode([deltaChoice({ content: piece })]);
  res.writeHead(200, SSE_HEADERS);
  // Destroy only once the partial reply is flushed, so the client really sees it before the cut.
  res.write(payload, () => req.socket.destroy());
}

export function sendStatus(res: ServerResponse, reply: FakeStatusReply): void {
  const headers: Record<string, string> = {};
  if (reply.retryAfter !== undefined) headers['retry-after'] = String(reply.retryAfter);
  if (reply.retryAfterMs !== undefined) headers['retry-after-ms'] = String(reply.retryAfterMs);
  const code = reply.status === 429 ? 'rate_limit_exceeded' : null;
  sendError(res, reply.status, reply.error ?? STATUS_CODES[reply.status] ?? `status ${reply.status}`, code, headers);
}

export function sendError(
  res: ServerResponse,
  status: number,
  message: string,
  code: string | null = null,
  headers: Record<string, string> = {},
): void {
  const type = status >= 500 ? 'server_error' : status === 429 ? 'requests' : 'invalid_request_error';
  sendJson(res, status, { error: { message, type, param: null, code } }, headers);
}

export function sendJson(res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}): void {
  const body = JSON.stringify(value);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers });
  res.end(body);
}

export function modelList(requests: FakeRequest[]): unknown {
  const ids = new Set(['fake-model', ...requests.map((r) => r.model).filter(Boolean)]);
  return { object: 'list', data: [...ids].map((id) => ({ id, object: 'model', created: 0, owned_by: 'fake' })) };
}
