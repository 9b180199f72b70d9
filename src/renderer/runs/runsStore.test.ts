import { beforeEach, describe, expect, it } from 'vitest';
import type { RlmApi } from '../../shared/api';
import { emptyTotals, type RunSummary } from '../../shared/domain/run';
import { deleteRun, loadMoreRuns, PAGE_SIZE, refreshRuns, setSearch, useRuns } from './runsStore';

const run = (i: number): RunSummary => ({
  ...emptyTotals(),
  runId: `r-${i}`,
  status: 'completed',
  answer: null,
  stopReason: null,
  error: null,
  query: `query ${i}`,
  rootModel: 'm',
  subModel: 'm',
  createdAt: i,
  endedAt: i,
  durationMs: 0,
});

/** runs.list over `total` runs; each answer waits for `release` when one is given. */
function listService(total: number, hold?: (search: string | undefined) => Promise<void>) {
  const calls: unknown[] = [];
  const api: RlmApi = {
    call: (async (method: string, params: { limit: number; offset: number; search?: string; runId?: string }) => {
      calls.push({ method, ...params });
      if (method === 'runs.delete') throw { code: 'RUN_ACTIVE', message: `run ${params.runId} is running: stop the run before deleting it` };
      await hold?.(params.search);
      const all = Array.from({ length: total }, (_, i) => run(total - i)).filter((r) => !params.search || r.query.includes(params.search));
      return all.slice(params.offset, params.offset + params.limit);
    }) as unknown as RlmApi['call'],
    subscribe: () => () => undefined,
  };
  return { api, calls };
}

describe('the runs list', () => {
  beforeEach(() => useRuns.setState({ runs: [], loaded: false, loading: false, error: null, search: '', limit: PAGE_SIZE, hasMore: false }));

  it('loads a page, and more when asked', async () => {
    const { api } = listService(PAGE_SIZE + 30);
    await refreshRuns(api);
    expect(useRuns.getState()).toMatchObject({ loaded: true, hasMore: true });
    expect(useRuns.getState().runs).toHaveLength(PAGE_SIZE);
    loadMoreRuns(api);
    await refreshRuns(api);
    expect(useRuns.getState().runs).toHaveLength(PAGE_SIZE + 30);
    expect(useRuns.getState().hasMore).toBe(false);
  });

  it('keeps the answer of the latest search when an older one arrives last', async () => {
    let releaseSlow!: () => void;
    const { api } = listService(20, (search) => (search === 'query 1' ? new Promise((r) => (releaseSlow = r)) : Promise.resolve()));
    setSearch('query 1');
    const slow = refreshRuns(api);
    setSearch('query 7');
    await refreshRuns(api);
    releaseSlow();
    await slow;
    expect(useRuns.getState().runs.map((r) => r.query)).toEqual(['query 7']);
  });

  it("passes the service's refusal to delete an active run on", async () => {
    const { api } = listService(3);
    await refreshRuns(api);
    await expect(deleteRun(api, 'r-2')).rejects.toEqual({ code: 'RUN_ACTIVE', message: 'run r-2 is running: stop the run before deleting it' });
    expect(useRuns.getState().runs).toHaveLength(3);
  });
});
