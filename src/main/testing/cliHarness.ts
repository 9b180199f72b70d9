// Shared set-up of the CLI end-to-end tests: one fake provider, a temp folder, the flags that
// point the command at them, and readers for `show --json`.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { HostCalls } from '../../shared/domain/recording';
import { startFakeProvider, type FakeBill, type FakeHandler, type FakeProvider } from '../fakeProvider/server';
import { jsonOf, runCli, type CliResult } from './cli';
import { ROOT, SUB } from './serviceHarness';

export const PRICES = { [ROOT]: { input: 2, output: 8 }, [SUB]: { input: 0.5, output: 1 } };

export interface ShownNode {
  id: number;
  parentId: number | null;
  kind: 'rlm' | 'llm' | 'cell';
  depth: number;
  seq: number;
  status: string;
  purpose?: string;
  model?: string;
  durationMs: number | null;
  inputTokens: number;
  outputTokens: number;
  /** The node's own cost: 0 on rlm and cell nodes. */
  costUsd: number | null;
  subtree: { costUsd: number | null; inputTokens: number; outputTokens: number; modelCalls: number };
  code?: string;
  output?: string;
  error?: string;
  text?: string;
  answer?: string | null;
  query?: string;
  /** cell: its host calls in order (shared/domain/recording.ts). */
  hostCalls?: HostCalls;
}

export interface Shown {
  run: Record<string, unknown>;
  nodes: ShownNode[];
}

export class CliHarness {
  readonly dir = mkdtempSync(join(tmpdir(), 'rlm-cli-'));
  readonly dbPath = join(this.dir, 'runs.db');
  readonly pricesPath = join(this.dir, 'prices.json');
  fake!: FakeProvider;

  async start(): Promise<void> {
    writeFileSync(this.pricesPath, JSON.stringify(PRICES));
    this.fake = await startFakeProvider(() => ({ text: 'FINAL(unscripted)' }), { apiKey: 'test-key' });
  }

  async stop(): Promise<void> {
    await this.fake?.close();
  }

  file(name: string, content: string | Buffer): string {
    const path = join(this.dir, name);
    writeFileSync(path, content);
    return path;
  }

  /** The flags every run needs, then the test's own. */
  runArgs(query: string, files: string[], ...extra: string[]): string[] {
    return [
      'run', '--json', '--query', query,
      ...files.flatMap((file) => ['--file', file]),
      '--base-url', this.fake.url, '--api-key', 'test-key',
      '--root-model', ROOT, '--sub-model', SUB,
      '--db', this.dbPath, '--prices', this.pricesPath,
      ...extra,
    ];
  }

  /** bills: what the fake provider billed during this run (its ledger is shared by the file's tests). */
  async run(handler: FakeHandler, query: string, files: string[], ...extra: string[]): Promise<{ result: CliResult; json: Record<string, unknown>; bills: FakeBill[] }> {
    this.fake.setHandler(handler);
    const from = this.fake.ledger.length;
    const result = await runCli(this.runArgs(query, files, ...extra));
    return { result, json: jsonOf(result), bills: this.fake.ledger.slice(from) };
  }

  /** `rlmscope fork` on this database and the fake provider, with the test prices. */
  fork(...args: string[]): Promise<CliResult> {
    return runCli(['fork', ...args, '--db', this.dbPath, '--base-url', this.fake.url, '--api-key', 'test-key', '--prices', this.pricesPath]);
  }

  async show(runId: string): Promise<Shown> {
    return jsonOf<Shown>(await runCli(['show', runId, '--json', '--db', this.dbPath]));
  }
}

/** What the fake provider billed, priced at the test prices, in USD. */
export function billedUsd(bills: FakeBill[]): number {
  return bills.reduce((sum, b) => sum + priced(b.model as keyof typeof PRICES, b.promptTokens, b.completionTokens), 0);
}

/** Tokens the fake provider billed. */
export function billedTokens(bills: FakeBill[]): number {
  return bills.reduce((sum, b) => sum + b.promptTokens + b.completionTokens, 0);
}

/** Cost of one call at the test prices, in USD. */
export function priced(model: keyof typeof PRICES, inputTokens: number, outputTokens: number): number {
  const price = PRICES[model];
  return (inputTokens * price.input + outputTokens * price.output) / 1e6;
}
