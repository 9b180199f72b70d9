import { beforeEach, describe, expect, it, vi } from 'vitest';
import { addSources, removeEntry } from './inputQueue';
import { resetDraft, useNewRun } from './newRunStore';
import { startRun } from './startRun';
import { fakeUploadService } from '../testing/fakeUploadService';

const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 13, 10, 26, 10, 0, 0]);
const entries = () => useNewRun.getState().entries;
const settled = () => vi.waitFor(() => expect(entries().every((e) => e.status !== 'checking' && e.status !== 'uploading')).toBe(true));

describe('the inputs of a new run', () => {
  beforeEach(() => resetDraft());

  it('uploads a text file as soon as it is added', async () => {
    const { api, received } = fakeUploadService();
    addSources(api, [{ kind: 'file', file: new File(['hello'], 'a.txt') }]);
    expect(entries()[0]).toMatchObject({ name: 'a.txt', status: 'checking', bytes: 5 });
    await settled();
    expect(entries()[0]).toMatchObject({ status: 'done', sent: 5, uploadIds: ['u-test12345'] });
    expect(received.get('u-test12345')).toBe('hello');
  });

  it('refuses a binary file before sending anything', async () => {
    const { api, calls } = fakeUploadService();
    addSources(api, [{ kind: 'file', file: new File([PNG], 'pic.png') }]);
    await settled();
    expect(entries()[0]).toMatchObject({ status: 'refused', error: 'pic.png looks like a PNG image; RLMScope reads text files only' });
    expect(calls).toEqual([]);
  });

  it("shows the service's BINARY_FILE by the file's name", async () => {
    const { api } = fakeUploadService({ failAt: 0 });
    addSources(api, [{ kind: 'file', file: new File(['looks fine'], 'sneaky.dat') }]);
    await settled();
    expect(entries()[0]).toMatchObject({ status: 'refused', error: 'sneaky.dat looks like a binary file' });
  });

  it('uploads the text files of a folder and leaves binary ones out, saying why', async () => {
    const { api, names } = fakeUploadService();
    const files = [
      { path: 'docs/a.txt', file: new File(['a'], 'a.txt') },
      { path: 'docs/pic.png', file: new File([PNG], 'pic.png') },
      { path: 'docs/sub/b.txt', file: new File(['bb'], 'b.txt') },
    ];
    addSources(api, [{ kind: 'folder', name: 'docs', files }]);
    await settled();
    const [entry] = entries();
    expect(entry).toMatchObject({ kind: 'folder', status: 'done', files: 2, bytes: 3, skipped: ['docs/pic.png looks like a PNG image; RLMScope reads text files only'] });
    expect(entry?.uploadIds.map((id) => names.get(id))).toEqual(['docs/a.txt', 'docs/sub/b.txt']);
  });

  it('cancels an upload in flight when its entry is removed', async () => {
    let open!: () => void;
    const gate = () => new Promise<void>((resolve) => (open = resolve));
    const { api, calls } = fakeUploadService({ gate });
    addSources(api, [{ kind: 'file', file: new File(['x'.repeat(10)], 'slow.txt') }]);
    await vi.waitFor(() => expect(calls).toContain('uploads.append'));
    removeEntry(api, entries()[0]!.id);
    open();
    expect(entries()).toEqual([]);
    await vi.waitFor(() => expect(calls).toContain('uploads.cancel'));
  });

  it('starts once the uploads are done, with their ids and the pasted text', async () => {
    let open!: () => void;
    const gate = () => new Promise<void>((resolve) => (open = resolve));
    const { api, started } = fakeUploadService({ gate });
    useNewRun.setState({ query: 'Count', pasted: 'extra', rootModel: 'm1', subModel: 'm2' });
    addSources(api, [{ kind: 'file', file: new File(['abc'], 'a.txt') }]);
    await vi.waitFor(() => expect(entries()[0]?.status).toBe('uploading'));
    const starting = startRun(api);
    await vi.waitFor(() => expect(useNewRun.getState().phase).toBe('waiting'));
    expect(started).toEqual([]);
    open();
    await expect(starting).resolves.toEqual({ runId: 'r-test', warnings: [] });
    expect(started).toEqual([
      { query: 'Count', inputs: [{ kind: 'upload', uploadId: 'u-test12345' }, { kind: 'text', name: 'pasted text', text: 'extra' }], rootModel: 'm1', subModel: 'm2' },
    ]);
    expect(useNewRun.getState()).toMatchObject({ query: '', entries: [], phase: 'editing' });
  });

  it('does not start with an empty query, and says so by the field', async () => {
    const { api, started } = fakeUploadService();
    useNewRun.setState({ query: '  ', rootModel: 'm', subModel: 'm' });
    await expect(startRun(api)).resolves.toBeNull();
    expect(useNewRun.getState().errors).toEqual({ query: 'the query is empty' });
    expect(started).toEqual([]);
  });
});
