// Browser mode's server: the built page over HTTP and the RlmApi over a WebSocket, on loopback,
// behind a per-start token (the bulk of a run's node index over HTTP too: indexPageHttp.ts). `rlmscope serve` wires it to an RlmService (serveCommand.ts).
//
// SECURITY: this server can spend the user's money (every run calls the model with their key)
// and read the files a run is given. It binds 127.0.0.1 only, answers only requests addressed to
// a loopback name on its port (DNS rebinding), only requests carrying its token (any local
// process or web page can reach a loopback port), and accepts a WebSocket only from its own page
// (Origin). The checks are in requestGuard.ts; this file only applies them in order.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { RlmApi } from '../../shared/api';
import { WS_PATH } from '../../shared/wsProtocol';
import type { ExportDownloads } from '../service/runExports';
import { handleHttp, type UploadReceiver } from './httpHandler';
import { isAllowedHost, isAllowedOrigin, parseTarget } from './requestGuard';
import { openRendererDir } from './staticFiles';
import { cookieHasToken, cookieName, newToken } from './token';
import { serveConnection, type ApiConnection, type ConnectionLimits } from './wsConnection';

/** The only address the server listens on. Not an option: see the SECURITY note above. */
export const LOOPBACK = '127.0.0.1';

export interface BrowserServerOptions {
  api: RlmApi;
  /** Exported runs to stream at `/downloads/<ticket>` (the service's `downloads`). */
  downloads?: ExportDownloads;
  /** Uploads whose bytes the page sends at `PUT /uploads/<id>` (the service's `uploads`). */
  uploads?: UploadReceiver;
  /** The built page (out/renderer); it must hold index.html. */
  rendererDir: string;
  /** 0 picks any free port. */
  port: number;
  /** The name in the printed URL; both loopback names are served either way. */
  urlHost?: '127.0.0.1' | 'localhost';
  /** How often a silent page is pinged; one that misses a whole interval is dropped. */
  pingIntervalMs?: number;
  /**
   * The largest message a page may send: an upload chunk is at most 8 MiB of bytes in a binary
   * frame, or ~10.7 MiB as the base64 older pages sent.
   */
  maxPayloadBytes?: number;
  limits?: Partial<ConnectionLimits>;
  /** Where the server's own notices go (default: stderr). */
  log?: (line: string) => void;
}

export interface BrowserServer {
  readonly port: number;
  /** `http://127.0.0.1:PORT` (or localhost, per `urlHost`). */
  readonly origin: string;
  /** The URL to open, token included: `http://127.0.0.1:PORT/?token=TOKEN`. */
  readonly url: string;
  readonly token: string;
  /** The cookie that carries the token once the page is open. */
  readonly cookieName: string;
  connectionCount(): number;
  subscriptionCount(): number;
  /** Stops accepting, closes every page's socket and the server. Does not close the api. */
  close(): Promise<void>;
}

export class PortInUseError extends Error {
  constructor(readonly port: number) {
    super(`port ${port} is already in use: pass --port N for another one, or --port 0 for any free port`);
    this.name = 'PortInUseError';
  }
}

export const DEFAULT_PING_INTERVAL_MS = 30_000;
export const DEFAULT_MAX_PAYLOAD_BYTES = 16 * 1024 * 1024;
export const DEFAULT_LIMITS: ConnectionLimits = { maxBufferedBytes: 64 * 1024 * 1024, maxSubscriptions: 256, maxInFlight: 32 };
/** How long closing pages get to answer the close handshake before their sockets are cut. */
const CLOSE_GRACE_MS = 1000;

