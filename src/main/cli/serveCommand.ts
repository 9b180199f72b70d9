// `rlmscope serve`: browser mode. Prints the URL (token included) as the first line of stdout,
// serves until SIGINT/SIGTERM, then stops active runs (recorded as stopped) and exits 0.
import { InvalidArgumentError } from 'commander';
import { RlmError } from '../../shared/errors';
import { defaultDatabasePath } from '../paths';
import { PortInUseError, startBrowserServer, type BrowserServer } from '../server/browserServer';
import { createServeService } from '../server/serveService';
import { defaultRendererDir, openRendererDir, RendererMissingError } from '../server/staticFiles';
import type { CommandOutput } from './commandOutput';

export interface ServeOptions {
  port: number;
  db?: string;
  host?: string;
  /** Hidden: the built page's folder (tests); default out/renderer. */
  rendererDir?: string;
}

export const DEFAULT_PORT = 7777;

/** commander's parser for --port: 0 (any free port) to 65535. */
export function portNumber(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n > 65535) throw new InvalidArgumentError('expected a port number from 0 to 65535');
  return n;
}

export async function serveCommand(options: ServeOptions, out: CommandOutput): Promise<number> {
  const urlHost = options.host ?? '127.0.0.1';
  if (urlHost !== '127.0.0.1' && urlHost !== 'localhost') {
    // SECURITY: never exposed beyond this machine; anyone who reached it could spend the
    // user's money. --host only picks which loopback name the printed URL uses.
    throw new RlmError('INVALID_INPUT', `--host ${urlHost}: rlmscope serve listens on 127.0.0.1 only (use 127.0.0.1 or localhost)`);
  }
  const rendererDir = options.rendererDir ?? defaultRendererDir();
  try {
    await openRendererDir(rendererDir);
  } catch (error) {
    if (error instanceof RendererMissingError) {
      out.stderr(`rlmscope: ${error.message}`);
      return 2;
    }
    throw error;
  }

  const dbPath = options.db ?? defaultDatabasePath();
  const service = createServeService({ dbPath, onWarning: (message) => out.stderr(`rlmscope: warning: ${message}`) });
  let server: BrowserServer;
  try {
    server = await startBrowserServer({ api: service, downloads: service.downloads, uploads: service.uploads, rendererDir, port: options.port, urlHost });
  } catch (error) {
    await service.close();
    if (error instanceof PortInUseError) {
      out.stderr(`rlmscope: ${error.message}`);
      return 2;
    }
    throw error;
  }

  // Listening for signals before printing: whoever reads the URL may send SIGTERM at once.
  const stopped = untilSignal(() => out.stderr('rlmscope: stopping (runs still going are recorded as stopped)…'));
  await out.stdout(`${server.url}\n`);
  out.stderr(`rlmscope: serving RLMScope at ${server.origin} (database ${dbPath}).`);
  const settings = await service.call('settings.get', {});
  if (settings.apiKeySource === 'none') out.stderr('rlmscope: note: no API key is set (Settings, or OPENAI_API_KEY); runs fail unless the provider needs none.');
  out.stderr("rlmscope: open the URL above: it carries this session's access token, and requests without it are refused. Ctrl+C stops.");

  await stopped;
  await server.close();
  await service.close();
  return 0;
}

/** Resolves on the first SIGINT or SIGTERM; a second one exits at once (130). */
function untilSignal(onFirst: () => void): Promise<void> {
  return new Promise((resolve) => {
    let stopping = false;
    const stop = () => {
      // A second Ctrl+C: the user does not want to wait for runs to stop.
      if (stopping) process.exit(130);
      stopping = true;
      onFirst();
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
