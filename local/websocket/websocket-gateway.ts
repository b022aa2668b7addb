import { isUtf8 } from 'node:buffer';
import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import { TokenBucket } from '../apigateway/token-bucket';
import type { LambdaInvoker } from '../lambda/lambda-service';
import { foreignOrigin, hasAwsCredentials, hostRefusal } from '../request-gate';
import type { LocalWebSocketApi, LocalWebSocketRoute } from '../template/local-template';

/*
 * The template's WebSocket APIs (AWS::ApiGatewayV2::Api, ProtocolType WEBSOCKET) on one port, with
 * `ws`: clients connect to ws://host:port/{stage}; the $connect route's REQUEST authorizer and
 * integration run before the upgrade is accepted (a refusal is the HTTP status API Gateway gives:
 * 401, 403, or the integration's own), messages are routed by the RouteSelectionExpression, and
 * $disconnect runs when either side closes. The `@connections` management API is served on the
 * same port at /{stage}/@connections/{id}, the path the SDK's ApiGatewayManagementApiClient uses
 * with the endpoint http://host:port/{stage}, behind the request gate of the other AWS endpoints.
 */

interface Connection {
  socket: WebSocket;
  api: LocalWebSocketApi;
  connectedAt: number;
  lastActiveAt: number;
  sourceIp: string;
  userAgent: string;
  domainName: string;
  /** The $connect authorizer's context and principalId, passed on every later event as API Gateway does. */
  authorizer?: Record<string, unknown>;
}

export interface WebSocketGatewayOptions {
  region: string;
  accountId: string;
  allowedHosts: ReadonlySet<string>;
  log: (line: string) => void;
}

const STATUS_TEXT: Record<number, string> = { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 421: 'Misdirected Request', 429: 'Too Many Requests', 500: 'Internal Server Error', 502: 'Bad Gateway' };
/** API Gateway's limit on a WebSocket message, and on a PostToConnection payload. */
const MAX_MESSAGE_BYTES = 128 * 1024;
const MANAGEMENT_PATH = /^\/([^/]+)\/@connections\/([^/?]+)\/?$/;

