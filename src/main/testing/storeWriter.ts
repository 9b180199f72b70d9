// A run writer for the crash test: records nodes as the engine would, one commit per step, and
// tells its parent (over the fork IPC channel) each node id it has committed, until it is killed.
// Run: node --import tsx src/main/testing/storeWriter.ts <dbfile> <runId>
import { hostname } from 'node:os';
import { DEFAULT_LIMITS } from '../../shared/limits';
import { openDatabase } from '../store/database';
import { RunRepository } from '../store/runRepository';

const [file, runId = 'crash-run'] = process.argv.slice(2);
if (!file) throw new Error('usage: storeWriter.ts <dbfile> [runId]');

const store = new RunRepository(openDatabase(file));
store.createRun({
  runId,
  createdAt: Date.now(),
  query: 'crash test',
  rootModel: 'root-model',
  subModel: 'sub-model',
  baseUrl: 'http://localhost:0',
  limits: DEFAULT_LIMITS,
  seed: 1,
  ownerPid: process.pid,
  ownerHost: hostname(),
});
store.addNode(runId, { id: 1, parentId: null, kind: 'rlm', depth: 0, seq: 0, startedAt: Date.now(), label: 'root' }, {
  query: 'crash test',
});

// Payloads of a few KB, so the WAL fills and checkpoints while the writer is being killed.
const filler = 'x'.repeat(4000);
let next = 2;

function writeSome(): void {
  for (let i = 0; i < 20; i++) {
    const id = next++;
    store.addNode(
      runId,
      { id, parentId: 1, kind: 'llm', depth: 0, seq: id - 2, startedAt: Date.now(), label: `call ${id}`, purpose: 'sub' },
      { text: `${id} ${filler}` },
    );
    store.recordUsage(runId, id, { inputTokens: 10, outputTokens: 5, cachedTokens: 0, costUsd: 0.001, estimated: false });
    store.updateNode(runId, id, { status: 'completed', endedAt: Date.now() });
    process.send?.({ written: id });
  }
  setImmediate(writeSome);
}

process.send?.({ ready: true });
writeSome();
