import { isDeepStrictEqual } from 'node:util';
import { crc32 } from 'node:zlib';
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gateStore } from '../storage/store-gate';
import { type AttributeMap, type StreamLogWriter, itemKey } from './stream-log';
import { type DynamoAnswer, transactWrite, transactionItems } from './transactions';

/*
 * DynamoDB Streams for dynalite, which has none: a front in dynalite's own process
 * (local/storage/store-process.ts) that every DynamoDB client of the runtime calls, and that hands
 * each request to dynalite's handler in memory (`DynamoTarget`). For a write to a table with a
 * stream it holds a lock on each item the write touches, reads the item before, forwards the write
 * unchanged, and only if DynamoDB answered 200 takes the item after and appends a record. Why a
 * front rather than patching dynalite: it works on dynalite's answers, so the semantics of
 * conditions, update expressions and transactions stay dynalite's own, and the front knows only
 * which items a request names. The per-item lock makes before/write/after atomic against other
 * writes, so each item's records are in the order its writes took effect. It also answers
 * TransactWriteItems and TransactGetItems, which dynalite lacks (transactions.ts), under the same
 * locks. It runs beside dynalite rather than in the runtime's process so that DynamoDB traffic
 * never crosses the runtime's event loop, and no request makes a second HTTP hop.
 */

/** Dynalite's answer to one request. */
export interface TargetAnswer {
  status: number;
  headers: IncomingMessage['headers'];
  body: Buffer;
}

/** Where the front sends a request: dynalite's handler (in-process-target.ts). */
export type DynamoTarget = (method: string, path: string, headers: IncomingMessage['headers'], payload: Buffer) => Promise<TargetAnswer>;

interface KeyedTable {
  /** The table's stream, when it has one. */
  log?: StreamLogWriter | undefined;
  keyNames: string[];
}

type Operation = 'PutItem' | 'UpdateItem' | 'DeleteItem' | 'BatchWriteItem';
const CAPTURED = new Set<string>(['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem']);

/** One item a write names: its table and key, and its identity (itemKey) for the locks and the known images. */
interface Touched {
  table: KeyedTable;
  tableName: string;
  key: AttributeMap;
  id: string;
}

async function readAll(message: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of message) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The items a write request names on this template's tables (the caller keeps those with a stream). */
function touchedItems(operation: Operation, body: Record<string, unknown>, tables: ReadonlyMap<string, KeyedTable>): Touched[] {
  const keyOf = (table: KeyedTable, item: AttributeMap) => Object.fromEntries(table.keyNames.map((name) => [name, item[name]]));
  const one = (tableName: unknown, key: unknown, item?: unknown): Touched[] => {
    const table = typeof tableName === 'string' ? tables.get(tableName) : undefined;
    if (!table) return [];
    const source = isRecord(item) ? item : isRecord(key) ? key : undefined;
    if (!source) return [];
    const keyAttributes = keyOf(table, source);
    return [{ table, tableName: tableName as string, key: keyAttributes, id: itemKey(tableName as string, keyAttributes) }];
  };
  switch (operation) {
    case 'PutItem':
      return one(body.TableName, undefined, body.Item);
    case 'UpdateItem':
    case 'DeleteItem':
      return one(body.TableName, body.Key);
    case 'BatchWriteItem':
      return Object.entries(isRecord(body.RequestItems) ? body.RequestItems : {}).flatMap(([tableName, requests]) =>
        (Array.isArray(requests) ? requests : []).filter(isRecord).flatMap((entry) =>
          isRecord(entry.PutRequest) ? one(tableName, undefined, entry.PutRequest.Item) : isRecord(entry.DeleteRequest) ? one(tableName, entry.DeleteRequest.Key) : [],
        ),
      );
  }
}

