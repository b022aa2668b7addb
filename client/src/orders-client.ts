import { OrderFailed, WaitTimeout } from './errors';
import type {
  AdminOrderList,
  AdminOrderView,
  AdminRetryResult,
  OrderAccepted,
  OrderRequest,
  OrderStatus,
  OrderUpdateMessage,
  OrderView,
  Product,
  ProductList,
  ReceiptLinks,
} from './generated/api-types';
import { type ApiResponse, DEFAULT_RETRY, type RequestSigner, type RetryEvent, type RetryOptions, type SendOptions, type TransportOptions, send, sendRaw, sleep } from './transport';

export interface OrdersClientOptions {
  /** The stage URL, e.g. https://abc123.execute-api.us-east-1.amazonaws.com/dev, or http://127.0.0.1:3000 for npm start. */
  baseUrl: string;
  /** The storefront routes' API key (x-api-key). */
  apiKey?: string;
  /** SigV4 signing for the IAM routes: `sigv4Signer()` from `@order-processing/client/sigv4`. */
  signer?: RequestSigner;
  /**
   * Which order routes placeOrder and getOrder use: `storefront` (/orders, API key) or `integrations`
   * (/integrations/orders, IAM). Defaults to integrations with a signer, storefront otherwise.
   */
  routes?: 'storefront' | 'integrations';
  /** Per attempt (default 10 s); placeOrder adds the wait it asks for. */
  timeoutMs?: number;
  /** Backoff settings, or false for a single attempt. */
  retry?: Partial<RetryOptions> | false;
  /** Told before each retry. */
  onRetry?: (event: RetryEvent) => void;
  /** Another fetch (tests, instrumentation). */
  fetch?: typeof fetch;
  /** Another WebSocket constructor (Node before 22). */
  WebSocket?: typeof WebSocket;
  /** The jitter's random source, in [0, 1). */
  random?: () => number;
}

/** Per call: an AbortSignal and a timeout per attempt. */
export interface CallOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
}

export interface PlaceOrderOptions extends CallOptions {
  /**
   * Makes retries safe: the API returns the first order for a repeated key and body. Generated when
   * not given, so the client's own retries after a network error never create a second order; pass
   * your own to make retries across processes (a restarted job) safe too.
   */
  idempotencyKey?: string;
  /** Prefer: wait=N: hold the response up to N seconds (the API caps it at 25) for the outcome. */
  waitSeconds?: number;
}

/** What placeOrder got: the order as accepted (202), or its final view when a wait saw it complete (200). */
export type PlacedOrder = {
  orderId: string;
  idempotencyKey: string;
  /** True when the API answered with the order an earlier POST with this key created. */
  replayed: boolean;
  /** The Location header: the order's path. */
  location: string | null;
} & ({ outcome: 'accepted'; order: OrderAccepted } | { outcome: 'completed'; order: OrderView });

export interface WaitOptions extends CallOptions {
  /** Give up after this long (default 60 s) with WaitTimeout. */
  deadlineMs?: number;
  /** The first pause between reads (default 250 ms); doubles up to maxIntervalMs (default 2 s). */
  intervalMs?: number;
  maxIntervalMs?: number;
  /** Resolve with a FAILED view instead of throwing OrderFailed (default false). */
  resolveFailed?: boolean;
}

export interface AdminOrderQuery extends CallOptions {
  /** Required: each status is its own partition of the byStatus index. */
  status: OrderStatus;
  /** Created at or after (ISO 8601 or a Date). */
  from?: string | Date;
  /** Created before. */
  to?: string | Date;
  limit?: number;
  cursor?: string;
}

export interface SubscribeOptions {
  signal?: AbortSignal;
  /** The order's links.updates, when already known (saves a GET). */
  updatesUrl?: string;
}

const TERMINAL: ReadonlySet<string> = new Set<OrderStatus>(['COMPLETED', 'FAILED']);

/** A v4 UUID from getRandomValues, which (unlike randomUUID) browsers also offer outside secure contexts. */
export function newIdempotencyKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x40;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

const orderPath = (orderId: string) => encodeURIComponent(orderId);
const isoOf = (value: string | Date | undefined) => (value instanceof Date ? value.toISOString() : value);

/** The orders API: storefront (API key), integration and operator (SigV4) routes. */
export class OrdersClient {
  private readonly transport: TransportOptions;
  private readonly ordersBase: string;
  private readonly WebSocketImpl: typeof WebSocket | undefined;

