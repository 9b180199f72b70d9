// The child's end of the transport: Electron's utilityProcess gives the child
// `process.parentPort`; Node's child_process.fork gives it `process.send`. Nothing else in the
// sandbox knows which one it runs in.
import type { ParentMessage } from '../../../shared/sandboxProtocol';

export interface ParentPort {
  send(message: unknown): void;
  onMessage(listener: (message: ParentMessage) => void): void;
}

interface ElectronParentPort {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (event: { data: unknown }) => void): void;
}

export function createParentPort(): ParentPort {
  const electronPort = (process as unknown as { parentPort?: ElectronParentPort }).parentPort;
  if (electronPort) {
    return {
      send: (message) => electronPort.postMessage(message),
      onMessage: (listener) => electronPort.on('message', (event) => listener(event.data as ParentMessage)),
    };
  }
  if (typeof process.send !== 'function') throw new Error('the sandbox must be started by RLMScope');
  // Without a parent there is nothing to work for.
  process.on('disconnect', () => process.exit(0));
  return {
    send: (message) => {
      process.send?.(message);
    },
    onMessage: (listener) => process.on('message', (message) => listener(message as ParentMessage)),
  };
}
