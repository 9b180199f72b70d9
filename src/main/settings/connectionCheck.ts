// "Test connection": asks the endpoint for its model list, or, where it has none (a 404: some
// llama.cpp and proxy set-ups), for a one-token completion. Every failure is a report with one
// line the user can act on, never a thrown error.
import OpenAI, { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';
import type { ConnectionReport } from '../../shared/domain/settings';
import { linkAbort } from '../model/abort';

export interface ConnectionTarget {
  baseUrl: string;
  apiKey?: string | undefined;
  /** The model the fallback completion asks. */
  model: string;
}

export interface ConnectionCheckOptions {
  /** Over the whole test, fallback included. Default 10 s: the user is waiting on a button. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

/** More would not help the settings page, which offers them as model suggestions. */
export const MAX_LISTED_MODELS = 200;

export async function checkConnection(target: ConnectionTarget, options: ConnectionCheckOptions = {}): Promise<ConnectionReport> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, timeoutMs);
  const unlink = linkAbort(options.signal, () => controller.abort());
  // The SDK's own retries are off: a test reports what happened at the first try.
  const client = new OpenAI({ baseURL: target.baseUrl, apiKey: target.apiKey || 'no-key', maxRetries: 0, timeout: timeoutMs });
  const shown = displayUrl(target.baseUrl);
  try {
    const listed = await listModels(client, controller.signal);
    if (listed) {
      const missing = listed.includes(target.model) || listed.length === 0 ? '' : `; ${target.model} is not among them`;
      const report = { ok: true, latencyMs: elapsed(), models: listed.slice(0, MAX_LISTED_MODELS) };
      return { ...report, message: `Connected: ${plural(listed.length, 'model')} listed in ${report.latencyMs} ms${missing}` };
    }
    await client.chat.completions.create(
      { model: target.model, messages: [{ role: 'user', content: 'ping' }], max_tokens: 1 },
      { signal: controller.signal },
    );
    const latencyMs = elapsed();
    return { ok: true, latencyMs, models: [], message: `Connected: ${target.model} answered in ${latencyMs} ms (the endpoint lists no models)` };
  } catch (error) {
    const latencyMs = elapsed();
    const why = timedOut
      ? `No answer from ${shown} within ${formatSeconds(timeoutMs)}`
      : options.signal?.aborted
        ? 'The test was cancelled'
        : describeFailure(error, shown, target.model);
    return { ok: false, latencyMs, models: [], message: redact(why, target.apiKey) };
  } finally {
    clearTimeout(timer);
    unlink();
  }
}

/** The model ids, or null when the endpoint has no model list (404, or an answer that is not one). */
async function listModels(client: OpenAI, signal: AbortSignal): Promise<string[] | null> {
  let page;
  try {
    page = await client.models.list({ signal });
  } catch (error) {
    if (error instanceof APIError && error.status === 404) return null;
    throw error;
  }
  // The SDK turns any 200 into a page, an HTML page included: only a list with ids is one.
  const ids = page.data.map((model) => (model as { id?: unknown }).id).filter((id): id is string => typeof id === 'string');
  if ((page as { object?: unknown }).object !== 'list' && ids.length === 0) return null;
  return ids;
}

function describeFailure(error: unknown, shown: string, model: string): string {
  // Subclasses before their parents: a timeout is a connection error is an APIError.
  if (error instanceof APIConnectionTimeoutError) return `No answer from ${shown} in time`;
  if (error instanceof APIUserAbortError) return 'The test was cancelled';
  if (error instanceof APIConnectionError) return unreachable(error, shown);
  if (error instanceof APIError && typeof error.status === 'number') {
    const said = providerMessage(error);
    if (error.status === 401 || error.status === 403) {
      return `The endpoint refused the API key (${error.status}): ${said}. Check the key, or that it belongs to ${shown}`;
    }
    if (error.status === 404) return `The endpoint has no model ${model} and no model list (404): ${said}`;
    if (error.status === 429) return `The endpoint is rate-limiting this key (429): ${said}`;
    return `The endpoint answered ${error.status}: ${said}`;
  }
  if (error instanceof SyntaxError) return `${shown} answered, but not like an OpenAI-compatible API: ${error.message}`;
  return `The test failed: ${error instanceof Error ? error.message : String(error)}`;
}

function unreachable(error: unknown, shown: string): string {
  const code = causeCode(error);
  switch (code) {
    case 'ECONNREFUSED':
      return `Nothing answers at ${shown}: connection refused`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `Cannot find the host of ${shown} (${code}): check the address, or the network`;
    case 'ECONNRESET':
      return `${shown} closed the connection (ECONNRESET): is it an http:// server being spoken to as https://, or the other way round?`;
    default: {
      if (code?.startsWith('ERR_TLS') || code?.includes('CERT')) return `The TLS certificate of ${shown} was refused (${code})`;
      const cause = deepestMessage(error);
      // fetch refuses a list of ports outright (https://fetch.spec.whatwg.org/#port-blocking).
      if (cause === 'bad port') return `${shown} uses a port that fetch refuses to connect to (bad port); use another port`;
      return `Cannot connect to ${shown}${code ? ` (${code})` : cause ? `: ${cause}` : ''}`;
    }
  }
}

function deepestMessage(error: unknown): string | undefined {
  let message: string | undefined;
  let current: unknown = error;
  for (let depth = 0; depth < 6 && current instanceof Error; depth++) {
    message = current.message;
    current = current.cause;
  }
  return message;
}

/** The errno-style code in fetch's cause chain (ECONNREFUSED, ENOTFOUND, …). */
function causeCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 6 && typeof current === 'object' && current !== null; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && /^E[A-Z_]+$|^ERR_|CERT/.test(code)) return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

function providerMessage(error: APIError): string {
  const body = error.error as { message?: unknown } | undefined;
  const text = typeof body?.message === 'string' && body.message ? body.message : error.message;
  // One line, however long or multi-line the provider's text.
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > 300 ? `${line.slice(0, 300)}…` : line;
}

/** SECURITY: the key never appears in a report, even when a provider echoes it back. */
function redact(text: string, apiKey: string | undefined): string {
  return apiKey && apiKey.length >= 4 ? text.split(apiKey).join('[API key]') : text;
}

/** The address without any user:password part. */
export function displayUrl(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.username = '';
    parsed.password = '';
    return parsed.href.replace(/\/$/, '');
  } catch {
    return url;
  }
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function formatSeconds(ms: number): string {
  return ms >= 1000 ? `${Math.round(ms / 100) / 10} s` : `${ms} ms`;
}
