// A real RlmService (real SQLite file, real sandbox processes) for the benchmarks that go through
// the whole engine; the fake provider it talks to is the caller's.
import { join } from 'node:path';
import { createForkLauncher } from '../src/main/sandbox/host/forkLauncher';
import { RlmService } from '../src/main/service/rlmService';
import type { RunLimits } from '../src/shared/limits';
import { ROOT, SUB } from './scriptedModels';

export function openService(options: { dir: string; name: string; baseUrl: string; limits: Partial<RunLimits> }): RlmService {
  return RlmService.open({
    dbPath: join(options.dir, `${options.name}.db`),
    baseUrl: options.baseUrl,
    rootModel: ROOT,
    subModel: SUB,
    limits: options.limits,
    launcher: createForkLauncher(),
  });
}
