import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

/**
 * A fetch over node:http with a keep-alive agent, for OrdersClient's `fetch` option where the client
 * shares the cores with what it measures: the benchmarks' load path. Global fetch (undici) took
 * about 3× the CPU per request on Node 24. Handles what the client sends: a string body, plain
 * header records, an AbortSignal.
 */
export function nodeHttpFetch(maxSockets = 256): { fetch: typeof fetch; close(): void } {
  const agents = { http: new HttpAgent({ keepAlive: true, maxSockets }), https: new HttpsAgent({ keepAlive: true, maxSockets }) };
  const fetchOverNodeHttp = (input: string | URL | Request, init: RequestInit = {}): Promise<Response> => {
    const url = new URL(input instanceof Request ? input.url : input);
    const secure = url.protocol === 'https:';
    const send = secure ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      const outgoing = send(
        url,
        { method: init.method ?? 'GET', agent: secure ? agents.https : agents.http, headers: init.headers as Record<string, string> | undefined, ...(init.signal ? { signal: init.signal } : {}) },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('error', reject);
          response.on('end', () => {
            const headers = new Headers();
            for (const [name, value] of Object.entries(response.headers)) {
              if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
            }
            const status = response.statusCode ?? 0;
            resolve(new Response(status === 204 || status === 304 ? null : Buffer.concat(chunks), { status, headers }));
          });
        },
      );
      outgoing.on('error', reject);
      outgoing.end(typeof init.body === 'string' ? init.body : undefined);
    });
  };
  return {
    fetch: fetchOverNodeHttp,
    close: () => {
      agents.http.destroy();
      agents.https.destroy();
    },
  };
}
