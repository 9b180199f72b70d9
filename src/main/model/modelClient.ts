// One streamed Chat Completions call, with retries, a per-attempt timeout and cancellation.
// The SDK's own retries are off: it cannot retry a stream that breaks mid-reply, and we need one
// place that decides (and reports through onRetry, so the UI can drop the partial text it showed).
import OpenAI from 'openai';
import type { ChatCompletionCreateParamsNonStreaming, ChatCompletionCreateParamsStreaming } from 'openai/resources/chat/completions';
import type { CompletionUsage } from 'openai/resources/completions';
import type { ChatMessage } from '../../shared/domain/node';
import { RlmError } from '../../shared/errors';
import { classifyError, cutFailure, failureReason, mayBeBilled, rejectsMaxCompletionTokens, rejectsStreamOptions, timeoutFailure, toRlmError, type Failure } from './failures';
import { abortError, linkAbort, sleep } from './abort';
import type { AttemptMeter, OutputCapParam } from './attemptMeter';
import { DEFAULT_BACKOFF, retryDelayMs, type Backoff } from './retry';
import { boundedFetch, MAX_REPLY_BYTES, ReplyTooLargeError, replyTooLarge, STREAM_BYTES_PER_REPLY_BYTE } from './replyLimit';
import { createWholeReplyFetch } from './wholeReplyFetch';

export { isAbortError } from './abort';
export type { AttemptBill, AttemptMeter, OutputCapParam } from './attemptMeter';

export interface ModelClientOptions {
  baseUrl: string;
  apiKey?: string;
  /** Per attempt, covering the whole stream. Default 300_000. */
  timeoutMs?: number;
  /** Default 5. */
  maxAttempts?: number;
  /** Default 500 / 8000 ms. */
  backoff?: Backoff;
  /** A reply past this is refused (replyLimit.ts). Default MAX_REPLY_BYTES. */
  maxReplyBytes?: number;
}

export interface CompletionRequest {
  model: string;
  messages: ChatMessage[];
  signal?: AbortSignal;
  onDelta?: (delta: string) => void;
  /** Called before waiting to retry: text delivered through onDelta so far is void. */
  onRetry?: (info: { attempt: number; delayMs: number; reason: string }) => void;
  /**
   * false: ask for the whole reply at once (no onDelta). Parsing a stream costs CPU per call,
   * which hundreds of batched sub-calls feel and nobody watches token by token. Default true.
   */
  stream?: boolean;
  /** Spending control per attempt (DESIGN §4): the output cap to send, and what each attempt may have been billed. */
  meter?: AttemptMeter;
}

export interface Usage {
  inputTokens: number;
  outputTokens: number;
  cachedTokens: number;
  /** True when the provider sent no usage and the counts are characters / 4. */
  estimated: boolean;
}

export interface CompletionResult {
  text: string;
  usage: Usage;
  /** What the provider says the call cost (OpenRouter's usage.cost); null when it does not say. */
  providerCostUsd: number | null;
  attempts: number;
  finishReason: string | null;
}

type Outcome = { ok: true; result: Omit<CompletionResult, 'attempts'> } | { ok: false; failure: Failure };

/** Wraps an exception thrown by the caller's onDelta so it is rethrown as is, never retried. */
class CallbackError {
  constructor(readonly cause: unknown) {}
}

/** What an attempt is sent with, beside the model and messages. */
interface AttemptOptions {
  streamOptions: boolean;
  cap: number | undefined;
  capParam: OutputCapParam;
}

function capParams(options: AttemptOptions): { max_tokens?: number; max_completion_tokens?: number } {
  return options.cap === undefined ? {} : { [options.capParam]: options.cap };
}

function params(request: CompletionRequest, options: AttemptOptions): ChatCompletionCreateParamsStreaming {
  return {
    model: request.model,
    messages: request.messages,
    stream: true,
    ...(options.streamOptions ? { stream_options: { include_usage: true } } : {}),
    ...capParams(options),
  };
}

function wholeParams(request: CompletionRequest, options: AttemptOptions): ChatCompletionCreateParamsNonStreaming {
  return { model: request.model, messages: request.messages, ...capParams(options) };
}

const estimateTokens = (chars: number): number => Math.ceil(chars / 4);