/** A connection id in API Gateway's form (base64 of 10 random bytes); path-safe characters only. */
function newConnectionId(): string {
  return randomBytes(10).toString('base64').replace(/\+/g, 'A').replace(/\//g, 'B');
}

/** An HTTP refusal of an upgrade, written on the raw socket as API Gateway answers a refused $connect. */
function refuseUpgrade(socket: Duplex, statusCode: number, message: string): void {
  const body = JSON.stringify({ message });
  socket.end(
    `HTTP/1.1 ${String(statusCode)} ${STATUS_TEXT[statusCode] ?? 'Error'}\r\nContent-Type: application/json\r\nContent-Length: ${String(Buffer.byteLength(body))}\r\nConnection: close\r\n\r\n${body}`,
  );
}

function single(values: Record<string, string[]>): Record<string, string> {
  return Object.fromEntries(Object.entries(values).map(([key, list]) => [key, list[list.length - 1] ?? '']));
}

function headersOf(request: IncomingMessage): { headers: Record<string, string>; multiValueHeaders: Record<string, string[]> } {
  const multiValueHeaders: Record<string, string[]> = {};
  for (let index = 0; index < request.rawHeaders.length; index += 2) {
    const name = request.rawHeaders[index] ?? '';
    (multiValueHeaders[name] ??= []).push(request.rawHeaders[index + 1] ?? '');
  }
  return { headers: single(multiValueHeaders), multiValueHeaders };
}

function queryOf(url: URL): { queryStringParameters?: Record<string, string>; multiValueQueryStringParameters?: Record<string, string[]> } {
  const multi: Record<string, string[]> = {};
  for (const [key, value] of url.searchParams) (multi[key] ??= []).push(value);
  return Object.keys(multi).length === 0 ? {} : { queryStringParameters: single(multi), multiValueQueryStringParameters: multi };
}

/** Whether an IAM policy Resource pattern (with * and ? wildcards) matches the method ARN. */
function resourceMatches(pattern: unknown, arn: string): boolean {
  if (typeof pattern !== 'string') return false;
  const regex = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
  return regex.test(arn);
}

/** The authorizer's verdict on methodArn: an explicit Deny wins, else an Allow must match. */
function policyAllows(policy: unknown, methodArn: string): boolean {
  const statements = (policy as { Statement?: unknown } | null)?.Statement;
  const list = (Array.isArray(statements) ? statements : [statements]).filter((entry): entry is Record<string, unknown> => typeof entry === 'object' && entry !== null);
  const matches = (statement: Record<string, unknown>) => {
    const actions = [statement.Action].flat();
    const resources = [statement.Resource].flat();
    return actions.some((action) => action === 'execute-api:Invoke' || action === 'execute-api:*' || action === '*') && resources.some((resource) => resourceMatches(resource, methodArn));
  };
  if (list.some((statement) => statement.Effect === 'Deny' && matches(statement))) return false;
  return list.some((statement) => statement.Effect === 'Allow' && matches(statement));
}

export class WebSocketGateway {
  private readonly server = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });
  private readonly connections = new Map<string, Connection>();
  private readonly buckets = new Map<string, TokenBucket>();

  constructor(
    private readonly apis: readonly LocalWebSocketApi[],
    private readonly lambda: LambdaInvoker,
    private readonly options: WebSocketGatewayOptions,
  ) {
    for (const api of apis) for (const route of api.routes) if (!lambda.find(route.functionArn)) throw new Error(`${api.logicalId} ${route.routeKey}: no function ${route.functionArn}`);
  }

  /** ws://origin/{stage} of each API, by logical id. */
  urls(origin: string): Record<string, string> {
    return Object.fromEntries(this.apis.map((api) => [api.logicalId, `${origin}/${api.stageName}`]));
  }

  private apiFor(stage: string | undefined): LocalWebSocketApi | undefined {
    return this.apis.find((api) => api.stageName === stage);
  }

  /** The stage's route throttle, one bucket per route as DefaultRouteSettings applies it. */
  private throttled(api: LocalWebSocketApi, routeKey: string): boolean {
    if (!api.throttle) return false;
    const key = `${api.logicalId} ${routeKey}`;
    let bucket = this.buckets.get(key);
    if (!bucket) {
      bucket = new TokenBucket(api.throttle.rateLimit, api.throttle.burstLimit);
      this.buckets.set(key, bucket);
    }
    return !bucket.take();
  }

  private requestContext(api: LocalWebSocketApi, connectionId: string, routeKey: string, eventType: 'CONNECT' | 'MESSAGE' | 'DISCONNECT', connection: Pick<Connection, 'connectedAt' | 'sourceIp' | 'userAgent' | 'domainName' | 'authorizer'>): Record<string, unknown> {
    const now = Date.now();
    const requestId = randomBytes(12).toString('base64');
    return {
      routeKey,
      eventType,
      extendedRequestId: requestId,
      requestTime: new Date(now).toUTCString(),
      messageDirection: 'IN',
      stage: api.stageName,
      connectedAt: connection.connectedAt,
      requestTimeEpoch: now,
      identity: { sourceIp: connection.sourceIp, userAgent: connection.userAgent },
      requestId,
      domainName: connection.domainName,
      connectionId,
      apiId: api.apiId,
      ...(connection.authorizer ? { authorizer: connection.authorizer } : {}),
    };
  }

  /** Handles an HTTP upgrade: the $connect authorizer and integration, then the WebSocket handshake. */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    // A client that goes away while its $connect runs must not take the runtime with it.
    socket.on('error', () => {
      socket.destroy();
    });
    this.connect(request, socket, head).catch((error: unknown) => {
      this.options.log(`websocket: $connect failed: ${String(error)}`);
      refuseUpgrade(socket, 500, 'Internal server error');
    });
  }

  private async connect(request: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const misdirected = hostRefusal(request, this.options.allowedHosts);
    if (misdirected) {
      refuseUpgrade(socket, 421, misdirected);
      return;
    }
    const url = new URL(request.url ?? '/', 'http://localhost');
    const api = this.apiFor(/^\/([^/]+)\/?$/.exec(url.pathname)?.[1]);
    if (!api) {
      refuseUpgrade(socket, 404, `No WebSocket stage at ${url.pathname}; connect to ${this.apis.map((candidate) => `/${candidate.stageName}`).join(' or ')}`);
      return;
    }
    if (this.throttled(api, '$connect')) {
      refuseUpgrade(socket, 429, 'Too Many Requests');
      return;
    }
    const connectionId = newConnectionId();
    const { headers, multiValueHeaders } = headersOf(request);
    const query = queryOf(url);
    const connection = {
      connectedAt: Date.now(),
      sourceIp: request.socket.remoteAddress ?? '127.0.0.1',
      userAgent: request.headers['user-agent'] ?? '',
      domainName: request.headers.host ?? 'localhost',
    };
    const route = api.routes.find((candidate) => candidate.routeKey === '$connect');
    let authorizer: Record<string, unknown> | undefined;
    if (route?.authorizer) {
      const verdict = await this.authorize(api, route, connectionId, request, url, connection);
      if (!verdict.ok) {
        refuseUpgrade(socket, verdict.statusCode, verdict.statusCode === 401 ? 'Unauthorized' : verdict.statusCode === 403 ? 'Forbidden' : 'Internal server error');
        return;
      }
      authorizer = verdict.context;
    }
    const withAuthorizer = { ...connection, ...(authorizer ? { authorizer } : {}) };
    if (route) {
      const result = await this.lambda.invoke(route.functionArn, {
        headers,
        multiValueHeaders,
        ...query,
        requestContext: this.requestContext(api, connectionId, '$connect', 'CONNECT', withAuthorizer),
        isBase64Encoded: false,
      });
      const statusCode = result.ok ? Number((result.payload as { statusCode?: unknown } | null)?.statusCode ?? 200) : 502;
      if (!result.ok) this.options.log(`websocket: $connect integration failed: ${result.error.errorType}: ${result.error.errorMessage}`);
      if (!(statusCode >= 200 && statusCode < 300)) {
        refuseUpgrade(socket, statusCode, result.ok ? 'Forbidden' : 'Internal server error');
        return;
      }
    }
    this.server.handleUpgrade(request, socket, head, (ws) => {
      this.accept(api, connectionId, ws, { ...withAuthorizer, lastActiveAt: Date.now(), socket: ws, api });
    });
  }

  /** Runs the REQUEST authorizer: 401 without an identity source or on "Unauthorized", 403 on a policy that does not allow. */
  private async authorize(
    api: LocalWebSocketApi,
    route: LocalWebSocketRoute,
    connectionId: string,
    request: IncomingMessage,
    url: URL,
    connection: Pick<Connection, 'connectedAt' | 'sourceIp' | 'userAgent' | 'domainName'>,
  ): Promise<{ ok: true; context: Record<string, unknown> } | { ok: false; statusCode: number }> {
    const authorizer = route.authorizer;
    if (!authorizer) return { ok: true, context: {} };
    const present = (source: string) => {
      const query = /^route\.request\.querystring\.(.+)$/.exec(source)?.[1];
      if (query) return Boolean(url.searchParams.get(query));
      const header = /^route\.request\.header\.(.+)$/.exec(source)?.[1];
      return header ? Boolean(request.headers[header.toLowerCase()]) : true;
    };
    // API Gateway refuses a $connect without its identity sources without calling the authorizer.
    if (!authorizer.identitySource.every(present)) return { ok: false, statusCode: 401 };
    const methodArn = `arn:aws:execute-api:${this.options.region}:${this.options.accountId}:${api.apiId}/${api.stageName}/$connect`;
    const { headers, multiValueHeaders } = headersOf(request);
    const result = await this.lambda.invoke(authorizer.functionArn, {
      type: 'REQUEST',
      methodArn,
      headers,
      multiValueHeaders,
      ...queryOf(url),
      stageVariables: {},
      requestContext: this.requestContext(api, connectionId, '$connect', 'CONNECT', connection),
    });
    if (!result.ok) {
      if (result.error.errorMessage === 'Unauthorized') return { ok: false, statusCode: 401 };
      this.options.log(`websocket: authorizer ${authorizer.name} failed: ${result.error.errorType}: ${result.error.errorMessage}`);
      return { ok: false, statusCode: 500 };
    }
    const payload = result.payload as { principalId?: unknown; policyDocument?: unknown; context?: unknown } | null;
    if (!payload || !policyAllows(payload.policyDocument, methodArn)) return { ok: false, statusCode: 403 };
    const context = typeof payload.context === 'object' && payload.context !== null ? (payload.context as Record<string, unknown>) : {};
    return { ok: true, context: { ...context, principalId: payload.principalId } };
  }

  private accept(api: LocalWebSocketApi, connectionId: string, socket: WebSocket, connection: Connection): void {
    this.connections.set(connectionId, connection);
    socket.on('message', (data, isBinary) => {
      connection.lastActiveAt = Date.now();
      const body = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
      this.message(api, connectionId, connection, body, isBinary).catch((error: unknown) => {
        this.options.log(`websocket: message on ${connectionId} failed: ${String(error)}`);
      });
    });
    socket.on('close', (code, reason) => {
      this.connections.delete(connectionId);
      const route = api.routes.find((candidate) => candidate.routeKey === '$disconnect');
      if (!route) return;
      const requestContext = { ...this.requestContext(api, connectionId, '$disconnect', 'DISCONNECT', connection), disconnectStatusCode: code, disconnectReason: reason.toString('utf8') };
      this.lambda.invoke(route.functionArn, { headers: {}, multiValueHeaders: {}, requestContext, isBase64Encoded: false }).then(
        (result) => {
          if (!result.ok) this.options.log(`websocket: $disconnect integration failed: ${result.error.errorType}: ${result.error.errorMessage}`);
        },
        (error: unknown) => {
          // $disconnect is best effort on AWS too; the row's TTL is the backstop.
          this.options.log(`websocket: $disconnect not delivered: ${String(error)}`);
        },
      );
    });
  }

  /** Selects the route of a message (the RouteSelectionExpression on its JSON body, else $default) and invokes it. */
  private async message(api: LocalWebSocketApi, connectionId: string, connection: Connection, body: Buffer, isBinary: boolean): Promise<void> {
    const text = isBinary ? undefined : body.toString('utf8');
    const selected = text === undefined ? undefined : this.selectRoute(api, text);
    const route = api.routes.find((candidate) => candidate.routeKey === selected) ?? api.routes.find((candidate) => candidate.routeKey === '$default');
    const requestId = randomBytes(12).toString('base64');
    if (!route) {
      connection.socket.send(JSON.stringify({ message: 'Forbidden', connectionId, requestId }));
      return;
    }
    if (this.throttled(api, route.routeKey)) {
      connection.socket.send(JSON.stringify({ message: 'Too Many Requests', connectionId, requestId }));
      return;
    }
    const requestContext = { ...this.requestContext(api, connectionId, route.routeKey, 'MESSAGE', connection), messageId: randomUUID() };
    const result = await this.lambda.invoke(route.functionArn, {
      requestContext,
      body: isBinary ? body.toString('base64') : text,
      isBase64Encoded: isBinary,
    });
    if (!result.ok) {
      this.options.log(`websocket: ${route.routeKey} integration failed: ${result.error.errorType}: ${result.error.errorMessage}`);
      if (connection.socket.readyState === WebSocket.OPEN) connection.socket.send(JSON.stringify({ message: 'Internal server error', connectionId, requestId }));
    }
  }

  /** `$request.body.<path>` of a JSON message, as a route key; undefined when the body or the path is not there. */
  private selectRoute(api: LocalWebSocketApi, text: string): string | undefined {
    const path = /^\$request\.body\.(.+)$/.exec(api.routeSelectionExpression)?.[1];
    if (!path) return undefined;
    try {
      let value: unknown = JSON.parse(text);
      for (const key of path.split('.')) value = typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
      return typeof value === 'string' ? value : undefined;
    } catch {
      return undefined;
    }
  }

  /**
   * The `@connections` management API: POST (PostToConnection), GET (GetConnection) and DELETE
   * (DeleteConnection), with GoneException (410) for a connection that is closed or never was.
   * Answers false when the request is not for it.
   */
  async handleManagement(request: IncomingMessage, response: ServerResponse): Promise<boolean> {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const match = MANAGEMENT_PATH.exec(url.pathname);
    if (!match?.[1] || !match[2]) return false;
    const send = (statusCode: number, body?: unknown, type?: string) => {
      response.writeHead(statusCode, { 'Content-Type': 'application/json', ...(type ? { 'x-amzn-ErrorType': type } : {}) });
      response.end(body === undefined ? undefined : JSON.stringify(body));
    };
    const foreign = foreignOrigin(request);
    if (foreign) {
      send(403, { message: foreign }, 'AccessDeniedException');
      return true;
    }
    if (!hasAwsCredentials(request, 'json')) {
      send(403, { message: 'Missing Authentication Token' }, 'MissingAuthenticationTokenException');
      return true;
    }
    const api = this.apiFor(match[1]);
    let connectionId: string;
    try {
      connectionId = decodeURIComponent(match[2]);
    } catch {
      send(400, { message: 'Invalid connection id' }, 'BadRequestException');
      return true;
    }
    const connection = this.connections.get(connectionId);
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of request) {
      size += (chunk as Buffer).length;
      if (size > MAX_MESSAGE_BYTES) {
        send(413, { message: `Message too long: at most ${String(MAX_MESSAGE_BYTES)} bytes` }, 'PayloadTooLargeException');
        return true;
      }
      chunks.push(chunk as Buffer);
    }
    if (!api || !connection || connection.api !== api || connection.socket.readyState !== WebSocket.OPEN) {
      send(410, { message: `Connection ${connectionId} is gone` }, 'GoneException');
      return true;
    }
    switch (request.method) {
      case 'POST': {
        const data = Buffer.concat(chunks);
        // API Gateway sends valid UTF-8 as a text frame.
        connection.socket.send(data, { binary: !isUtf8(data) });
        send(200);
        return true;
      }
      case 'GET':
        // The wire names of GetConnection's output (the SDK maps them to ConnectedAt, Identity, LastActiveAt).
        send(200, {
          connectedAt: new Date(connection.connectedAt).toISOString(),
          identity: { sourceIp: connection.sourceIp, userAgent: connection.userAgent },
          lastActiveAt: new Date(connection.lastActiveAt).toISOString(),
        });
        return true;
      case 'DELETE':
        connection.socket.close(1000);
        send(204);
        return true;
      default:
        send(405, { message: `${request.method ?? ''} is not a @connections method` }, 'MethodNotAllowedException');
        return true;
    }
  }

  /** Open connections (for tests and the banner). */
  get size(): number {
    return this.connections.size;
  }

  /** Closes every connection (each runs $disconnect) and the server. */
  async close(): Promise<void> {
    for (const connection of this.connections.values()) connection.socket.close(1001, 'Going away');
    await new Promise<void>((resolve) => {
      this.server.close(() => {
        resolve();
      });
    });
  }
}