/** Items of a BatchWriteItem that DynamoDB handed back unprocessed (and so did not change), by identity. */
function unprocessed(operation: Operation, answer: Record<string, unknown>, tables: ReadonlyMap<string, KeyedTable>): Set<string> {
  if (operation !== 'BatchWriteItem' || !isRecord(answer.UnprocessedItems)) return new Set();
  // The same shape as the request's RequestItems: a Put hands back its whole item, so each is keyed by the table's key schema.
  return new Set(touchedItems('BatchWriteItem', { RequestItems: answer.UnprocessedItems }, tables).map((item) => item.id));
}

/**
 * How a single-item write can report the item after it without a read: a DeleteItem leaves none,
 * and an UpdateItem whose caller asked for nothing back (or for ALL_NEW) is sent with ReturnValues
 * ALL_NEW, dynalite's own image of the item after the update. `added` when the caller did not ask
 * for it, so the answer is cut back to what it asked for. A PutItem still reads the item after:
 * dynalite normalises numbers ("01.50" is stored as "1.5"), so the request's Item is not the image.
 */
function foldAfterImage(operation: Operation, body: Record<string, unknown>): { payload?: Buffer; added: boolean; after: (answer: Record<string, unknown>) => AttributeMap | undefined } | undefined {
  if (operation === 'DeleteItem') return { added: false, after: () => undefined };
  if (operation !== 'UpdateItem') return undefined;
  const asked = body.ReturnValues ?? 'NONE';
  if (asked !== 'NONE' && asked !== 'ALL_NEW') return undefined;
  const after = (answer: Record<string, unknown>) => (isRecord(answer.Attributes) ? (answer.Attributes as AttributeMap) : undefined);
  return asked === 'ALL_NEW' ? { added: false, after } : { payload: Buffer.from(JSON.stringify({ ...body, ReturnValues: 'ALL_NEW' })), added: true, after };
}

/** The answer without the Attributes the proxy asked for on the caller's behalf. */
function withoutAttributes(answer: Record<string, unknown>): Buffer {
  const { Attributes: _attributes, ...rest } = answer;
  return Buffer.from(JSON.stringify(rest));
}

/** An answer with a new body: its length and the CRC32 the SDK checks DynamoDB answers against follow it. */
function withBody<T extends { headers: IncomingMessage['headers']; body: Buffer }>(answer: T, body: Buffer): T {
  return { ...answer, body, headers: { ...answer.headers, 'content-length': String(body.length), 'x-amz-crc32': String(crc32(body)) } };
}

/** Per-item locks: each item's writes run one after another. */
class ItemLocks {
  private readonly tails = new Map<string, Promise<void>>();

  /** Runs `work` holding every lock in `keys` (taken in sorted order, so two writes never wait on each other). */
  async with<T>(keys: string[], work: () => Promise<T>): Promise<T> {
    const sorted = [...new Set(keys)].sort();
    const releases: (() => void)[] = [];
    for (const key of sorted) {
      const previous = this.tails.get(key) ?? Promise.resolve();
      let release!: () => void;
      const mine = new Promise<void>((resolve) => { release = resolve; });
      const tail = previous.then(() => mine);
      this.tails.set(key, tail);
      releases.push(() => {
        release();
        if (this.tails.get(key) === tail) this.tails.delete(key);
      });
      await previous;
    }
    try {
      return await work();
    } finally {
      for (const release of releases) release();
    }
  }
}

/**
 * The last image the front knows of each item of a table with a stream: every write to those items
 * passes through the front, under the item's lock, so the image a write leaves is the next write's
 * before-image and needs no read. `null` is an item known to be absent. An entry is dropped whenever
 * the outcome of a write is unknown (no answer, an error other than a refusal), and all are on any
 * table-level operation; the oldest go first beyond `limit`.
 */
class ItemImages {
  private readonly images = new Map<string, AttributeMap | null>();

  constructor(private readonly limit: number) {}

  get(key: string): AttributeMap | null | undefined {
    return this.images.get(key);
  }

