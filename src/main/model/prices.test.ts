import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import defaultTable from '../../../resources/prices.json';
import { RlmError } from '../../shared/errors';
import { PriceTable, priceFileSchema } from './prices';

describe('PriceTable lookup', () => {
  const table = PriceTable.withDefaults();

  it('finds models by exact id', () => {
    expect(table.lookup('gpt-5')).toEqual({ input: 1.25, cachedInput: 0.125, output: 10 });
    expect(table.lookup('gpt-4o-mini')?.output).toBe(0.6);
  });

  it('strips a provider prefix', () => {
    expect(table.lookup('openai/gpt-5-mini')).toEqual(table.lookup('gpt-5-mini'));
  });

  it('falls back from a dated snapshot to its model, but an exact snapshot price wins', () => {
    expect(table.lookup('gpt-4o-2024-08-06')).toEqual(table.lookup('gpt-4o'));
    expect(table.lookup('gpt-4.1-mini-20250414')).toEqual(table.lookup('gpt-4.1-mini'));
    expect(table.lookup('openai/gpt-4o-2024-11-20')).toEqual(table.lookup('gpt-4o'));
    expect(table.lookup('gpt-4o-2024-05-13')).toEqual({ input: 5, output: 15 });
  });

  it('knows nothing about unknown models', () => {
    expect(table.lookup('llama-3-70b')).toBeNull();
    expect(table.lookup('gpt-5-turbo-ultra')).toBeNull();
    expect(table.cost('llama-3-70b', { inputTokens: 1000, outputTokens: 1000, cachedTokens: 0 })).toBeNull();
  });

  it('hands out the bundled table as a copy', () => {
    const bundled = PriceTable.bundled();
    expect(bundled['gpt-5']).toEqual(PriceTable.withDefaults().lookup('gpt-5'));
    bundled['gpt-5'] = { input: 0, output: 0 };
    expect(PriceTable.bundled()['gpt-5']).toEqual(PriceTable.withDefaults().lookup('gpt-5'));
  });

  it('lets overrides win over defaults and add models', () => {
    const custom = PriceTable.withDefaults({ 'gpt-5': { input: 1, output: 2 }, 'my-llama': { input: 0, output: 0 } });
    expect(custom.lookup('gpt-5')).toEqual({ input: 1, output: 2 });
    expect(custom.lookup('my-llama')).toEqual({ input: 0, output: 0 });
    expect(custom.cost('my-llama', { inputTokens: 10, outputTokens: 10, cachedTokens: 0 })).toBe(0);
    expect(custom.lookup('gpt-4.1')).toEqual(PriceTable.withDefaults().lookup('gpt-4.1'));
  });
});

describe('PriceTable cost', () => {
  const table = PriceTable.withDefaults({ m: { input: 2, cachedInput: 0.5, output: 8 }, plain: { input: 3, output: 6 } });

  it('charges cached tokens at the cached price, out of the input count', () => {
    // 1M input of which 400k cached, 100k output: 0.6M·2 + 0.4M·0.5 + 0.1M·8 = 1.2 + 0.2 + 0.8
    expect(table.cost('m', { inputTokens: 1_000_000, outputTokens: 100_000, cachedTokens: 400_000 })).toBeCloseTo(2.2, 10);
  });

  it('charges cached tokens at the input price when no cached price is known', () => {
    expect(table.cost('plain', { inputTokens: 1_000_000, outputTokens: 0, cachedTokens: 500_000 })).toBeCloseTo(3, 10);
  });

  it('prices gpt-5 by the default table', () => {
    expect(PriceTable.withDefaults().cost('gpt-5', { inputTokens: 2000, outputTokens: 500, cachedTokens: 1000 })).toBeCloseTo(
      (1000 * 1.25 + 1000 * 0.125 + 500 * 10) / 1e6,
      12,
    );
  });
});

describe('price files', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'rlm-prices-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const file = async (name: string, content: string): Promise<string> => {
    const path = join(dir, name);
    await writeFile(path, content);
    return path;
  };

  it('validates the bundled table', () => {
    const parsed = priceFileSchema.parse(defaultTable);
    expect(Object.keys(parsed)).toEqual(expect.arrayContaining(['gpt-5', 'gpt-5-mini', 'gpt-4.1', 'gpt-4o', 'o3', 'o4-mini']));
  });

  it('loads the defaults without a file', async () => {
    expect((await PriceTable.load()).lookup('o3')).not.toBeNull();
  });

  it('loads a flat override map', async () => {
    const path = await file('flat.json', JSON.stringify({ 'gpt-5': { input: 9, output: 99 }, 'local/qwen': { input: 0.1, output: 0.2 } }));
    const table = await PriceTable.load(path);
    expect(table.lookup('gpt-5')).toEqual({ input: 9, output: 99 });
    expect(table.lookup('local/qwen')).toEqual({ input: 0.1, output: 0.2 });
    expect(table.lookup('o3')).not.toBeNull();
  });

  it('loads the bundled file shape as an override', async () => {
    const path = await file('nested.json', JSON.stringify({ asOf: '2030-01', models: { 'gpt-5': { input: 7, cachedInput: 1, output: 70 } } }));
    expect((await PriceTable.load(path)).lookup('gpt-5')).toEqual({ input: 7, cachedInput: 1, output: 70 });
  });

  it('rejects a missing file with INVALID_INPUT naming it', async () => {
    const path = join(dir, 'nope.json');
    const error = await PriceTable.load(path).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RlmError);
    expect((error as RlmError).code).toBe('INVALID_INPUT');
    expect((error as RlmError).message).toBe(`cannot read price file ${path}: no such file`);
  });

  it('rejects invalid JSON and invalid prices with one-line messages naming the file', async () => {
    const broken = await file('broken.json', '{ "gpt-5": ');
    await expect(PriceTable.load(broken)).rejects.toMatchObject({ code: 'INVALID_INPUT', message: expect.stringMatching(/^price file .*broken\.json is not valid JSON: [^\n]+$/) });
    const negative = await file('negative.json', JSON.stringify({ 'gpt-5': { input: -1, output: 1 } }));
    await expect(PriceTable.load(negative)).rejects.toMatchObject({ code: 'INVALID_INPUT', message: expect.stringMatching(/^invalid price file .*negative\.json: gpt-5\.input: [^\n]+$/) });
    const typo = await file('typo.json', JSON.stringify({ 'gpt-5': { input: 1, ouput: 1 } }));
    await expect(PriceTable.load(typo)).rejects.toMatchObject({ code: 'INVALID_INPUT', message: expect.stringContaining('typo.json') });
    const list = await file('list.json', '[1, 2]');
    await expect(PriceTable.load(list)).rejects.toMatchObject({ code: 'INVALID_INPUT', message: expect.stringMatching(/list\.json: top level/) });
  });
});
