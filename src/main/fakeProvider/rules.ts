// Scripted replies from a JSON file, so the fake server can run as its own process (the CLI's
// end-to-end tests, the browser-mode e2e suite) where a handler function cannot be passed in.
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { lastUserMessage, turnIndex, type FakeHandler, type FakeReply, type FakeRequest } from './exchange';

export interface FakeRuleMatch {
  model?: string;
  /** Substring of the last user message. */
  contains?: string;
  /** turnIndex(): the number of assistant messages already in the conversation. */
  turn?: number;
  /** Substring of any system message. */
  systemContains?: string;
}

export interface FakeRule {
  match?: FakeRuleMatch;
  /** A list is replayed in order; its last reply repeats. */
  reply: FakeReply | FakeReply[];
}

const nonNegative = z.number().nonnegative();

// Strict objects: a typo in a hand-written rules file should fail loudly, not silently match nothing.
const replySchema = z.union([
  z.strictObject({ cut: z.literal(true), text: z.string(), afterChars: z.number().int().nonnegative() }),
  z.strictObject({ hang: z.literal(true) }),
  z.strictObject({
    status: z.number().int().min(100).max(599),
    retryAfter: nonNegative.optional(),
    retryAfterMs: nonNegative.optional(),
    error: z.string().optional(),
  }),
  z.strictObject({
    text: z.string(),
    usage: z
      .union([
        z.literal(false),
        z.strictObject({
          prompt_tokens: z.number().int().nonnegative(),
          completion_tokens: z.number().int().nonnegative(),
          cached_tokens: z.number().int().nonnegative().optional(),
        }),
      ])
      .optional(),
    cost: nonNegative.optional(),
    delayMs: nonNegative.optional(),
    chunkDelayMs: nonNegative.optional(),
    chunkChars: z.number().int().positive().optional(),
  }),
]);

const ruleSchema = z.strictObject({
  match: z
    .strictObject({
      model: z.string().optional(),
      contains: z.string().optional(),
      turn: z.number().int().nonnegative().optional(),
      systemContains: z.string().optional(),
    })
    .optional(),
  reply: z.union([replySchema, z.array(replySchema).min(1)]),
});

export const fakeRulesSchema: z.ZodType<FakeRule[]> = z.array(ruleSchema);

export const NO_SCRIPTED_REPLY: FakeReply = { text: 'FINAL(no scripted reply)' };

function matches(match: FakeRuleMatch | undefined, req: FakeRequest): boolean {
  if (!match) return true;
  if (match.model !== undefined && req.model !== match.model) return false;
  if (match.contains !== undefined && !lastUserMessage(req).includes(match.contains)) return false;
  if (match.turn !== undefined && turnIndex(req) !== match.turn) return false;
  if (match.systemContains !== undefined) {
    const needle = match.systemContains;
    if (!req.messages.some((m) => m.role === 'system' && m.content.includes(needle))) return false;
  }
  return true;
}

/** First matching rule wins; each rule keeps its own position in its reply list. */
export function rulesHandler(rules: FakeRule[]): FakeHandler {
  const used = new Map<FakeRule, number>();
  return (req) => {
    const rule = rules.find((r) => matches(r.match, req));
    if (!rule) return NO_SCRIPTED_REPLY;
    if (!Array.isArray(rule.reply)) return rule.reply;
    const n = used.get(rule) ?? 0;
    used.set(rule, n + 1);
    return rule.reply[Math.min(n, rule.reply.length - 1)] ?? NO_SCRIPTED_REPLY;
  };
}

/** Reads and validates a rules file; the message names the file and the first problem. */
export async function readRulesFile(path: string): Promise<FakeRule[]> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new Error(`cannot read rules file ${path}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  const parsed = fakeRulesSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`invalid rules file ${path}: ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}`);
  }
  return parsed.data;
}
