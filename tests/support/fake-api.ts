import { type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request the fake API received. */
export interface ReceivedRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
  at: number;
}

export interface FakeApi {
  url: string;
  requests: ReceivedRequest[];
  close(): Promise<void>;
}

/** What the handler does with the n-th request (0-based): answer it, or leave it hanging, or reset the socket. */
export type FakeAnswer = { status: number; body?: unknown; headers?: Record<string, string> } | 'hang' | 'reset';

/** A node:http server on a free port that answers each request as the handler says, recording them all. */
export async function startFakeApi(answer: (request: ReceivedRequest, index: number) => FakeAnswer): Promise<FakeApi> {
  const requests: ReceivedRequest[] = [];
  const hanging = new Set<ServerResponse>();
  const server = createServer((incoming, response) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      const request: ReceivedRequest = { method: incoming.method ?? '', url: incoming.url ?? '', headers: incoming.headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now() };
      requests.push(request);
      const reply = answer(request, requests.length - 1);
      if (reply === 'hang') {
        hanging.add(response);
        return;
      }
      if (reply === 'reset') {
        incoming.socket.destroy();
        return;
      }
      const text = reply.body === undefined ? '' : JSON.stringify(reply.body);
      response.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
      response.end(text);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const response of hanging) response.socket?.destroy();

        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  };
}
