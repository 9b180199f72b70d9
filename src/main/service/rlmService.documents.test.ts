// The documents slice through the service's contract: what the page calls, validated by the
// method schemas, for a run's own inputs and for the context of a child RLM.
import { afterEach, describe, expect, it } from 'vitest';
import { CHUNK_BYTES } from '../store/documentStore';
import { repl, startHarness, turn, type Harness } from '../testing/serviceHarness';

let harness: Harness | null = null;
afterEach(async () => {
  await harness?.close();
  harness = null;
});

describe('documents.read and documents.search through the service', () => {
  it('read the inputs of a run and the context of its child RLM, and nothing else', async () => {
    harness = await startHarness((req) => {
      const child = req.messages.some((m) => m.role === 'user' && m.content.includes('Query: what is in the part?'));
      if (child) return { text: 'FINAL(a part)' };
      if (turn(req) === 0) return { text: repl('print(await rlm_query("what is in the part?", "child context: __init__.py"))') };
      return { text: 'FINAL(done)' };
    });
    const service = harness.service;
    const { runId } = await service.call('runs.start', { query: 'q', inputs: [{ kind: 'text', name: 'doc.txt', text: 'first line\nsecond line' }] });
    expect(await service.waitForRun(runId)).toMatchObject({ status: 'completed' });
    const hash = (await service.call('runs.get', { runId })).inputs[0]!.hash;

    expect(await service.call('documents.read', { runId, hash, offset: 11, length: 100 })).toEqual({ text: 'second line', offset: 11, end: 22, bytes: 22 });
    const found = await service.call('documents.search', { runId, hash, query: '^\\w+ line$', regex: true });
    expect(found.matches).toEqual([{ start: 0, end: 10 }, { start: 11, end: 22 }]);

    const nodes = await service.call('runs.nodes', { runId });
    const childRlm = nodes.find((n) => n.kind === 'rlm' && n.parentId !== null)!;
    const childHash = (await service.call('nodes.get', { runId, nodeId: childRlm.id })).documents?.[0];
    expect(childHash).toMatch(/^[0-9a-f]{64}$/);
    expect((await service.call('documents.read', { runId, hash: childHash!, offset: 0, length: 1000 })).text).toBe('child context: __init__.py');

    // Checked at the edge: a hash that is not one, a page too large, an empty search.
    await expect(service.call('documents.read', { runId, hash: 'nope', offset: 0, length: 10 })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(service.call('documents.read', { runId, hash, offset: 0, length: CHUNK_BYTES })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(service.call('documents.search', { runId, hash, query: '' })).rejects.toMatchObject({ code: 'INVALID_INPUT', message: expect.stringMatching(/the search is empty/) });
    await expect(service.call('documents.read', { runId: 'other-run', hash, offset: 0, length: 10 })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
