/// <reference types="vite/client" />
import type { ExposedRlmApi } from '../shared/ipcChannels';

declare global {
  interface Window {
    /**
     * The RlmApi served by the desktop app (src/preload/index.ts); absent in a plain browser.
     * `call` rejects with plain ErrorData `{ code, message }` (see src/preload/bridge.ts); the
     * page reaches it through src/renderer/api/desktopApi.ts, which adapts cancellation.
     */
    readonly rlm?: ExposedRlmApi;
  }
}

export {};
