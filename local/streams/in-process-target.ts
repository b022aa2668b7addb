import { EventEmitter } from 'node:events';
import type { IncomingMessage, IncomingHttpHeaders, ServerResponse } from 'node:http';
import type { DynamoTarget, TargetAnswer } from './capture-proxy';

/** A node:http request listener (dynalite's handler). */
type Handler = (request: IncomingMessage, response: ServerResponse) => void;

/**
 * dynalite's handler called in memory: the streams front (capture-proxy.ts) lives in dynalite's
 * process, so each request it forwards, and each read it makes for a stream record, is a function
 * call rather than a second HTTP request over loopback. dynalite's handler (its index.js
 * `httpHandler`) reads the request through its 'data' and 'end' events, its method, URL and headers,
 * and answers through `statusCode`, `setHeader` and `end`: the two objects below are exactly that
 * surface, so its parsing, validation and error answers are the ones an HTTP client gets.
 */
export function inProcessTarget(handler: Handler): DynamoTarget {
  return (method, path, headers, payload) =>
    new Promise<TargetAnswer>((resolve) => {
      const request = Object.assign(new EventEmitter(), { method, url: path, headers: lowerCased(headers) });
      const answerHeaders: IncomingHttpHeaders = {};
      const response = {
        statusCode: 200,
        contentType: undefined as string | undefined,
        setHeader(name: string, value: number | string | readonly string[]) {
          answerHeaders[name.toLowerCase()] = typeof value === 'number' ? String(value) : (value as string);
          return response;
        },
        end(body?: string | Buffer) {
          resolve({ status: response.statusCode, headers: answerHeaders, body: body === undefined ? Buffer.alloc(0) : Buffer.from(body) });
          return response;
        },
      };
      handler(request as unknown as IncomingMessage, response as unknown as ServerResponse);
      if (payload.length > 0) request.emit('data', payload);
      request.emit('end');
    });
}

function lowerCased(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  return Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));
}