  constructor(options: OrdersClientOptions) {
    if (options.apiKey === undefined && options.signer === undefined) throw new TypeError('OrdersClient needs an apiKey or a signer');
    this.transport = {
      baseUrl: options.baseUrl,
      ...(options.apiKey === undefined ? {} : { apiKey: options.apiKey }),
      ...(options.signer === undefined ? {} : { signer: options.signer }),
      timeoutMs: options.timeoutMs ?? 10_000,
      retry: options.retry === false ? { ...DEFAULT_RETRY, maxAttempts: 1 } : { ...DEFAULT_RETRY, ...options.retry },
      fetch: options.fetch ?? ((input, init) => fetch(input, init)),
      random: options.random ?? Math.random,
      ...(options.onRetry === undefined ? {} : { onRetry: options.onRetry }),
    };
    const routes = options.routes ?? (options.signer ? 'integrations' : 'storefront');
    this.ordersBase = routes === 'integrations' ? '/integrations/orders' : '/orders';
    this.WebSocketImpl = options.WebSocket ?? globalThis.WebSocket;
  }

  /** The catalog (GET /products), so an order can be built from real SKUs. */
  async listProducts(options: CallOptions = {}): Promise<Product[]> {
    return (await send<ProductList>(this.transport, 'GET', '/products', options)).body.products;
  }

  /**
   * Places an order (POST /orders), always with an Idempotency-Key. Resolves with the accepted order,
   * or with its final view when `waitSeconds` saw it complete; throws OrderFailed when the wait saw it
   * fail, ValidationError for a bad request, Conflict for a key reused with another body.
   */
  async placeOrder(request: OrderRequest, options: PlaceOrderOptions = {}): Promise<PlacedOrder> {
    const idempotencyKey = options.idempotencyKey ?? newIdempotencyKey();
    const headers: Record<string, string> = { 'idempotency-key': idempotencyKey };
    if (options.waitSeconds !== undefined) headers.prefer = `wait=${Math.floor(options.waitSeconds)}`;
    const timeoutMs = (options.timeoutMs ?? this.transport.timeoutMs) + (options.waitSeconds ?? 0) * 1000;
    const response = await send<OrderAccepted | OrderView>(this.transport, 'POST', this.ordersBase, { body: request, headers, timeoutMs, ...(options.signal ? { signal: options.signal } : {}) });
    const common = {
      orderId: response.body.orderId,
      idempotencyKey,
      replayed: response.headers.get('idempotent-replayed') === 'true',
      location: response.headers.get('location'),
    };
    return response.status === 200 ? { ...common, outcome: 'completed', order: response.body as OrderView } : { ...common, outcome: 'accepted', order: response.body };
  }

  /** The order's live view (GET /orders/{id}); NotFound for an unknown order or another caller's. */
  async getOrder(orderId: string, options: CallOptions = {}): Promise<OrderView> {
    return (await send<OrderView>(this.transport, 'GET', `${this.ordersBase}/${orderPath(orderId)}`, options)).body;
  }

