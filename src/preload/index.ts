// The preload of the sandboxed window: exposes the RlmApi contract as `window.rlm` and nothing
// else.
//
// SECURITY: never expose ipcRenderer or a generic send/invoke: the page gets exactly `call` and
// `subscribe`, each bound to its own channels. The main process checks every request anyway.
import { contextBridge, ipcRenderer } from 'electron';
import type { ExposedRlmApi } from '../shared/ipcChannels';
import { bridgedCall, createRlmBridge } from './bridge';

const api = createRlmBridge({
  invoke: (channel, ...args) => ipcRenderer.invoke(channel, ...args),
  on: (channel, listener) => {
    ipcRenderer.on(channel, listener);
  },
});

const exposed: ExposedRlmApi = { call: bridgedCall(api), subscribe: api.subscribe };
contextBridge.exposeInMainWorld('rlm', exposed);
