import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../../shared/limits';
import { decodeNodeIndex, NODE_INDEX_ENCODING } from '../../../shared/nodeIndex';
import { tempDatabase } from '../../testing/tempDatabase';
import { RunRepository } from '../runRepository';

describe('migration 009 (index base trigger)', () => {
  it("drops a run's stored index when its start or models change, and the page then reads right", async () => {
    const { db } = tempDatabase();
    const store = new RunRepository(db);
    const node = (id: number, model: string | null) => ({
      id, parentId: id === 1 ? null : 1, kind: id === 1 ? 'rlm' as const : 'llm' as const, depth: 0, seq: id, status: 'completed' as const,
      startedAt: 5000 + id, endedAt: 6000, label: `n${id}`, model, purpose: model === null ? null : 'sub' as const, inputTokens: 1,
      outputTokens: 1, cachedTokens: 0, costUsd: 0.1, usageEstimated: false, payload: {},
    });
    store.insertWholeRun({
      runId: 'r', origin: 'imported', source: 's', createdAt: 5000, endedAt: 7000, status: 'completed', query: 'q', rootModel: 'a',
      subModel: 'b', baseUrl: 'u', limits: DEFAULT_LIMITS, seed: 1, answer: 'x', stopReason: null, error: null, iterations: 1,
      maxDepthReached: 0, nodes: [node(1, null), node(2, 'a'), node(3, 'b')],
    });
    const chunks = () => db.prepare(`SELECT count(*) FROM node_index_chunks WHERE run_id = 'r'`).pluck().get();
    const read = () => {
      const page = store.getNodeIndexPage('r', 0, 1000);
      return decodeNodeIndex({ encoding: NODE_INDEX_ENCODING, ...page });
    };
    for (const change of [`created_at = 4000`, `root_model = 'b'`, `sub_model = 'c'`]) {
      await store.cacheNodeIndex('r');
      expect(chunks(), change).toBe(1);
      const before = store.getNodes('r');
      db.prepare(`UPDATE runs SET ${change} WHERE id = 'r'`).run();
      expect(chunks(), change).toBe(0);
      expect(read(), change).toEqual(before);
    }
    // Any other column of the run leaves them.
    await store.cacheNodeIndex('r');
    db.prepare(`UPDATE runs SET answer = 'y' WHERE id = 'r'`).run();
    expect(chunks()).toBe(1);
  });
});
