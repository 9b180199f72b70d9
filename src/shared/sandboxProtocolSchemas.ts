// Validation of everything the sandbox process sends: it runs untrusted code, so a message from
// it is hostile until it has passed these schemas.
import { z } from 'zod';
import type { ContextInfo } from './domain/node';
import { CALL_KINDS, CALL_LIMITS, CELL_LIMITS, type ChildMessage } from './sandboxProtocol';

const MAX_STRING = 512 * 1024 * 1024;
const str = z.string().max(MAX_STRING);
const prompt = z.string().max(CALL_LIMITS.promptChars, `a prompt is limited to ${CALL_LIMITS.promptChars.toLocaleString('en-US')} characters`);

const contextInfoSchema: z.ZodType<ContextInfo> = z.object({
  kind: z.enum(['string', 'array']),
  length: z.number().nonnegative(),
  items: z.number().int().nonnegative().optional(),
  names: z.array(z.string().max(4096)).max(10_000_000).optional(),
  itemLengths: z.array(z.number().nonnegative()).max(10_000_000).optional(),
  preview: z.string().max(100_000),
  split: z.boolean().optional(),
});

export const childMessageSchema: z.ZodType<ChildMessage> = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready'), context: contextInfoSchema, environment: z.object({ timeZone: z.string().max(200), locale: z.string().max(200) }) }),
  z.object({ type: z.literal('initFailed'), error: z.string().max(100_000) }),
  z.object({
    type: z.literal('call'),
    cellId: z.number().int(),
    callId: z.number().int().nonnegative(),
    kind: z.enum(CALL_KINDS),
    payload: z.string().max(CALL_LIMITS.payloadChars),
  }),
  z.object({
    type: z.literal('cellDone'),
    cellId: z.number().int(),
    output: str,
    droppedChars: z.number().nonnegative(),
    error: z.string().max(CELL_LIMITS.errorChars + 1000).nullable(),
    timedOut: z.boolean(),
    final: z.object({ answer: str }).nullable(),
    clock: z.object({ runs: z.array(z.number()).max(2 * CELL_LIMITS.clockRuns), reads: z.number().int().nonnegative() }),
    random: z.object({ epoch: z.number().int().nonnegative(), draws: z.number().int().nonnegative() }),
    randomDraws: z.number().int().nonnegative(),
    calls: z.object({
      received: z
        .array(z.array(z.number().int().nonnegative()))
        .max(CELL_LIMITS.hostCalls)
        .refine((groups) => groups.reduce((sum, group) => sum + group.length, 0) <= CELL_LIMITS.hostCalls, 'too many results recorded'),
      refused: z.array(z.object({ at: z.number().int().nonnegative(), kind: z.enum(CALL_KINDS), error: z.string().max(1000) })).max(CELL_LIMITS.hostCalls),
      cut: z.number().int().nonnegative(),
    }),
    workMs: z.number().nonnegative(),
  }),
  z.object({ type: z.literal('pong'), id: z.number().int() }),
]);

/** What sandbox code may send with each call kind (parsed from `payload`). */
export const callPayloadSchemas = {
  llm: z.object({ prompt, model: z.string().max(200).optional() }),
  llm_batched: z.object({
    prompts: z.array(prompt).max(100_000),
    model: z.string().max(200).optional(),
  }),
  rlm: z.object({
    query: prompt,
    /** A string, or an array of strings, or absent. */
    context: z.union([str, z.array(str).max(1_000_000)]).optional(),
  }),
} as const;
