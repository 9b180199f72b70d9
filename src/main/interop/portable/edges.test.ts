// The portable file at its edges: a run exported while it was running, a run that is not there,
// a base URL that holds a secret.
import { PassThrough } from 'node:stream';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { restorePortableRun } from '../../store/portableRestore';
import { RunRepository } from '../../store/runRepository';
import { newRun, tempDatabase } from '../../testing/tempDatabase';
import { exportSourceFor } from '../exportSource';
import { safeBaseUrl } from './format';
import { readPortable, writePortable } from './index';
import { exported } from '../../testing/portableFile';

describe('the portable file at its edges', () => {
  it('restores a run exported while it ran as interrupted at its last sign of life: nothing runs it here', async () => {
    const { db } = tempDatabase();
    const store = new RunRepository(db);
    store.createRun(newRun({ runId: 'live', createdAt: 1_000 }));
    store.addNode('live', { id: 1, parentId: null, kind: 'rlm', depth: 0, seq: 0, startedAt: 1_010, label: 'root' }, { query: 'q' });
    store.addNode('live', { id: 2, parentId: 1, kind: 'llm', depth: 0, seq: 0, startedAt: 1_500, label: 'turn', purpose: 'turn' }, { prompt: [] });
    const file = await exported(db, 'live');

    const target = tempDatabase().db;
    await restorePortableRun(target, readPortable((async function* () { yield file; })()));
    const reader = new RunRepository(target);
    expect(reader.getRun('live')).toMatchObject({ status: 'interrupted', endedAt: 1_500 });
    expect(reader.getNodes('live').map((n) => [n.status, n.endedAt])).toEqual([
      ['interrupted', 1_500],
      ['interrupted', 1_500],
    ]);
  });

  it('refuses a run that is not there, writing nothing', async () => {
    const { db } = tempDatabase();
    const out = new PassThrough();
    let written = 0;
    out.on('data', (part: Buffer) => (written += part.length));
    await expect(writePortable(exportSourceFor(db), 'missing', out)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(written).toBe(0);
  });

  it('keeps the base URL without credentials, query or fragment', async () => {
    expect(safeBaseUrl('https://api.example.com/v1')).toBe('https://api.example.com/v1');
    expect(safeBaseUrl('https://user:sk-secret@gw.example.com/v1?key=sk-secret#x')).toBe('https://gw.example.com/v1');
    const { db } = tempDatabase();
    new RunRepository(db).createRun(newRun({ runId: 'keyed', baseUrl: 'https://gw.example.com/v1?api-key=sk-secret' }));
    const text = gunzipSync(await exported(db, 'keyed')).toString('utf8');
    expect(text).not.toContain('sk-secret');
    expect(text).toContain('"baseUrl":"https://gw.example.com/v1"');
  });
});