  set(key: string, image: AttributeMap | undefined): void {
    this.images.delete(key);
    this.images.set(key, image ?? null);
    if (this.images.size > this.limit) {
      const oldest = this.images.keys().next();
      if (!oldest.done) this.images.delete(oldest.value);
    }
  }

  forget(keys: readonly string[]): void {
    for (const key of keys) this.images.delete(key);
  }

  clear(): void {
    this.images.clear();
  }
}

/** Operations that create, delete or change a table: the known images may no longer hold. */
const TABLE_OPERATIONS = new Set(['CreateTable', 'DeleteTable', 'UpdateTable']);

/** A SigV4-shaped Authorization for the proxy's own reads: dynalite's gate wants one, and no local endpoint checks signatures. */
const OWN_AUTHORIZATION = 'AWS4-HMAC-SHA256 Credential=LOCALSTREAMS/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host;x-amz-target, Signature=' + '0'.repeat(64);

export class StreamCaptureProxy {
  private server: Server | undefined;
  private readonly locks = new ItemLocks();
  private readonly images = new ItemImages(10_000);
  private readonly tables = new Map<string, KeyedTable>();

  constructor(
    /** Every table (transactions need the keys of all); those with a stream carry its log. */
    tables: { tableName: string; keyNames: string[]; log?: StreamLogWriter | undefined }[],
    private readonly target: DynamoTarget,
  ) {
    for (const table of tables) this.tables.set(table.tableName, { keyNames: table.keyNames, log: table.log });
  }

