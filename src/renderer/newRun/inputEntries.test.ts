import { describe, expect, it } from 'vitest';
import { emptyLimitsDraft } from '../common/limitsForm';
import { buildStart, entriesNamedIn, overallProgress, startBlocker, startErrorsFromService, type InputEntry } from './inputEntries';

const entry = (over: Partial<InputEntry>): InputEntry => ({
  id: 'e1',
  kind: 'file',
  name: 'a.txt',
  files: 1,
  bytes: 100,
  sent: 100,
  status: 'done',
  error: null,
  skipped: [],
  uploadIds: ['u-aaaaaaaa'],
  ...over,
});

const draft = { query: 'Count the lines', pasted: '', entries: [] as InputEntry[], rootModel: 'gpt-5', subModel: 'gpt-5-mini', limits: emptyLimitsDraft() };

describe('starting a run', () => {
  it('sends uploads in order, then the pasted text, and only the limits given', () => {
    const entries = [entry({}), entry({ id: 'e2', kind: 'folder', name: 'docs', uploadIds: ['u-bbbbbbbb', 'u-cccccccc'] })];
    const result = buildStart({ ...draft, query: '  Count the lines ', pasted: 'some text', entries, limits: { ...emptyLimitsDraft(), maxCalls: '50' } });
    expect(result).toEqual({
      ok: true,
      params: {
        query: 'Count the lines',
        inputs: [
          { kind: 'upload', uploadId: 'u-aaaaaaaa' },
          { kind: 'upload', uploadId: 'u-bbbbbbbb' },
          { kind: 'upload', uploadId: 'u-cccccccc' },
          { kind: 'text', name: 'pasted text', text: 'some text' },
        ],
        rootModel: 'gpt-5',
        subModel: 'gpt-5-mini',
        limits: { maxCalls: 50 },
      },
    });
  });

  it('refuses an empty query, files that cannot be used, and bad limits', () => {
    const result = buildStart({ ...draft, query: ' ', entries: [entry({ name: 'pic.png', status: 'refused', uploadIds: [] })], limits: { ...emptyLimitsDraft(), maxDepth: '-1' } });
    expect(result).toEqual({
      ok: false,
      errors: { query: 'the query is empty', inputs: 'Remove what cannot be used: pic.png', limits: { maxDepth: 'must be at least 0' } },
    });
  });

  it('says why Start is disabled', () => {
    expect(startBlocker('')).toBe('Type a query to start');
    expect(startBlocker('q')).toBeNull();
  });

  it('counts progress over the files that will be sent', () => {
    const entries = [entry({ bytes: 100, sent: 50, status: 'uploading' }), entry({ bytes: 10, sent: 10 }), entry({ bytes: 999, sent: 0, status: 'refused' })];
    expect(overallProgress(entries)).toEqual({ sent: 60, bytes: 110, active: 1 });
  });

  it("finds the entries a service error names", () => {
    const entries = [entry({ id: 'a', name: 'notes.txt' }), entry({ id: 'b', name: 'image.dat' })];
    expect(entriesNamedIn('image.dat looks like a binary file (it contains NUL bytes)', entries)).toEqual(['b']);
  });
});

describe('startErrorsFromService', () => {
  it("puts the service's validation message by its field", () => {
    expect(startErrorsFromService('runs.start: query: the query is empty')).toEqual({ query: 'the query is empty' });
    expect(startErrorsFromService('runs.start: limits.maxDepth: Too big')).toEqual({ limits: { maxDepth: 'Too big' } });
    expect(startErrorsFromService('the provider refused the key')).toBeNull();
  });
});
