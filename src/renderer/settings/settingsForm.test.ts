import { describe, expect, it } from 'vitest';
import { type AppSettings } from '../../shared/domain/settings';
import { DEFAULT_LIMITS } from '../../shared/limits';
import { connectionCheckParams, draftFromSettings, hasSettingsErrors, isDirty, parsePrices, priceRow, validateSettings } from './settingsForm';

const settings: AppSettings = {
  baseUrl: 'https://api.openai.com/v1',
  apiKeyStored: true,
  apiKeySource: 'stored',
  rootModel: 'gpt-5',
  subModel: 'gpt-5-mini',
  dedupeSubcalls: false,
  limits: DEFAULT_LIMITS,
  prices: { 'my-model': { input: 1, output: 2 }, 'a-model': { input: 0.5, cachedInput: 0.05, output: 4 } },
  defaultPrices: { 'gpt-5': { input: 1.25, output: 10 } },
};

describe('settings form', () => {
  it('starts clean, with an empty key field and the overrides sorted', () => {
    const draft = draftFromSettings(settings);
    expect(draft.apiKey).toBe('');
    expect(draft.prices.map((r) => [r.model, r.input, r.cachedInput, r.output])).toEqual([
      ['a-model', '0.5', '0.05', '4'],
      ['my-model', '1', '', '2'],
    ]);
    expect(isDirty(draft, settings)).toBe(false);
  });

  it('is dirty after an edit, a typed key or a removed row', () => {
    const draft = draftFromSettings(settings);
    expect(isDirty({ ...draft, rootModel: 'o3' }, settings)).toBe(true);
    expect(isDirty({ ...draft, apiKey: 'sk-x' }, settings)).toBe(true);
    expect(isDirty({ ...draft, prices: draft.prices.slice(1) }, settings)).toBe(true);
  });

  it('builds the patch of a valid form, the key only when typed', () => {
    const draft = { ...draftFromSettings(settings), rootModel: ' o3 ' };
    const { patch, errors } = validateSettings(draft);
    expect(hasSettingsErrors(errors)).toBe(false);
    expect(patch).toEqual({
      baseUrl: 'https://api.openai.com/v1',
      rootModel: 'o3',
      subModel: 'gpt-5-mini',
      limits: DEFAULT_LIMITS,
      dedupeSubcalls: false,
      prices: settings.prices,
    });
    expect(validateSettings({ ...draft, apiKey: ' sk-new ' }).patch.apiKey).toBe('sk-new');
    // The "Deduplicate sub-calls" box: sent as ticked, and a change makes the form dirty.
    expect(validateSettings({ ...draft, dedupeSubcalls: true }).patch.dedupeSubcalls).toBe(true);
    expect(isDirty({ ...draftFromSettings(settings), dedupeSubcalls: true }, settings)).toBe(true);
  });

  it('names the field of each mistake', () => {
    const draft = { ...draftFromSettings(settings), baseUrl: 'ftp://x', subModel: ' ', limits: { ...draftFromSettings(settings).limits, maxDepth: '99' } };
    const { errors } = validateSettings(draft);
    expect(errors.baseUrl).toBe('must be an http:// or https:// URL');
    expect(errors.subModel).toBe('required');
    expect(errors.limits).toEqual({ maxDepth: 'must be at most 10' });
    expect(hasSettingsErrors(errors)).toBe(true);
  });

  it('checks price rows: names required and unique, prices non-negative numbers', () => {
    const rows = [priceRow('m', { input: 1, output: 1 }), priceRow('m', { input: 1, output: 1 }), { ...priceRow('x'), input: '-1', output: 'abc', cachedInput: '$0.1' }];
    const { prices, errors } = parsePrices(rows);
    expect(prices).toEqual({ m: { input: 1, output: 1 } });
    expect(errors[rows[1]!.id]).toEqual({ model: 'listed twice' });
    expect(errors[rows[2]!.id]).toEqual({ input: 'a price from 0 to 1,000,000', output: 'a price from 0 to 1,000,000' });
  });

  it('tests the connection with the values in the form', () => {
    const draft = { ...draftFromSettings(settings), baseUrl: 'http://127.0.0.1:9999/v1', apiKey: 'sk-typed' };
    expect(connectionCheckParams(draft)).toEqual({ params: { baseUrl: 'http://127.0.0.1:9999/v1', model: 'gpt-5', apiKey: 'sk-typed' }, errors: {} });
    expect(connectionCheckParams({ ...draft, baseUrl: '' }).errors).toEqual({ baseUrl: 'required' });
  });
});
