import { describe, expect, it } from 'vitest';
import type { ExposedRlmApi } from '../../shared/ipcChannels';
import { desktopApi } from './desktopApi';

/** window.rlm whose calls never settle; `aborted` counts the watch listeners that fired. */
function exposed() {
  const calls: unknown[][] = [];
  const seen = { aborted: 0 };
  const rlm: ExposedRlmApi = {
    call: (method, params, options) => {
      calls.push(options ? [method, params, 'watch'] : [method, params]);
      options?.watch(() => seen.aborted++);
      return new Promise(() => undefined);
    },
    subscribe: () => () => undefined,
  };
  return { rlm, calls, seen };
}

describe('the desktop api over window.rlm', () => {
  it('passes a call without a signal through as it is', () => {
    const fake = exposed();
    void desktopApi(fake.rlm).call('runs.list', {});
    expect(fake.calls).toEqual([['runs.list', {}]]);
  });

  it('rejects an aborted call at once with the signal\'s reason, without waiting for the preload', async () => {
    const fake = exposed();
    const api = desktopApi(fake.rlm);
    const controller = new AbortController();
    const call = api.call('runs.list', {}, { signal: controller.signal });
    expect(fake.calls).toEqual([['runs.list', {}, 'watch']]);
    controller.abort();
    await expect(call).rejects.toMatchObject({ name: 'AbortError' });
    // The preload was told, so it cancels the call in main.
    expect(fake.seen.aborted).toBe(1);
    const already = new AbortController();
    already.abort(new Error('gone'));
    await expect(api.call('runs.list', {}, { signal: already.signal })).rejects.toThrow('gone');
    expect(fake.calls).toHaveLength(1);
  });
});
