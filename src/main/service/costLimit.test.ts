import { describe, expect, it } from 'vitest';
import { RlmError } from '../../shared/errors';
import { PriceTable } from '../model/prices';
import { checkCostLimit, reportsCost } from './costLimit';

const prices = PriceTable.withDefaults({ known: { input: 1, output: 2 } });
const check = (maxCostUsd: number | null, subModel: string, baseUrl = 'https://api.openai.com/v1') =>
  checkCostLimit({ limits: { maxCostUsd }, rootModel: 'known', subModel, prices, baseUrl });

describe('a cost limit at runs.start', () => {
  it('holds when every model of the run has a price', () => {
    expect(check(1, 'known')).toEqual({ providerReportsCost: false, warnings: [] });
  });

  it('refuses a limit over an unpriced model, naming it and how to price it', () => {
    let error: unknown;
    try {
      check(1, 'mystery-model');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(RlmError);
    expect(error).toMatchObject({
      code: 'INVALID_INPUT',
      message: 'mystery-model has no known price, so the cost limit cannot be kept: give it a price with --prices FILE, or in Settings → Prices',
    });
  });

  it('does not mind an unpriced model without a cost limit', () => {
    expect(check(null, 'mystery-model')).toEqual({ providerReportsCost: false, warnings: [] });
  });

  it('starts with a warning when the provider reports costs itself (OpenRouter)', () => {
    const result = check(1, 'mystery-model', 'https://openrouter.ai/api/v1');
    expect(result.providerReportsCost).toBe(true);
    expect(result.warnings).toEqual([
      "mystery-model has no known price: the provider reports each call's cost, so the cost limit is checked after each call and the last call can pass it",
    ]);
  });

  it('knows OpenRouter by its host, not by a look-alike', () => {
    expect(reportsCost('https://openrouter.ai/api/v1')).toBe(true);
    expect(reportsCost('https://eu.openrouter.ai/api/v1')).toBe(true);
    expect(reportsCost('https://openrouter.ai.example.com/v1')).toBe(false);
    expect(reportsCost('http://127.0.0.1:8080/v1?openrouter.ai')).toBe(false);
    expect(reportsCost('not a url')).toBe(false);
  });
});