  /**
   * Polls the order until it is COMPLETED (resolves with the view) or FAILED (throws OrderFailed,
   * or resolves with `resolveFailed`), backing off between reads; WaitTimeout at the deadline.
   */
  async waitForOrder(orderId: string, options: WaitOptions = {}): Promise<OrderView> {
    const deadline = Date.now() + (options.deadlineMs ?? 60_000);
    let interval = options.intervalMs ?? 250;
    let last: OrderView | undefined;
    const call: CallOptions = { ...(options.signal ? { signal: options.signal } : {}), ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }) };
    for (;;) {
      last = await this.getOrder(orderId, call);
      if (last.status === 'COMPLETED') return last;
      if (last.status === 'FAILED') {
        if (options.resolveFailed) return last;
        throw new OrderFailed(last);
      }
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw new WaitTimeout(last);
      await sleep(Math.min(interval, remaining), options.signal);
      interval = Math.min(interval * 2, options.maxIntervalMs ?? 2_000);
    }
  }

  /** Presigned links to the receipt (GET /orders/{id}/receipt); Conflict until it exists. */
  async getReceipt(orderId: string, options: CallOptions = {}): Promise<ReceiptLinks> {
    return (await send<ReceiptLinks>(this.transport, 'GET', `/orders/${orderPath(orderId)}/receipt`, options)).body;
  }

  /** Operators: one page of orders of every owner, newest first (GET /admin/orders). */
  async listAdminOrders(query: AdminOrderQuery): Promise<AdminOrderList> {
    const { signal, timeoutMs, ...filters } = query;
    const options: SendOptions = {
      query: { status: filters.status, from: isoOf(filters.from), to: isoOf(filters.to), limit: filters.limit, cursor: filters.cursor },
      ...(signal ? { signal } : {}),
      ...(timeoutMs === undefined ? {} : { timeoutMs }),
    };
    return (await send<AdminOrderList>(this.transport, 'GET', '/admin/orders', options)).body;
  }

  /** Operators: every order matching the query, page after page, following the cursor. */
  async *adminOrders(query: Omit<AdminOrderQuery, 'cursor'>): AsyncGenerator<AdminOrderList['orders'][number], void, undefined> {
    let cursor: string | null = null;
    do {
      const page: AdminOrderList = await this.listAdminOrders({ ...query, ...(cursor === null ? {} : { cursor }) });
      yield* page.orders;
      cursor = page.nextCursor;
    } while (cursor !== null);
  }

  /** Operators: any order with its timeline and execution ARN (GET /admin/orders/{id}). */
  async getAdminOrder(orderId: string, options: CallOptions = {}): Promise<AdminOrderView> {
    return (await send<AdminOrderView>(this.transport, 'GET', `/admin/orders/${orderPath(orderId)}`, options)).body;
  }

  /** Operators: redrive a stuck order's execution (POST /admin/orders/{id}/retry); Conflict when it is not retryable. */
  async retryAdminOrder(orderId: string, options: CallOptions = {}): Promise<AdminRetryResult> {
    return (await send<AdminRetryResult>(this.transport, 'POST', `/admin/orders/${orderPath(orderId)}/retry`, options)).body;
  }

  /**
   * Live views of one order over its links.updates WebSocket: the current view first, then one per
   * change, ending after the terminal view when the server closes. Views older than one already
   * yielded are dropped (the server may repeat a view). Stop early with `break` or the signal.
   */
  async *subscribe(orderId: string, options: SubscribeOptions = {}): AsyncGenerator<OrderView, void, undefined> {
    const Socket = this.WebSocketImpl;
    if (!Socket) throw new TypeError('No WebSocket implementation: pass options.WebSocket (Node 22+ and browsers have one)');
    const url = options.updatesUrl ?? (await this.getOrder(orderId, options.signal ? { signal: options.signal } : {})).links.updates;
    if (!url) throw new Error(`Order ${orderId} has no live updates link (links.updates)`);

    const queue: OrderView[] = [];
    let ended: { error?: Error } | undefined;
    let wake: (() => void) | undefined;
    const notify = () => {
      wake?.();
      wake = undefined;
    };
    const socket = new Socket(url);
    let lastUpdatedAt = '';
    let lastStatus: string | undefined;
    socket.addEventListener('open', () => {
      socket.send(JSON.stringify({ action: 'snapshot' }));
    });
    socket.addEventListener('message', (event: MessageEvent) => {
      // Anything but an order message (a future message type, a malformed frame) is skipped.
      let message: Partial<OrderUpdateMessage>;
      try {
        message = JSON.parse(String(event.data)) as Partial<OrderUpdateMessage>;
      } catch {
        return;
      }
      if (message.type !== 'order' || !message.order || message.order.orderId !== orderId || message.order.updatedAt < lastUpdatedAt) return;
      lastUpdatedAt = message.order.updatedAt;
      lastStatus = message.order.status;
      queue.push(message.order);
      notify();
    });
    socket.addEventListener('close', (event: CloseEvent) => {
      const clean = event.code === 1000 || (lastStatus !== undefined && TERMINAL.has(lastStatus));
      ended = clean ? {} : { error: new Error(`Live updates of ${orderId} closed before the order was terminal (code ${event.code}${event.reason ? `: ${event.reason}` : ''})`) };
      notify();
    });
    const onAbort = () => {
      socket.close(1000);
    };
    options.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      for (;;) {
        const next = queue.shift();
        if (next) {
          yield next;
          continue;
        }
        if (options.signal?.aborted) throw options.signal.reason as Error;
        if (ended) {
          if (ended.error) throw ended.error;
          return;
        }
        await new Promise<void>((resolve) => (wake = resolve));
      }
    } finally {
      options.signal?.removeEventListener('abort', onAbort);
      if (socket.readyState === Socket.CONNECTING || socket.readyState === Socket.OPEN) socket.close(1000);
    }
  }

  /**
   * Any call, answered whatever its status (after the usual retries), for callers that assert on raw
   * answers: tests of the API itself. Every other caller should use the typed operations. The body is
   * the answer's JSON (assumed an object unless T says otherwise), its text when not JSON.
   */
  request<T = Record<string, unknown>>(method: string, path: string, options: SendOptions = {}): Promise<ApiResponse<T>> {
    return sendRaw<T>(this.transport, method, path, options);
  }
}
