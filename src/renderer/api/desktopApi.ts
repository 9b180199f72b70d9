// The RlmApi over the desktop app's `window.rlm` (src/preload/index.ts). Only cancellation needs
// adapting: an AbortSignal cannot cross contextBridge, so the call takes a watch function in its
// place (ipcChannels.ts, BridgedCallOptions), and the page rejects an aborted call itself, at once
// and with the signal's reason (an Error crossing the bridge back would lose its name).
import type { MethodName, MethodParams, MethodResult, RlmApi } from '../../shared/api';
import { abortReason, type CallOptions } from '../../shared/cancellation';
import type { ExposedRlmApi } from '../../shared/ipcChannels';

export function desktopApi(rlm: ExposedRlmApi): RlmApi {
  return {
    call<M extends MethodName>(method: M, params: MethodParams<M>, options?: CallOptions): Promise<MethodResult<M>> {
      const signal = options?.signal;
      if (!signal) return rlm.call(method, params);
      if (signal.aborted) return Promise.reject(abortReason(signal));
      return new Promise<MethodResult<M>>((resolve, reject) => {
        const onAbort = () => reject(abortReason(signal));
        signal.addEventListener('abort', onAbort, { once: true });
        const watch = (listener: () => void) => {
          signal.addEventListener('abort', listener, { once: true });
          return () => signal.removeEventListener('abort', listener);
        };
        rlm
          .call(method, params, { aborted: false, watch })
          .then(resolve, reject)
          .finally(() => signal.removeEventListener('abort', onAbort));
      });
    },
    subscribe: (runId, listener) => rlm.subscribe(runId, listener),
  };
}
