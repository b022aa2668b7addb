import { Agent, type IncomingMessage, type Server, type ServerResponse, createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What went through a metering proxy: requests by operation, and DynamoDB capacity units by table. */
export interface MeterReading {
  requests: Record<string, number>;
  /** DynamoDB only: read and write capacity units consumed, by table, as DynamoDB reports them. */
  capacity: Record<string, { read: number; write: number }>;
  /** DynamoDB only: requests by table (item operations, Query and Scan; anything else under `(other)`). */
  requestsByTable: Record<string, number>;
}

const DYNAMODB_READS = new Set(['GetItem', 'Query', 'Scan', 'BatchGetItem', 'TransactGetItems']);
const DYNAMODB_METERED = new Set(['GetItem', 'PutItem', 'UpdateItem', 'DeleteItem', 'Query', 'Scan']);

async function body(message: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of message) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/**
 * An HTTP pass-through in front of dynalite or s3rver (`npm start -- --meter`, used by `npm run
 * cost`) that counts what the functions ask of the store. For DynamoDB it asks for
 * ReturnConsumedCapacity=TOTAL on item operations and adds up the capacity units dynalite reports
 * (computed from item sizes with DynamoDB's 1 KB write / 4 KB read rounding); a failed
 * conditional write is charged the 1 WRU minimum, as DynamoDB charges it. Responses pass unchanged.
 */
export class MeteringProxy {
  private server: Server | undefined;
  private readonly agent = new Agent({ keepAlive: true });
  private reading: MeterReading = { requests: {}, capacity: {}, requestsByTable: {} };

  constructor(
    private readonly kind: 'dynamodb' | 's3',
    private readonly targetPort: number,
    /** Where the store listens (its bind address, or loopback for a wildcard bind). */
    private readonly targetHost = '127.0.0.1',
  ) {}

  async start(): Promise<string> {
    this.server = createServer((incoming, outgoing) => {
      void this.forward(incoming, outgoing).catch(() => {
        if (!outgoing.headersSent) outgoing.writeHead(502);
        outgoing.end();
      });
    });
    const server = this.server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`;
  }

  private count(operation: string): void {
    this.reading.requests[operation] = (this.reading.requests[operation] ?? 0) + 1;
  }

  private async forward(incoming: IncomingMessage, outgoing: ServerResponse): Promise<void> {
    let payload = await body(incoming);
    const headers = { ...incoming.headers };
    let operation: string;
    let table: string | undefined;
    if (this.kind === 'dynamodb') {
      operation = String(headers['x-amz-target'] ?? '').split('.')[1] ?? 'Unknown';
      if (DYNAMODB_METERED.has(operation)) {
        const parsed = JSON.parse(payload.toString('utf8')) as { TableName?: string; ReturnConsumedCapacity?: string };
        table = parsed.TableName;
        if (parsed.ReturnConsumedCapacity === undefined) {
          payload = Buffer.from(JSON.stringify({ ...parsed, ReturnConsumedCapacity: 'TOTAL' }));
          headers['content-length'] = String(payload.length);
        }
      }
    } else {
      const path = new URL(incoming.url ?? '/', 'http://local').pathname;
      const isObject = path.split('/').filter(Boolean).length > 1;
      operation = `${incoming.method ?? 'GET'} ${isObject ? 'object' : 'bucket'}`;
    }
    this.count(operation);
    if (this.kind === 'dynamodb') this.reading.requestsByTable[table ?? '(other)'] = (this.reading.requestsByTable[table ?? '(other)'] ?? 0) + 1;
    const response = await new Promise<IncomingMessage>((resolve, reject) => {
      const upstream = request({ host: this.targetHost, port: this.targetPort, method: incoming.method, path: incoming.url, headers, agent: this.agent }, resolve);
      upstream.on('error', reject);
      upstream.end(payload);
    });
    const answer = await body(response);
    if (table) this.meterCapacity(operation, table, response.statusCode ?? 0, answer);
    outgoing.writeHead(response.statusCode ?? 502, response.headers);
    outgoing.end(answer);
  }

  private meterCapacity(operation: string, table: string, status: number, answer: Buffer): void {
    const read = DYNAMODB_READS.has(operation);
    let units = 0;
    if (status === 200) {
      const parsed = JSON.parse(answer.toString('utf8')) as { ConsumedCapacity?: { CapacityUnits?: number } };
      units = parsed.ConsumedCapacity?.CapacityUnits ?? 0;
    } else if (!read && answer.toString('utf8').includes('ConditionalCheckFailedException')) {
      units = 1;
    }
    const entry = (this.reading.capacity[table] ??= { read: 0, write: 0 });
    if (read) entry.read += units;
    else entry.write += units;
  }

  /** Everything counted since the start (or the last reset). */
  read(): MeterReading {
    return structuredClone(this.reading);
  }

  reset(): void {
    this.reading = { requests: {}, capacity: {}, requestsByTable: {} };
  }

  async close(): Promise<void> {
    this.agent.destroy();
    await new Promise<void>((resolve) => {
      if (this.server) {
        this.server.closeAllConnections();
        this.server.close(() => { resolve(); });
      } else resolve();
    });
  }
}
