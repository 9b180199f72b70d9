// Model calls' starts and ends commit together per turn of the event loop (commitBurst.ts). The
// promise of DESIGN §5 must hold all the same: nothing is told before it is committed, a failed
// commit tells nothing, and a process killed in the middle of a batch has kept every node it
// reported — on the real store, and with a real service killed with SIGKILL.
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../shared/limits';
import { closeDatabase, openDatabase } from '../store/database';
import { RunRepository } from '../store/runRepository';
import { openRunReader } from '../store/runReader';
import { CommitBurst } from './commitBurst';

const tempFolder = () => mkdtempSync(join(tmpdir(), 'rlm-burst-'));

function openStore() {
  const db = openDatabase(join(tempFolder(), 'runs.db'));
  const store = new RunRepository(db);
  store.createRun({ runId: 'r', createdAt: 1, query: 'q', rootModel: 'root', subModel: 'sub', baseUrl: 'http://127.0.0.1', limits: DEFAULT_LIMITS, seed: 1, ownerPid: process.pid, ownerHost: 'test' });
  store.addNode('r', { id: 1, parentId: null, kind: 'rlm', depth: 0, seq: 0, startedAt: 1, label: 'rlm' }, { query: 'q' });
  return { db, store };
}

const addCall = (store: RunRepository, id: number) => () => {
  store.addNode('r', { id, parentId: 1, kind: 'llm', depth: 0, seq: id, startedAt: 2, label: `call ${id}`, model: 'sub', purpose: 'sub' }, { prompt: [{ role: 'user', content: `part ${id}` }] });
  return () => told.push(id);
};
let told: number[] = [];

describe('CommitBurst', () => {
  it('commits the writes of one turn of the loop together, and tells of them only after the commit', async () => {
    told = [];
    const { db, store } = openStore();
    let commits = 0;
    let bursts = 0;
    const burst = new CommitBurst(
      (writes) => {
        commits++;
        store.inOneCommit(writes);
      },
      () => undefined,
      () => bursts++,
    );
    for (let id = 2; id < 12; id++) burst.add(addCall(store, id));
    const committed = burst.committed();
    expect(told).toEqual([]);
    expect(store.getNodes('r')).toHaveLength(1);
    await committed;
    expect(commits).toBe(1);
    expect(bursts).toBe(1);
    expect(told).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    expect(store.getNodes('r').map((n) => n.id)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    closeDatabase(db);
  });

  it('tells nothing of a burst whose commit failed, rejects its waiters and reports the failure once', async () => {
    told = [];
    const { db, store } = openStore();
    const failures: unknown[] = [];
    const burst = new CommitBurst((writes) => store.inOneCommit(writes), (error) => failures.push(error));
    burst.add(addCall(store, 2));
    // The same id again: the second insert fails, and with it the whole burst.
    burst.add(addCall(store, 2));
    await expect(burst.committed()).rejects.toThrow(/UNIQUE constraint failed/);
    expect(failures).toHaveLength(1);
    expect(told).toEqual([]);
    expect(store.getNodes('r').map((n) => n.id)).toEqual([1]);
    // The next burst goes on from a clean state.
    burst.add(addCall(store, 3));
    await burst.committed();
    expect(told).toEqual([3]);
    closeDatabase(db);
  });

  it('commits what it holds when asked to flush before another write, keeping the order', () => {
    told = [];
    const { db, store } = openStore();
    const burst = new CommitBurst((writes) => store.inOneCommit(writes), () => undefined);
    burst.add(addCall(store, 2));
    burst.flush();
    expect(told).toEqual([2]);
    store.updateNode('r', 2, { status: 'completed', endedAt: 3 });
    expect(store.getNode('r', 2)?.status).toBe('completed');
    burst.dispose();
    closeDatabase(db);
  });

  it('lets the calls of a committed burst go on when telling of one throws', async () => {
    told = [];
    const { db, store } = openStore();
    const burst = new CommitBurst((writes) => store.inOneCommit(writes), () => undefined);
    burst.add(() => {
      addCall(store, 2)();
      return () => {
        throw new Error('a bug in what is told');
      };
    });
    burst.add(addCall(store, 3));
    const waiting = burst.committed();
    expect(() => burst.flush()).toThrow('a bug in what is told');
    await expect(waiting).resolves.toBeUndefined();
    expect(store.getNode('r', 2)).toBeTruthy();
    expect(store.getNode('r', 3)).toBeTruthy();
    burst.dispose();
    closeDatabase(db);
  });
});

describe('a service killed in the middle of a batch', () => {
  it('has kept every sub-call it reported, with its cost and tokens', async () => {
    const dir = tempFolder();
    const dbPath = join(dir, 'runs.db');
    // The child runs a real service against the fake provider: one cell of 400 sub-calls, 32 at
    // a time, 20 ms each. It prints each sub-call the service reported as completed.
    const script = `
      const { startHarness, repl, isRootConversation, turn } = require(${JSON.stringify(join(__dirname, '../testing/serviceHarness.ts'))});
      (async () => {
        const code = 'const answers = await llm_query_batched(Array.from({ length: 400 }, (_, i) => "part " + i));\\nFINAL(String(answers.length));';
        const h = await startHarness((req) => {
          if (!isRootConversation(req)) return { text: 'ok', usage: { prompt_tokens: 12, completion_tokens: 1 }, delayMs: 20 };
          return { text: turn(req) === 0 ? repl(code) : 'FINAL(none)' };
        }, { dbPath: ${JSON.stringify(dbPath)}, limits: { concurrency: 32, maxCalls: 5000 } });
        h.service.subscribe(null, (event) => {
          if (event.type === 'run.nodeUpdated' && event.node.purpose === 'sub' && event.node.status === 'completed') {
            process.stdout.write(JSON.stringify({ runId: event.runId, node: event.node }) + '\\n');
          }
        });
        await h.service.call('runs.start', { query: 'parts', inputs: [] });
      })();`;
    const child = spawn(process.execPath, ['--import', 'tsx', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const reported: { runId: string; node: { id: number; costUsd: number; inputTokens: number; outputTokens: number } }[] = [];
    let buffered = '';
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) reported.push(JSON.parse(line) as (typeof reported)[number]);
      // Killed while the batch goes on: calls in flight, bursts being committed and told.
      if (reported.length >= 150) child.kill('SIGKILL');
    });
    const signal = await exited;
    expect(stderr).toBe('');
    expect(signal).toBe('SIGKILL');
    expect(reported.length).toBeGreaterThanOrEqual(150);
    expect(reported.length).toBeLessThan(400);
    const reader = openRunReader(dbPath);
    try {
      const runId = reported[0]?.runId ?? '';
      const stored = new Map(reader.getNodes(runId).map((node) => [node.id, node]));
      for (const { node } of reported) {
        expect(stored.get(node.id)).toMatchObject({ status: 'completed', costUsd: node.costUsd, inputTokens: 12, outputTokens: 1 });
      }
      // The cell's roll-up holds at least every call that was reported.
      const cell = [...stored.values()].find((node) => node.kind === 'cell');
      expect(cell?.subtree.modelCalls).toBeGreaterThanOrEqual(reported.length);
    } finally {
      reader.close();
    }
  }, 180_000);
});
