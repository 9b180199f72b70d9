// `node out/main/fake-provider.js --rules FILE [--port N] [--api-key K] [--latency-ms N]`
// Starts the fake provider and prints {"url": ...} as one JSON line once it listens.
import { parseArgs } from 'node:util';
import { readRulesFile, rulesHandler } from './rules';
import { startFakeProvider } from './server';

function toNumber(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} must be a non-negative integer, got ${value}`);
  return n;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string' },
      rules: { type: 'string' },
      'api-key': { type: 'string' },
      'latency-ms': { type: 'string' },
    },
  });
  if (!values.rules) throw new Error('--rules FILE is required');
  const rules = await readRulesFile(values.rules);
  const provider = await startFakeProvider(rulesHandler(rules), {
    port: toNumber('port', values.port),
    latencyMs: toNumber('latency-ms', values['latency-ms']),
    apiKey: values['api-key'],
  });
  const stop = (): void => {
    provider.close().then(() => process.exit(0), () => process.exit(1));
  };
  // Handlers first: whoever reads the URL may send SIGTERM the moment it arrives.
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  process.stdout.write(`${JSON.stringify({ url: provider.url })}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`fake-provider: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(2);
});
