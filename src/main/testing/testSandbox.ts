// Test helpers: a real sandbox process with a scripted sub-call handler.
import type { ContextSource } from '../../shared/sandboxProtocol';
import { createForkLauncher } from '../sandbox/host/forkLauncher';
import type { CallLink, SandboxCall } from '../sandbox/host/cellHostCalls';
import { Sandbox, type SandboxOptions } from '../sandbox/host/sandbox';

export async function startTestSandbox(
  options: Partial<SandboxOptions> & { context?: ContextSource } = {},
): Promise<{ sandbox: Sandbox; calls: SandboxCall[] }> {
  const calls: SandboxCall[] = [];
  const onCall = options.onCall ?? (async (call: SandboxCall, _signal: AbortSignal, _link: CallLink) => {
    calls.push(call);
    if (call.kind === 'llm') return `echo:${call.prompt}`;
    if (call.kind === 'llm_batched') return JSON.stringify(call.prompts.map((p) => `echo:${p}`));
    return `child:${call.query}`;
  });
  const sandbox = await Sandbox.start({
    launcher: createForkLauncher(),
    context: options.context ?? { kind: 'items', items: [{ name: 'doc', text: 'hello world' }], asArray: false, partBytes: 1 << 29 },
    readablePaths: options.readablePaths ?? [],
    seed: options.seed ?? 42,
    memoryMb: options.memoryMb ?? 512,
    cellTimeoutMs: options.cellTimeoutMs ?? 2000,
    outputChars: options.outputChars ?? 20_000,
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.restore ? { restore: options.restore } : {}),
    onCall: async (call, signal, link) => {
      if (options.onCall) {
        calls.push(call);
        return options.onCall(call, signal, link);
      }
      return onCall(call, signal, link);
    },
  });
  return { sandbox, calls };
}
