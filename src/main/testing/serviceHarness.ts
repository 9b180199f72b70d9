// Test helpers for the engine end to end: a real service (real SQLite file, real sandbox
// processes) talking to the fake provider over loopback HTTP.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RlmEvent } from '../../shared/api';
import { startFakeProvider, type FakeHandler, type FakeProvider, type FakeRequest } from '../fakeProvider/server';
import type { NodePayload, NodeRow } from '../../shared/domain/node';
import { PriceTable } from '../model/prices';
import { openRunReader } from '../store/runReader';
import { createForkLauncher } from '../sandbox/host/forkLauncher';
import { RlmService, type ServiceConfig } from '../service/rlmService';

export const ROOT = 'root-model';
export const SUB = 'sub-model';

export interface Harness {
  service: RlmService;
  fake: FakeProvider;
  dir: string;
  dbPath: string;
  events: RlmEvent[];
  close(): Promise<void>;
}

export async function startHarness(handler: FakeHandler, config: Partial<ServiceConfig> = {}): Promise<Harness> {
  const fake = await startFakeProvider(handler, { apiKey: 'test-key' });
  const dir = mkdtempSync(join(tmpdir(), 'rlm-service-'));
  const dbPath = join(dir, 'runs.db');
  const service = RlmService.open({
    dbPath,
    baseUrl: fake.url,
    apiKey: 'test-key',
    rootModel: ROOT,
    subModel: SUB,
    prices: PriceTable.withDefaults({ [ROOT]: { input: 2, output: 8 }, [SUB]: { input: 0.5, output: 1 } }),
    launcher: createForkLauncher(),
    client: { backoff: { baseMs: 10, maxMs: 50 } },
    ...config,
  });
  const events: RlmEvent[] = [];
  service.subscribe(null, (event) => events.push(event));
  return {
    service,
    fake,
    dir,
    dbPath,
    events,
    async close() {
      await service.close();
      await fake.close();
    },
  };
}

/** Code in a ```repl block, as a model writes it. */
export function repl(code: string, prose = 'Let me run this.'): string {
  return `${prose}\n\`\`\`repl\n${code}\n\`\`\``;
}

/** The fake provider's own helpers, under the short names the engine tests read best with. */
export { lastUserMessage as lastUser, turnIndex as turn } from '../fakeProvider/server';

export function isRootConversation(req: FakeRequest): boolean {
  return req.model === ROOT;
}

/** The query of an RLM conversation (from its first user message). */
export function queryOf(req: FakeRequest): string {
  const first = req.messages.find((m) => m.role === 'user')?.content ?? '';
  return /^Query: (.*)$/m.exec(first)?.[1] ?? '';
}

/** Every node of a stored run with its payload, read through a read-only reader of the database file. */
export function storedTree(dbPath: string, runId: string): Array<NodeRow & { payload: NodePayload }> {
  const reader = openRunReader(dbPath);
  try {
    return reader.getNodes(runId).map((node) => ({ ...node, payload: reader.getPayload(runId, node.id) ?? {} }));
  } finally {
    reader.close();
  }
}
