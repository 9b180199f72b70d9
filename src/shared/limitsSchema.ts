// The run limits' schema, built from their table (limits.ts): each limit a number in its range,
// whole where it must be, null where it may be.
import { z } from 'zod';
import { LIMIT_KEYS, limitSpec, type LimitKey, type LimitSpec, type RunLimits } from './limits';

/** The checks in the order zod reports them: a form shows the first (renderer/common/limitsForm.ts). */
function numberSchema(spec: LimitSpec): z.ZodNumber {
  const number = spec.int ? z.number().int().min(spec.min) : z.number().gt(spec.min);
  return number.max(spec.max);
}

type FieldSchema<K extends LimitKey> = null extends RunLimits[K] ? z.ZodNullable<z.ZodNumber> : z.ZodNumber;

export function limitSchema<K extends LimitKey>(key: K): FieldSchema<K> {
  const spec = limitSpec(key);
  return (spec.nullMeans ? numberSchema(spec).nullable() : numberSchema(spec)) as FieldSchema<K>;
}

const shape = Object.fromEntries(LIMIT_KEYS.map((key): [LimitKey, z.ZodType] => [key, limitSchema(key)]));

export const runLimitsSchema = z.object(shape as { [K in LimitKey]: FieldSchema<K> });

type Exactly<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
/** Checked by the compiler: what the schema lets through is exactly a RunLimits. */
const _schemaIsRunLimits: Exactly<z.infer<typeof runLimitsSchema>, RunLimits> = true;
