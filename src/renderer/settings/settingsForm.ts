// The Settings form as data: built from AppSettings, checked field by field against the
// service's schemas, and turned into the patch `settings.update` takes. The API key is
// write-only: the field starts empty and only a typed key is sent.
import type { MethodParams } from '../../shared/api';
import type { AppSettings, ModelPrice } from '../../shared/domain/settings';
import { modelPriceSchema, settingsUpdateSchema } from '../../shared/schemas';
import { limitsDraftFrom, parseLimits, type LimitErrors, type LimitsDraft } from '../common/limitsForm';

export interface PriceRowDraft {
  /** Stable key for React while rows are added and removed. */
  id: number;
  model: string;
  input: string;
  cachedInput: string;
  output: string;
}

export interface SettingsDraft {
  baseUrl: string;
  apiKey: string;
  rootModel: string;
  subModel: string;
  limits: LimitsDraft;
  dedupeSubcalls: boolean;
  prices: PriceRowDraft[];
}

export type PriceField = 'model' | 'input' | 'cachedInput' | 'output';
export type PriceRowErrors = Partial<Record<PriceField, string>>;

export interface SettingsErrors {
  baseUrl?: string;
  apiKey?: string;
  rootModel?: string;
  subModel?: string;
  limits: LimitErrors;
  /** By row id. */
  prices: Record<number, PriceRowErrors>;
}

export type SettingsPatch = MethodParams<'settings.update'>;

let nextRowId = 1;

export function priceRow(model = '', price?: ModelPrice): PriceRowDraft {
  const text = (n: number | undefined) => (n === undefined ? '' : String(n));
  return { id: nextRowId++, model, input: text(price?.input), cachedInput: text(price?.cachedInput), output: text(price?.output) };
}

export function draftFromSettings(settings: AppSettings): SettingsDraft {
  return {
    baseUrl: settings.baseUrl,
    apiKey: '',
    rootModel: settings.rootModel,
    subModel: settings.subModel,
    limits: limitsDraftFrom(settings.limits),
    dedupeSubcalls: settings.dedupeSubcalls,
    prices: Object.entries(settings.prices)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([model, price]) => priceRow(model, price)),
  };
}

/** Whether the form says something the saved settings do not (row ids aside). */
export function isDirty(draft: SettingsDraft, saved: AppSettings): boolean {
  const comparable = (d: SettingsDraft) => JSON.stringify({ ...d, prices: d.prices.map(({ id: _id, ...row }) => row) });
  return comparable(draft) !== comparable(draftFromSettings(saved));
}

function firstMessage(result: { success: boolean; error?: { issues: Array<{ message: string }> } }): string | undefined {
  return result.success ? undefined : (result.error?.issues[0]?.message ?? 'not allowed');
}

function checkModel(value: string): string | undefined {
  if (!value.trim()) return 'required';
  return firstMessage(settingsUpdateSchema.shape.rootModel.safeParse(value)) ? 'at most 200 characters' : undefined;
}

function checkBaseUrl(value: string): string | undefined {
  if (!value.trim()) return 'required';
  return firstMessage(settingsUpdateSchema.shape.baseUrl.safeParse(value));
}

function parsePrice(text: string, required: boolean): { value?: number; error?: string } {
  if (!text.trim()) return required ? { error: 'required' } : {};
  const digits = text.trim().replace(/^\$\s*/, '');
  const value = Number(digits);
  if (!/^(\d+\.?\d*|\.\d+)$/.test(digits) || !modelPriceSchema.shape.input.safeParse(value).success) {
    return { error: 'a price from 0 to 1,000,000' };
  }
  return { value };
}

/** The price overrides as the service's table, with one error list per row. */
export function parsePrices(rows: readonly PriceRowDraft[]): { prices: Record<string, ModelPrice>; errors: Record<number, PriceRowErrors> } {
  const prices: Record<string, ModelPrice> = {};
  const errors: Record<number, PriceRowErrors> = {};
  const seen = new Set<string>();
  for (const row of rows) {
    const rowErrors: PriceRowErrors = {};
    const model = row.model.trim();
    if (!model) rowErrors.model = 'required';
    else if (seen.has(model)) rowErrors.model = 'listed twice';
    seen.add(model);
    const input = parsePrice(row.input, true);
    const cachedInput = parsePrice(row.cachedInput, false);
    const output = parsePrice(row.output, true);
    if (input.error) rowErrors.input = input.error;
    if (cachedInput.error) rowErrors.cachedInput = cachedInput.error;
    if (output.error) rowErrors.output = output.error;
    if (Object.keys(rowErrors).length > 0) {
      errors[row.id] = rowErrors;
      continue;
    }
    prices[model] = { input: input.value ?? 0, output: output.value ?? 0, ...(cachedInput.value !== undefined ? { cachedInput: cachedInput.value } : {}) };
  }
  return { prices, errors };
}

export function hasSettingsErrors(errors: SettingsErrors): boolean {
  const { limits, prices, ...fields } = errors;
  return Object.values(fields).some(Boolean) || Object.keys(limits).length > 0 || Object.keys(prices).length > 0;
}

/** The whole form checked; `patch` is what to send when there are no errors. */
export function validateSettings(draft: SettingsDraft): { patch: SettingsPatch; errors: SettingsErrors } {
  const limits = parseLimits(draft.limits, 'full');
  const prices = parsePrices(draft.prices);
  const errors: SettingsErrors = { limits: limits.errors, prices: prices.errors };
  const baseUrl = checkBaseUrl(draft.baseUrl);
  const rootModel = checkModel(draft.rootModel);
  const subModel = checkModel(draft.subModel);
  if (baseUrl) errors.baseUrl = baseUrl;
  if (rootModel) errors.rootModel = rootModel;
  if (subModel) errors.subModel = subModel;
  const patch: SettingsPatch = {
    baseUrl: draft.baseUrl.trim(),
    rootModel: draft.rootModel.trim(),
    subModel: draft.subModel.trim(),
    limits: limits.limits,
    dedupeSubcalls: draft.dedupeSubcalls,
    prices: prices.prices,
  };
  if (draft.apiKey.trim()) patch.apiKey = draft.apiKey.trim();
  return { patch, errors };
}

/** What "Test connection" tries: the values in the form, saved or not. */
export function connectionCheckParams(draft: SettingsDraft): { params: MethodParams<'settings.testConnection'>; errors: Pick<SettingsErrors, 'baseUrl' | 'rootModel'> } {
  const errors: Pick<SettingsErrors, 'baseUrl' | 'rootModel'> = {};
  const baseUrl = checkBaseUrl(draft.baseUrl);
  const rootModel = checkModel(draft.rootModel);
  if (baseUrl) errors.baseUrl = baseUrl;
  if (rootModel) errors.rootModel = rootModel;
  const params: MethodParams<'settings.testConnection'> = { baseUrl: draft.baseUrl.trim(), model: draft.rootModel.trim() };
  if (draft.apiKey.trim()) params.apiKey = draft.apiKey.trim();
  return { params, errors };
}