function isOpenAiHost(baseUrl: string): boolean {
  try {
    return new URL(baseUrl).hostname === 'api.openai.com';
  } catch {
    return false;
  }
}

export class ModelClient {
  private readonly openai: OpenAI;
  /** The same SDK for replies asked for whole, over node:http rather than the global fetch (wholeReplyFetch.ts). */
  private readonly wholeOpenai: OpenAI;
  private readonly timeoutMs: number;
  private readonly maxAttempts: number;
  private readonly backoff: Backoff;
  private readonly maxReplyBytes: number;
  private readonly missingKey: boolean;
  /** Turned off for good once the server rejects stream_options; usage is then estimated. */
  private streamOptions = true;
  /** Turned to max_tokens for good once the server rejects (or ignores) max_completion_tokens. */
  private capParam: OutputCapParam = 'max_completion_tokens';

  constructor(private readonly options: ModelClientOptions) {
    this.timeoutMs = options.timeoutMs ?? 300_000;
    this.maxAttempts = Math.max(1, options.maxAttempts ?? 5);
    this.backoff = options.backoff ?? DEFAULT_BACKOFF;
    this.maxReplyBytes = options.maxReplyBytes ?? MAX_REPLY_BYTES;
    this.missingKey = !options.apiKey && isOpenAiHost(options.baseUrl);
    // Local servers (Ollama, vLLM, llama.cpp) need no key, but the SDK insists on one. The key is
    // never read from the environment here: the caller decides which key goes to which server.
    const sdkOptions = { baseURL: options.baseUrl, apiKey: options.apiKey || 'no-key', maxRetries: 0, timeout: this.timeoutMs };
    // Streamed replies: the global fetch, its body counted (replyLimit.ts).
    this.openai = new OpenAI({ ...sdkOptions, fetch: boundedFetch(this.maxReplyBytes * STREAM_BYTES_PER_REPLY_BYTE, this.maxReplyBytes) });
    this.wholeOpenai = new OpenAI({ ...sdkOptions, fetch: createWholeReplyFetch({ maxReplyBytes: this.maxReplyBytes }).fetch });
  }

  async complete(request: CompletionRequest): Promise<CompletionResult> {
    if (this.missingKey) throw new RlmError('PROVIDER_AUTH', 'no API key: set OPENAI_API_KEY or pass --api-key');
    let budget = this.maxAttempts;
    // Per call as well as per client: calls already in flight when the flag flips were sent with it.
    let streamOptions = this.streamOptions;
    let capParam = this.capParam;
    const { meter } = request;
    const streamed = request.stream !== false;
    for (let attempt = 1; ; attempt++) {
      if (request.signal?.aborted) throw abortError(request.signal);
      const cap = meter ? await meter.open() : undefined;
      const received = { text: '' };
      let outcome: Outcome;
      try {
        outcome = await this.attempt(request, { streamOptions, cap, capParam }, received);
      } catch (error) {
        // Aborted (the run stopped) or the caller's onDelta threw: the request was out.
        meter?.close({ usage: null, providerCostUsd: null, mayBeBilled: true, receivedText: received.text, streamed });
        throw error;
      }
      if (outcome.ok) {
        const { result } = outcome;
        meter?.close({ usage: result.usage, providerCostUsd: result.providerCostUsd, mayBeBilled: true, receivedText: result.text, streamed });
        // A server that ignores max_completion_tokens (an older OpenAI-compatible one) did not cap
        // the reply: the next calls use the name it may know.
        if (cap !== undefined && capParam === 'max_completion_tokens' && !result.usage.estimated && result.usage.outputTokens > cap) {
          this.capParam = 'max_tokens';
        }
        return { ...result, attempts: attempt };
      }
      const { failure } = outcome;
      const rejectedCap = cap !== undefined && capParam === 'max_completion_tokens' && rejectsMaxCompletionTokens(failure);
      meter?.close({ usage: null, providerCostUsd: null, mayBeBilled: mayBeBilled(failure), receivedText: received.text, streamed });
      if (streamOptions && rejectsStreamOptions(failure)) {
        // The server's limitation, not a fault: it does not use up a retry.
        streamOptions = this.streamOptions = false;
        budget++;
        continue;
      }
      if (rejectedCap) {
        capParam = this.capParam = 'max_tokens';
        budget++;
        continue;
      }
      if (!failure.retryable || attempt >= budget) {
        throw toRlmError(failure, { model: request.model, baseUrl: this.options.baseUrl, timeoutMs: this.timeoutMs, attempts: attempt });
      }
      const delayMs = retryDelayMs({ attempt, headers: failure.headers, backoff: this.backoff });
      request.onRetry?.({ attempt, delayMs, reason: failureReason(failure) });
      await sleep(delayMs, request.signal);
    }
  }

