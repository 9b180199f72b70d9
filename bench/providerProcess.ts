// The fake provider in a process of its own, for the batched benchmark: a real provider is
// remote, so its HTTP work must not share the engine's event loop. Scripted for one scenario:
// the root model's first turn runs CODE (argv[3]); sub-calls answer "ok". It reports when the
// first sub-call of each run arrives, in epoch milliseconds (comparable with the parent's clock).
import { startFakeProvider } from '../src/main/fakeProvider/server';
import { epochMs } from './measure';
import { repl, SUB, turnOf } from './scriptedModels';

export type ProviderMessage = { type: 'ready'; url: string } | { type: 'firstSubCall'; at: number };

async function main(): Promise<void> {
  const latencyMs = Number(process.argv[2]);
  const code = process.argv[3] ?? '';
  const send = (message: ProviderMessage) => process.send?.(message);
  let waitingForFirst = true;
  const provider = await startFakeProvider(
    (req) => {
      if (req.model === SUB) {
        if (waitingForFirst) send({ type: 'firstSubCall', at: epochMs() });
        waitingForFirst = false;
        return { text: 'ok', usage: { prompt_tokens: 12, completion_tokens: 1 } };
      }
      if (turnOf(req.messages) > 0) return { text: 'FINAL(none)' };
      waitingForFirst = true;
      return { text: repl(code) };
    },
    { latencyMs },
  );
  // Without the bench process there is nothing to serve.
  process.on('disconnect', () => void provider.close().then(() => process.exit(0)));
  send({ type: 'ready', url: provider.url });
}

main().catch((error: unknown) => {
  process.stderr.write(`provider process: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(2);
});
