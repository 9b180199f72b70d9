// What passes between a client and the fake provider: a request as a handler sees it, and the
// replies a handler can script. Apart from server.ts, which serves them, so that the wire format
// (wire.ts) and the billing (billing.ts) can name them without importing the server that imports
// them.

export interface FakeRequest {
  /** 0-based order of arrival. */
  index: number;
  model: string;
  /** Content is flattened to a string when it came as parts. */
  messages: { role: string; content: string }[];
  stream: boolean;
  /** stream_options.include_usage */
  includeUsage: boolean;
  /** max_completion_tokens, or else max_tokens; null when neither was sent. The reply is cut there. */
  maxOutputTokens: number | null;
  headers: Record<string, string | string[] | undefined>;
  /** The parsed JSON body. */
  body: unknown;
}

export interface FakeUsage {
  prompt_tokens: number;
  completion_tokens: number;
  cached_tokens?: number;
}

export interface FakeTextReply {
  text: string;
  /** Omitted: estimated from characters; false: no usage is sent at all. */
  usage?: FakeUsage | false;
  /** Sent as usage.cost, the way OpenRouter reports it. */
  cost?: number;
  delayMs?: number;
  chunkDelayMs?: number;
  chunkChars?: number;
}

export interface FakeStatusReply {
  status: number;
  /** Seconds, sent as the retry-after header. */
  retryAfter?: number;
  /** Sent as the retry-after-ms header. */
  retryAfterMs?: number;
  error?: string;
}

/** Streaming: sends the first afterChars characters, then destroys the socket. Non-streaming: destroys it at once. */
export interface FakeCutReply {
  cut: true;
  text: string;
  afterChars: number;
}

/** Never answers, until the client aborts or the server closes. */
export interface FakeHangReply {
  hang: true;
}

export type FakeReply = FakeTextReply | FakeStatusReply | FakeCutReply | FakeHangReply;
export type FakeHandler = (req: FakeRequest) => FakeReply | Promise<FakeReply>;

/** Number of assistant messages so far: 0 on a conversation's first turn. */
export function turnIndex(req: FakeRequest): number {
  return req.messages.filter((m) => m.role === 'assistant').length;
}

export function lastUserMessage(req: FakeRequest): string {
  return req.messages.findLast((m) => m.role === 'user')?.content ?? '';
}

export function firstUserMessage(req: FakeRequest): string {
  return req.messages.find((m) => m.role === 'user')?.content ?? '';
}