  /** One request. `received` holds the reply text so far, for the bill of an attempt that throws. */
  private async attempt(request: CompletionRequest, options: AttemptOptions, received: { text: string }): Promise<Outcome> {
    const { signal } = request;
    // One controller per attempt, linked to the caller's signal and unlinked when the attempt
    // ends. The SDK adds a listener to whatever signal it is given and never removes it; handing
    // it a run-wide signal would pile up thousands of them (DESIGN §4).
    const controller = new AbortController();
    const unlink = linkAbort(signal, () => controller.abort(signal?.reason));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, this.timeoutMs);

    let text = '';
    let finishReason: string | null = null;
    let usage: CompletionUsage | undefined;
    try {
      if (request.stream === false) {
        const completion = await this.wholeOpenai.chat.completions.create(wholeParams(request, options), { signal: controller.signal });
        const choice = completion.choices[0];
        text = choice?.message?.content ?? '';
        // A whole JSON reply arrived: it cannot have been cut, whatever its finish_reason says.
        finishReason = choice?.finish_reason ?? 'stop';
        usage = completion.usage;
        return { ok: true, result: { text, finishReason, ...this.accounting(request, text, usage) } };
      }
      const stream = await this.openai.chat.completions.create(params(request, options), { signal: controller.signal });
      for await (const chunk of stream) {
        if (chunk.usage) usage = chunk.usage;
        const choice = chunk.choices[0];
        const delta = choice?.delta?.content;
        if (delta) {
          // Characters, counted as they come: bytes would mean encoding every delta again.
          if (text.length + delta.length > this.maxReplyBytes) throw new ReplyTooLargeError(this.maxReplyBytes);
          text += delta;
          received.text = text;
          try {
            request.onDelta?.(delta);
          } catch (error) {
            throw new CallbackError(error);
          }
        }
        if (choice?.finish_reason) finishReason = choice.finish_reason;
      }
    } catch (error) {
      if (error instanceof CallbackError) throw error.cause;
      if (signal?.aborted) throw abortError(signal);
      if (replyTooLarge(error)) {
        // Leaving the loop early closes the SDK's stream; the abort makes sure the socket goes too.
        controller.abort();
        return { ok: false, failure: classifyError(error) };
      }
      // A connection dropped after the finish_reason lost nothing but the usage: keep the reply.
      if (finishReason === null && !timedOut) return { ok: false, failure: classifyError(error) };
    } finally {
      clearTimeout(timer);
      unlink();
    }
    // The SDK ends a stream quietly when its signal aborts, so an abort may only show up here.
    if (signal?.aborted) throw abortError(signal);
    if (finishReason === null) return { ok: false, failure: timedOut ? timeoutFailure() : cutFailure() };
    return { ok: true, result: { text, finishReason, ...this.accounting(request, text, usage) } };
  }

  private accounting(
    request: CompletionRequest,
    text: string,
    usage: CompletionUsage | undefined,
  ): Pick<CompletionResult, 'usage' | 'providerCostUsd'> {
    if (!usage) {
      const inputChars = request.messages.reduce((sum, m) => sum + m.content.length, 0);
      return {
        usage: { inputTokens: estimateTokens(inputChars), outputTokens: estimateTokens(text.length), cachedTokens: 0, estimated: true },
        providerCostUsd: null,
      };
    }
    const cost = (usage as { cost?: unknown }).cost;
    return {
      usage: {
        inputTokens: usage.prompt_tokens,
        outputTokens: usage.completion_tokens,
        cachedTokens: usage.prompt_tokens_details?.cached_tokens ?? 0,
        estimated: false,
      },
      providerCostUsd: typeof cost === 'number' && Number.isFinite(cost) ? cost : null,
    };
  }
}
