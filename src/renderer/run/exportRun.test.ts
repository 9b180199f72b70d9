import { describe, expect, it } from 'vitest';
import type { RlmApi } from '../../shared/api';
import { exportRun, PARTIAL_NOTE } from './exportRun';

function record(answer: () => Promise<unknown>) {
  const calls: unknown[][] = [];
  const followed: string[][] = [];
  const toasts: string[][] = [];
  const api = { call: (...args: unknown[]) => (calls.push(args), answer()) } as unknown as Pick<RlmApi, 'call'>;
  const deps = { follow: (url: string, name: string) => void followed.push([url, name]), toast: (kind: string, text: string) => void toasts.push([kind, text]) };
  return { api, deps, calls, followed, toasts };
}

describe('exportRun', () => {
  it('follows a download link under the name the service gave, and says so', async () => {
    const r = record(async () => ({ kind: 'download', url: '/downloads/abc', fileName: 'r-1.otlp.json', partial: false }));
    await exportRun(r.api, 'r-1', 'otlp', r.deps);
    expect(r.calls).toEqual([['interop.export', { runId: 'r-1', format: 'otlp' }]]);
    expect(r.followed).toEqual([['/downloads/abc', 'r-1.otlp.json']]);
    expect(r.toasts).toEqual([['info', 'Downloading r-1.otlp.json']]);
  });

  it('says where the desktop app saved it, and that a running run is exported as far as it got', async () => {
    const r = record(async () => ({ kind: 'saved', path: '/home/me/r-1.jsonl', fileName: 'r-1.jsonl', bytes: 10, partial: true }));
    await exportRun(r.api, 'r-1', 'rlms', r.deps);
    expect(r.followed).toEqual([]);
    expect(r.toasts).toEqual([['info', `Exported to /home/me/r-1.jsonl — ${PARTIAL_NOTE}`]]);
  });

  it('says nothing when the save dialog was cancelled', async () => {
    const r = record(async () => ({ kind: 'cancelled' }));
    await exportRun(r.api, 'r-1', 'rlms', r.deps);
    expect(r.toasts).toEqual([]);
  });

  it("shows a failure as one error line with the service's message", async () => {
    const r = record(async () => Promise.reject({ code: 'NOT_FOUND', message: 'no run r-1: it may have been deleted' }));
    await exportRun(r.api, 'r-1', 'rlmscope', r.deps);
    expect(r.toasts).toEqual([['error', 'Not exported: no run r-1: it may have been deleted']]);
  });
});
