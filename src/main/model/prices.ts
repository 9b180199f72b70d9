// Model prices in USD per million tokens: the bundled table, overridden by the user's file.
// An unknown price is unknown (null), never 0: a run that shows $0.00 for a model we cannot
// price would hide exactly the runaway cost this product exists to show.
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import defaultTable from '../../../resources/prices.json';
import type { ModelPrice } from '../../shared/domain/settings';
import { RlmError } from '../../shared/errors';
import { modelPriceSchema } from '../../shared/schemas';

export interface TokenUsage {
  /** All prompt tokens, cached ones included (OpenAI's accounting). */
  inputTokens: number;
  outputTokens: number;
  cachedTokens: number;
}

const priceMapSchema = z.record(z.string().min(1), modelPriceSchema);

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The `--prices FILE` format: a flat map `{"model-id": {input, cachedInput?, output}}`, or the
 * bundled file's `{asOf, models: {...}}` shape so users can start from a copy of it.
 */
export const priceFileSchema = z.preprocess(
  (raw) => (isRecord(raw) && isRecord(raw.models) ? raw.models : raw),
  priceMapSchema,
);

const DATED_SNAPSHOT = /-(\d{4}-\d{2}-\d{2}|\d{8})$/;

/** Ids to try, most specific first: as given, without `provider/`, without a snapshot date. */
function candidates(model: string): string[] {
  const bare = model.slice(model.lastIndexOf('/') + 1);
  return [model, bare, model.replace(DATED_SNAPSHOT, ''), bare.replace(DATED_SNAPSHOT, '')];
}

let defaults: Record<string, ModelPrice> | undefined;

function defaultPrices(): Record<string, ModelPrice> {
  defaults ??= priceFileSchema.parse(defaultTable);
  return defaults;
}

export class PriceTable {
  private readonly prices: ReadonlyMap<string, ModelPrice>;

  private constructor(prices: Record<string, ModelPrice>) {
    this.prices = new Map(Object.entries(prices));
  }

  static withDefaults(overrides: Record<string, ModelPrice> = {}): PriceTable {
    return new PriceTable({ ...defaultPrices(), ...overrides });
  }

  /** The bundled table alone (a copy), for the settings page to show beside the user's overrides. */
  static bundled(): Record<string, ModelPrice> {
    return structuredClone(defaultPrices());
  }

  /** The defaults, overridden by `saved` (the settings page's), then by the file at overridePath when given. */
  static async load(overridePath?: string, saved: Record<string, ModelPrice> = {}): Promise<PriceTable> {
    if (overridePath === undefined) return PriceTable.withDefaults(saved);
    return PriceTable.withDefaults({ ...saved, ...(await readPriceFile(overridePath)) });
  }

  lookup(model: string): ModelPrice | null {
    for (const id of candidates(model)) {
      const price = this.prices.get(id);
      if (price) return price;
    }
    return null;
  }

  /** USD, or null when the model has no known price. */
  cost(model: string, usage: TokenUsage): number | null {
    const price = this.lookup(model);
    if (!price) return null;
    const cached = Math.min(usage.cachedTokens, usage.inputTokens);
    const uncached = usage.inputTokens - cached;
    return (uncached * price.input + cached * (price.cachedInput ?? price.input) + usage.outputTokens * price.output) / 1e6;
  }
}

async function readPriceFile(path: string): Promise<Record<string, ModelPrice>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : (code ?? String(error));
    throw new RlmError('INVALID_INPUT', `cannot read price file ${path}: ${reason}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new RlmError('INVALID_INPUT', `price file ${path} is not valid JSON: ${(error as Error).message}`);
  }
  const parsed = priceFileSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue && issue.path.length > 0 ? issue.path.join('.') : 'top level';
    throw new RlmError('INVALID_INPUT', `invalid price file ${path}: ${where}: ${issue?.message ?? 'invalid'}`);
  }
  return parsed.data;
}
