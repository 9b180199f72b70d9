// Sandboxes started the way the engine starts them, for the benchmarks that drive one directly.
import type { ContextSource } from '../src/shared/sandboxProtocol';
import { createForkLauncher } from '../src/main/sandbox/host/forkLauncher';
import type { SandboxLauncher } from '../src/main/sandbox/host/launcher';
import { Sandbox } from '../src/main/sandbox/host/sandbox';

/** What the engine gives a sandbox whose input is under ~680 MB (rlm.ts: DEFAULT_MEMORY_MB). */
const MEMORY_MB = 2048;
/** rlmService.ts: PART_BYTES, the largest string V8 holds. */
const PART_BYTES = 2 ** 29 - 24;

export function fileContext(path: string): ContextSource {
  return { kind: 'items', items: [{ name: 'log.txt', path }], asArray: false, partBytes: PART_BYTES };
}

export function startSandbox(context: ContextSource, launcher: SandboxLauncher = createForkLauncher()): Promise<Sandbox> {
  const readablePaths = context.kind === 'items' ? context.items.flatMap((item) => ('path' in item ? [item.path] : [])) : [];
  return Sandbox.start({
    launcher,
    context,
    readablePaths,
    seed: 1,
    memoryMb: MEMORY_MB,
    cellTimeoutMs: 60_000,
    outputChars: 20_000,
    onCall: () => Promise.reject(new Error('this benchmark makes no sub-calls')),
  });
}
