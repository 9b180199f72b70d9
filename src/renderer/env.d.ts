/// <reference types="vite/client" />
import type { RlmApi } from '../shared/api';

declare global {
  interface Window {
    /**
     * The RlmApi served by the desktop app (src/preload/index.ts); absent in a plain browser.
     * `call` rejects with plain ErrorData `{ code, message }` (see src/preload/bridge.ts).
     */
    readonly rlm?: RlmApi;
  }
}

export {};