export async function startBrowserServer(options: BrowserServerOptions): Promise<BrowserServer> {
  const rootReal = await openRendererDir(options.rendererDir);
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const limits: ConnectionLimits = { ...DEFAULT_LIMITS, ...options.limits };
  const token = newToken();
  const connections = new Map<WebSocket, { api: ApiConnection; alive: boolean }>();
  // Known once listening; no request can arrive before.
  let port = 0;

  const server = createServer((req, res) => {
    const served = { ...(options.downloads ? { downloads: options.downloads } : {}), ...(options.uploads ? { uploads: options.uploads } : {}) };
    handleHttp({ port, token, rootReal, api: options.api, ...served }, req, res).catch((error: unknown) => {
      log(`rlmscope: request failed: ${error instanceof Error ? error.message : String(error)}`);
      if (!res.headersSent) res.writeHead(500).end();
      else res.destroy();
    });
  });
  // A malformed request gets a bare 400 and no listener ever sees it.
  server.on('clientError', (_error, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    else socket.destroy();
  });

  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: options.maxPayloadBytes ?? DEFAULT_MAX_PAYLOAD_BYTES,
    // Compression of attacker-influenced data next to secrets invites CRIME-style leaks, costs
    // memory per socket, and buys nothing on loopback.
    perMessageDeflate: false,
  });

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    const status = upgradeRefusal(req, port, token);
    if (status !== null) {
      // SECURITY: refused at the handshake (never accepted and then closed): a page without the
      // token never holds an open socket, not even for a moment.
      socket.end(`HTTP/1.1 ${status} ${status === 403 ? 'Forbidden' : 'Not Found'}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      const api = serveConnection(ws, options.api, limits, log);
      const state = { api, alive: true };
      connections.set(ws, state);
      ws.on('pong', () => (state.alive = true));
      ws.on('close', () => connections.delete(ws));
    });
  });

  // Keep-alive: a page that slept, crashed or lost its network never sends a close frame; its
  // subscriptions would stay forever. Every interval, drop pages that did not answer the last ping.
  const ping = setInterval(() => {
    for (const [ws, state] of connections) {
      if (!state.alive) {
        state.api.dispose();
        ws.terminate();
        continue;
      }
      state.alive = false;
      try {
        ws.ping();
      } catch {
        // Not open (closing): its 'close' removes it.
      }
    }
  }, options.pingIntervalMs ?? DEFAULT_PING_INTERVAL_MS);
  ping.unref();

  port = await listen(server, options.port).catch((error: unknown) => {
    clearInterval(ping);
    throw error;
  });
  const origin = `http://${options.urlHost ?? LOOPBACK}:${port}`;
  let closing: Promise<void> | null = null;

  return {
    port,
    origin,
    url: `${origin}/?token=${token}`,
    token,
    cookieName: cookieName(port),
    connectionCount: () => connections.size,
    subscriptionCount: () => [...connections.values()].reduce((n, state) => n + state.api.subscriptionCount(), 0),
    close() {
      closing ??= (async () => {
        clearInterval(ping);
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        await closeSockets(connections);
        wss.close();
        server.closeAllConnections();
        await closed;
      })();
      return closing;
    },
  };
}

/** The status refusing a WebSocket handshake, or null when it may proceed. */
function upgradeRefusal(req: IncomingMessage, port: number, token: string): 403 | 404 | null {
  const { host, origin, cookie } = req.headers;
  if (!isAllowedHost(host, port) || !isAllowedOrigin(origin, host, port) || !cookieHasToken(cookie, port, token)) return 403;
  const target = parseTarget(req.url);
  if (!target || target.path !== WS_PATH) return 404;
  return null;
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      reject(error.code === 'EADDRINUSE' ? new PortInUseError(port) : error);
    };
    server.once('error', onError);
    // exclusive: never share the port with another process's listener (cluster handle sharing).
    server.listen({ host: LOOPBACK, port, exclusive: true }, () => {
      server.off('error', onError);
      const address = server.address();
      if (address === null || typeof address === 'string') {
        reject(new Error('the server has no TCP address'));
        return;
      }
      resolve(address.port);
    });
  });
}

async function closeSockets(connections: Map<WebSocket, { api: ApiConnection }>): Promise<void> {
  const pending = [...connections.entries()].map(([ws, state]) => {
    state.api.dispose();
    return new Promise<void>((resolve) => {
      if (ws.readyState === ws.CLOSED) return resolve();
      const timer = setTimeout(() => {
        ws.terminate();
        resolve();
      }, CLOSE_GRACE_MS);
      ws.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      // 1001: going away. The page's client reconnects by itself if a server comes back.
      ws.close(1001, 'the server is shutting down');
    });
  });
  await Promise.all(pending);
  connections.clear();
}
