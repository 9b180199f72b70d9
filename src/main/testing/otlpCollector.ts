// An OTLP/HTTP collector on loopback for the export tests: records each request it receives
// (path, headers, body) and answers as the test says (by default 200 with an empty body).
import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export interface Collector {
  /** Its traces URL: http://127.0.0.1:PORT/v1/traces */
  url: string;
  received: Received[];
  close(): Promise<void>;
}

/** An OTLP/HTTP collector on loopback: records each request and answers as `answer` says. */
export async function startCollector(answer: (res: ServerResponse, index: number) => void = (res) => res.end()): Promise<Collector> {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({ url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) });
      answer(res, received.length - 1);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/traces`;
  return {
    url,
    received,
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