  /** Listens on `host` (the runtime's bind address) and resolves with the port. */
  async start(port: number, host: string): Promise<number> {
    // The same gate as dynalite's own (Host, Origin, SigV4): transactions are answered here, never reaching it.
    this.server = createServer(gateStore('dynalite', host, (incoming, outgoing) => {
      void this.handle(incoming, outgoing).catch((error: unknown) => {
        if (!outgoing.headersSent) outgoing.writeHead(500, { 'Content-Type': 'application/x-amz-json-1.0' });
        outgoing.end(JSON.stringify({ __type: 'com.amazonaws.dynamodb.v20120810#InternalServerError', message: `local stream capture: ${String(error)}` }));
      });
    }));
    const server = this.server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, resolve);
    });
    return (server.address() as AddressInfo).port;
  }

  private async handle(incoming: IncomingMessage, outgoing: ServerResponse): Promise<void> {
    const payload = await readAll(incoming);
    const operation = String(incoming.headers['x-amz-target'] ?? '').split('.')[1] ?? '';
    let touched: Touched[] = [];
    let body: Record<string, unknown> = {};
    const parse = () => {
      try {
        const parsed: unknown = JSON.parse(payload.toString('utf8'));
        if (isRecord(parsed)) body = parsed;
      } catch {
        // dynalite (or the transaction below) answers the malformed body.
      }
    };
    if (operation === 'TransactWriteItems' || operation === 'TransactGetItems') {
      parse();
      const answer = operation === 'TransactWriteItems' ? await this.transactWrite(body) : await this.transactGet(body);
      outgoing.writeHead(answer.status, { 'content-type': 'application/x-amz-json-1.0', 'content-length': String(answer.body.length) });
      outgoing.end(answer.body);
      return;
    }
    if (TABLE_OPERATIONS.has(operation)) this.images.clear();
    if (CAPTURED.has(operation)) {
      parse();
      // Writes to tables without a stream pass straight through.
      touched = touchedItems(operation as Operation, body, this.tables).filter((item) => item.table.log);
    }
    if (touched.length === 0) {
      const answer = await this.forward(incoming, payload);
      outgoing.writeHead(answer.status, answer.headers);
      outgoing.end(answer.body);
      return;
    }
    const lockKeys = touched.map((item) => item.id);
    await this.locks.with(lockKeys, async () => {
      const before = await Promise.all(touched.map((item) => this.imageBefore(item)));
      const intents = touched.map((item, index) => item.table.log?.intend(item.key, before[index]));
      // An UpdateItem asks dynalite for the item after it (ReturnValues ALL_NEW) and a DeleteItem
      // leaves none, so neither needs a read after the write: each write cost three dynalite
      // requests, and the pipeline's step updates are most of an order's.
      const folded = touched.length === 1 ? foldAfterImage(operation as Operation, body) : undefined;
      let answer: TargetAnswer;
      try {
        answer = await this.forward(incoming, folded?.payload ?? payload);
      } catch (error) {
        // No answer from dynalite: the write may still have happened, so judge it by the item itself.
        this.images.forget(lockKeys);
        await Promise.all(touched.map(async (item, index) => {
          const now = await this.getItem(item);
          if (!isDeepStrictEqual(before[index], now)) item.table.log?.append({ keys: item.key, oldImage: before[index], newImage: now });
          const intent = intents[index];
          if (intent !== undefined) item.table.log?.settle(intent);
        }));
        throw error;
      }
      if (answer.status === 200) {
        const parsed = JSON.parse(answer.body.toString('utf8') || '{}') as Record<string, unknown>;
        const skipped = unprocessed(operation as Operation, parsed, this.tables);
        const after = folded ? [folded.after(parsed)] : await Promise.all(touched.map((item) => this.getItem(item)));
        if (folded?.added) answer = withBody(answer, withoutAttributes(parsed));
        touched.forEach((item, index) => {
          if (skipped.has(item.id)) return;
          const oldImage = before[index];
          const newImage = after[index];
          this.images.set(item.id, newImage);
          // DynamoDB writes no record for a write that changed nothing: a Put of the identical item,
          // an Update that sets the values already there, a Delete of an absent item.
          if (isDeepStrictEqual(oldImage, newImage)) return;
          item.table.log?.append({ keys: item.key, oldImage, newImage });
        });
      } else if (answer.status !== 400) {
        // A refusal (a failed condition, a validation error) left the items as they were; anything else may not have.
        this.images.forget(lockKeys);
      }
      touched.forEach((item, index) => {
        const intent = intents[index];
        if (intent !== undefined) item.table.log?.settle(intent);
      });
      outgoing.writeHead(answer.status, answer.headers);
      outgoing.end(answer.body);
    });
  }

  private keyOf(tableName: string, source: AttributeMap): AttributeMap | undefined {
    const table = this.tables.get(tableName);
    return table ? Object.fromEntries(table.keyNames.map((name) => [name, source[name]])) : undefined;
  }

  private async transactWrite(body: Record<string, unknown>): Promise<DynamoAnswer> {
    const items = transactionItems(body, (tableName, source) => this.keyOf(tableName, source));
    if (!items) return { status: 400, body: Buffer.from(JSON.stringify({ __type: 'com.amazonaws.dynamodb.v20120810#ValidationException', message: 'TransactItems must each name one Put, Update, Delete or ConditionCheck on a table of this template, with its key' })) };
    const touched: Touched[] = items.map((item) => ({ table: this.tables.get(item.tableName) as KeyedTable, tableName: item.tableName, key: item.key, id: itemKey(item.tableName, item.key) }));
    const lockKeys = touched.map((item) => item.id);
    return this.locks.with(lockKeys, async () => {
      // Transactions read every item (tables without a stream too) and may be undone part-way: the known images are neither used nor trusted after.
      this.images.forget(lockKeys);
      const before = await Promise.all(touched.map((item) => this.getItem(item)));
      const intents = touched.map((item, index) => item.table.log?.intend(item.key, before[index]));
      const settle = () => { touched.forEach((item, index) => {
        const intent = intents[index];
        if (intent !== undefined) item.table.log?.settle(intent);
      }); };
      const answer = await transactWrite((operation, request) => this.send(operation, request), items, before);
      if (answer.status !== 200) {
        settle();
        return answer;
      }
      const after = await Promise.all(touched.map((item, index) => (items[index]?.kind === 'ConditionCheck' ? Promise.resolve(before[index]) : this.getItem(item))));
      touched.forEach((item, index) => {
        // A ConditionCheck changes nothing, and neither does a write of what is already there.
        if (!isDeepStrictEqual(before[index], after[index])) item.table.log?.append({ keys: item.key, oldImage: before[index], newImage: after[index] });
      });
      settle();
      return answer;
    });
  }

  private async transactGet(body: Record<string, unknown>): Promise<DynamoAnswer> {
    const gets = (Array.isArray(body.TransactItems) ? body.TransactItems : []).map((entry) => (isRecord(entry) && isRecord(entry.Get) ? entry.Get : undefined));
    if (gets.length === 0 || gets.length > 100 || gets.some((get) => get === undefined || typeof get.TableName !== 'string' || !isRecord(get.Key))) {
      return { status: 400, body: Buffer.from(JSON.stringify({ __type: 'com.amazonaws.dynamodb.v20120810#ValidationException', message: 'TransactItems must be 1 to 100 Get entries, each with a TableName and Key' })) };
    }
    const requests = gets as Record<string, unknown>[];
    // Under the items' locks, so no transaction through this proxy is seen half applied.
    return this.locks.with(requests.map((get) => itemKey(String(get.TableName), this.keyOf(String(get.TableName), get.Key as AttributeMap) ?? (get.Key as AttributeMap))), async () => {
      const responses: unknown[] = [];
      for (const get of requests) {
        const answer = await this.send('GetItem', { ...get, ConsistentRead: true });
        if (answer.status !== 200) return answer;
        const item = (JSON.parse(answer.body.toString('utf8')) as { Item?: AttributeMap }).Item;
        responses.push(item ? { Item: item } : {});
      }
      return { status: 200, body: Buffer.from(JSON.stringify({ Responses: responses })) };
    });
  }

  /** Appends the records of writes a kill left without one (StreamLog.recover); run before serving. */
  async recover(): Promise<number> {
    let repaired = 0;
    for (const [tableName, table] of this.tables) {
      if (table.log) repaired += await table.log.recover((key) => this.getItem({ table, tableName, key, id: itemKey(tableName, key) }));
    }
    return repaired;
  }

  /** The item before a write: the image the last write through the front left, or a consistent read. */
  private async imageBefore(item: Touched): Promise<AttributeMap | undefined> {
    const known = this.images.get(item.id);
    if (known !== undefined) return known ?? undefined;
    const image = await this.getItem(item);
    this.images.set(item.id, image);
    return image;
  }

  private async getItem(item: Touched): Promise<AttributeMap | undefined> {
    const answer = await this.send('GetItem', { TableName: item.tableName, Key: item.key, ConsistentRead: true });
    if (answer.status !== 200) throw new Error(`reading ${item.tableName} ${JSON.stringify(item.key)} for its stream record: HTTP ${String(answer.status)} ${answer.body.toString('utf8')}`);
    const parsed = JSON.parse(answer.body.toString('utf8')) as { Item?: AttributeMap };
    return parsed.Item;
  }

  private send(operation: string, body: Record<string, unknown>): Promise<TargetAnswer> {
    const payload = Buffer.from(JSON.stringify(body));
    return this.target('POST', '/', {
      'content-type': 'application/x-amz-json-1.0',
      'content-length': String(payload.length),
      'x-amz-target': `DynamoDB_20120810.${operation}`,
      authorization: OWN_AUTHORIZATION,
      'x-amz-date': new Date().toISOString().replace(/[-:]|\.\d{3}/g, ''),
    }, payload);
  }

  private forward(incoming: IncomingMessage, payload: Buffer): Promise<TargetAnswer> {
    return this.target(incoming.method ?? 'POST', incoming.url ?? '/', { ...incoming.headers, 'content-length': String(payload.length) }, payload);
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => {
      if (!this.server) { resolve(); return; }
      this.server.closeAllConnections();
      this.server.close(() => { resolve(); });
    });
  }
}
