// Reading the fields of a log record without trusting any of them: the format drifted several
// times (DESIGN §9, research/ref-rlm.md §3) and a file may be hand-edited or cut. A missing or
// mistyped field is reported and read as null; nothing here throws.
import { z } from 'zod';
import type { ChatMessage } from '../../../shared/domain/node';
import type { UsageFigures } from './types';

export type Report = (message: string) => void;

export function asRecord(value: unknown): Record<string, unknown> | null {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
}

/** Typed reads of one object's fields; `where` names it in warnings (`code_blocks[1].result`). */
export class FieldReader {
  constructor(
    readonly object: Record<string, unknown>,
    private readonly where: string,
    private readonly report: Report,
  ) {}

  /** `optional`: absence is normal in some version of the format, so it is not reported. */
  string(key: string, optional = false): string | null {
    return this.typed(key, 'a string', (v): v is string => typeof v === 'string', optional);
  }

  number(key: string, optional = false): number | null {
    return this.typed(key, 'a number', (v): v is number => typeof v === 'number' && Number.isFinite(v), optional);
  }

  boolean(key: string, optional = false): boolean | null {
    return this.typed(key, 'true or false', (v): v is boolean => typeof v === 'boolean', optional);
  }

  array(key: string, optional = false): unknown[] | null {
    return this.typed(key, 'a list', (v): v is unknown[] => Array.isArray(v), optional);
  }

  record(key: string, optional = false): Record<string, unknown> | null {
    return this.typed(key, 'an object', (v): v is Record<string, unknown> => asRecord(v) !== null, optional);
  }

  /** A field whose JSON null is meaningful (the limit record's `iteration_time`): undefined when absent. */
  has(key: string): boolean {
    return Object.prototype.hasOwnProperty.call(this.object, key);
  }

  private typed<T>(key: string, expected: string, is: (value: unknown) => value is T, optional: boolean): T | null {
    const value = this.object[key];
    if (value === undefined || value === null) {
      if (!optional && value === undefined) this.report(`${this.path(key)} is missing`);
      return null;
    }
    if (is(value)) return value;
    this.report(`${this.path(key)} is not ${expected} (${describe(value)}); ignored`);
    return null;
  }

  private path(key: string): string {
    return this.where ? `${this.where}.${key}` : key;
  }
}

export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/** Text as the log holds it: a string as is, anything else (a dict response) as JSON text. */
export function textOf(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === undefined) return '';
  return jsonText(value);
}

/**
 * JSON text of a parsed value. V8's JSON.parse takes any depth but JSON.stringify recurses: a
 * value nested a million lists deep (a hostile log) would throw a RangeError out of the import.
 */
export function jsonText(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return '[not shown: nested too deeply]';
  }
}

const messageSchema = z.object({ role: z.string(), content: z.unknown() });
const ROLES: ReadonlySet<string> = new Set(['system', 'user', 'assistant']);

/**
 * A prompt as chat messages: the library logs a message list, a plain string (a sub-call's
 * prompt), or a dict. Content given as parts (`[{type: 'text', text}]`) is joined; other roles
 * (tool, developer) are shown as user messages with their role named.
 */
export function readMessages(value: unknown, where: string, report: Report): ChatMessage[] {
  if (typeof value === 'string') return [{ role: 'user', content: value }];
  if (value === undefined || value === null) {
    report(`${where} is missing`);
    return [];
  }
  if (!Array.isArray(value)) return [{ role: 'user', content: textOf(value) }];
  const messages: ChatMessage[] = [];
  value.forEach((item, i) => {
    const parsed = messageSchema.safeParse(item);
    if (!parsed.success) {
      report(`${where}[${i}] is not a chat message (${describe(item)}); shown as text`);
      messages.push({ role: 'user', content: textOf(item) });
      return;
    }
    const content = contentText(parsed.data.content);
    const { role } = parsed.data;
    if (ROLES.has(role)) messages.push({ role: role as ChatMessage['role'], content });
    else messages.push({ role: 'user', content: `[${role}] ${content}` });
  });
  return messages;
}

function contentText(content: unknown): string {
  if (Array.isArray(content)) {
    const texts = content.map((part) => asRecord(part)?.['text']);
    if (texts.every((text) => typeof text === 'string')) return texts.join('');
  }
  return textOf(content);
}

const modelUsageSchema = z.object({
  total_calls: z.number().optional(),
  total_input_tokens: z.number().optional(),
  total_output_tokens: z.number().optional(),
  total_cost: z.number().nullish(),
});
const usageSummarySchema = z.object({
  model_usage_summaries: z.record(z.string(), modelUsageSchema).optional(),
  total_cost: z.number().nullish(),
});

/**
 * The usage of one `rlm_calls` entry, in whichever of the format's shapes it came:
 * `prompt_tokens`/`completion_tokens` (December 2025), `usage_summary` per model (since), or none.
 */
export function readUsage(call: Record<string, unknown>, where: string, report: Report): UsageFigures {
  const usage = readUsageFigures(call, where, report);
  // A count of tokens is a whole number: 1.5 or -3 is read as unknown (the store holds whole
  // numbers only, and refused the whole import with SQLite's own message).
  const count = (value: number | null, name: string): number | null => {
    if (value === null || (Number.isSafeInteger(value) && value >= 0)) return value;
    report(`${where}: ${name} ${value} is not a whole number of tokens; it is read as unknown`);
    return null;
  };
  return { ...usage, inputTokens: count(usage.inputTokens, 'the input tokens'), outputTokens: count(usage.outputTokens, 'the output tokens') };
}

function readUsageFigures(call: Record<string, unknown>, where: string, report: Report): UsageFigures {
  const none: UsageFigures = { inputTokens: null, outputTokens: null, costUsd: null };
  const prompt = call['prompt_tokens'];
  const completion = call['completion_tokens'];
  if (typeof prompt === 'number' || typeof completion === 'number') {
    return { inputTokens: typeof prompt === 'number' ? prompt : null, outputTokens: typeof completion === 'number' ? completion : null, costUsd: null };
  }
  const raw = call['usage_summary'];
  if (raw === undefined || raw === null) return none;
  const parsed = usageSummarySchema.safeParse(raw);
  if (!parsed.success) {
    report(`${where}.usage_summary has an unknown shape; its usage is ignored`);
    return none;
  }
  const models = Object.values(parsed.data.model_usage_summaries ?? {});
  if (models.length === 0) return { ...none, costUsd: parsed.data.total_cost ?? null };
  const sum = (pick: (m: z.infer<typeof modelUsageSchema>) => number | null | undefined): number | null => {
    const values = models.map(pick).filter((v): v is number => typeof v === 'number');
    return values.length === 0 ? null : values.reduce((a, b) => a + b, 0);
  };
  return {
    inputTokens: sum((m) => m.total_input_tokens),
    outputTokens: sum((m) => m.total_output_tokens),
    costUsd: parsed.data.total_cost ?? sum((m) => m.total_cost),
  };
}

/**
 * `final_answer` as the log has it: a string, a `[kind, text]` tuple of the FINAL_VAR era
 * (before 2026-01-05) shown as JSON text, or null.
 */
export function readFinalAnswer(value: unknown, where: string, report: Report): string | null {
  if (value === undefined) {
    report(`${where}.final_answer is missing`);
    return null;
  }
  if (value === null) return null;
  if (typeof value === 'string') return value;
  if (!Array.isArray(value)) report(`${where}.final_answer is ${describe(value)}; kept as JSON text`);
  return jsonText(value);
}
