import { NetworkError, RequestTimeout, errorFor } from './errors';

/** A request as it will be sent, for a signer to sign. */
export interface SignableRequest {
  method: string;
  url: URL;
  headers: Record<string, string>;
  body: string | undefined;
}

/** Returns the headers to send, signature included (see `@order-processing/client/sigv4`). Called for every attempt. */
export type RequestSigner = (request: SignableRequest) => Promise<Record<string, string>>;

export interface RetryOptions {
  /** Attempts in all, the first included (default 4). */
  maxAttempts: number;
  /** The first backoff's ceiling (default 200 ms); doubles per attempt. */
  baseDelayMs: number;
  /** The ceiling of every backoff (default 5 s). A longer Retry-After is still honoured. */
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryOptions = { maxAttempts: 4, baseDelayMs: 200, maxDelayMs: 5_000 };

/** Told before each retry: why, and how long the client waits first. */
export interface RetryEvent {
  attempt: number;
  delayMs: number;
  reason: 'throttled' | 'unavailable' | 'network' | 'timeout';
  status?: number;
}

export interface TransportOptions {
  baseUrl: string;
  apiKey?: string;
  signer?: RequestSigner;
  timeoutMs: number;
  retry: RetryOptions;
  fetch: typeof fetch;
  random: () => number;
  onRetry?: (event: RetryEvent) => void;
}

export interface SendOptions {
  /** Sent as JSON, with content-type application/json unless the headers name another. */
  body?: unknown;
  /** Sent exactly as given instead (tests of the API's handling of malformed bodies). */
  rawBody?: string;
  headers?: Record<string, string>;
  query?: Record<string, string | number | undefined>;
  signal?: AbortSignal;
  /** Per attempt; defaults to the client's. */
  timeoutMs?: number;
}

/** A decoded response: the status, the headers and the JSON body (or the text when it is not JSON). */
export interface ApiResponse<T> {
  status: number;
  headers: Headers;
  body: T;
}

/** Full jitter: a random wait in [0, min(cap, base·2^(attempt-1))], so clients that failed together do not retry together. */
export function backoffDelay(attempt: number, retry: RetryOptions, random: () => number): number {
  return Math.floor(random() * Math.min(retry.maxDelayMs, retry.baseDelayMs * 2 ** (attempt - 1)));
}

/** Retry-After in milliseconds: delta-seconds or an HTTP-date; undefined when absent or unreadable. */
export function retryAfterMs(value: string | null, now: number = Date.now()): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** Waits, or rejects with the signal's reason as soon as it aborts. */
export function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason as Error);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason as Error);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

const RETRIED_STATUSES = new Map<number, RetryEvent['reason']>([
  [429, 'throttled'],
  [503, 'unavailable'],
]);

/**
 * Sends one API call: signs or keys every attempt, retries 429, 503, network errors and timeouts
 * with capped exponential backoff and full jitter (at least Retry-After when the server sends it),
 * never any other status. Every call of this API is safe to repeat: reads are, and placeOrder always
 * carries an Idempotency-Key. Throws the typed error for a non-2xx answer.
 */
export async function send<T>(transport: TransportOptions, method: string, path: string, options: SendOptions = {}): Promise<ApiResponse<T>> {
  const response = await sendRaw<T>(transport, method, path, options);
  if (response.status >= 200 && response.status < 300) return response;
  throw errorFor(response.status, response.body, response.headers);
}

/** As send, but answers every status that is not retried (after retries, also 429 and 503) instead of throwing for it. */
export async function sendRaw<T>(transport: TransportOptions, method: string, path: string, options: SendOptions = {}): Promise<ApiResponse<T>> {
  const url = new URL(transport.baseUrl.replace(/\/+$/, '') + path);
  for (const [name, value] of Object.entries(options.query ?? {})) {
    if (value !== undefined) url.searchParams.set(name, String(value));
  }
  const body = options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
  const baseHeaders: Record<string, string> = { accept: 'application/json', ...options.headers };
  const named = (name: string) => Object.keys(baseHeaders).some((key) => key.toLowerCase() === name);
  if (options.body !== undefined && !named('content-type')) baseHeaders['content-type'] = 'application/json';
  if (transport.apiKey !== undefined && !named('x-api-key')) baseHeaders['x-api-key'] = transport.apiKey;

  const { maxAttempts } = transport.retry;
  for (let attempt = 1; ; attempt += 1) {
    let retryReason: RetryEvent['reason'];
    let serverDelay: number | undefined;
    let status: number | undefined;
    const timeout = AbortSignal.timeout(options.timeoutMs ?? transport.timeoutMs);
    const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
    try {
      const headers = transport.signer ? await transport.signer({ method, url, headers: { ...baseHeaders }, body }) : baseHeaders;
      const response = await transport.fetch(url, { method, headers, signal, ...(body === undefined ? {} : { body }) });
      const text = await response.text();
      const decoded = decode<T>(text);
      const reason = RETRIED_STATUSES.get(response.status);
      if (reason === undefined || attempt >= maxAttempts) return { status: response.status, headers: response.headers, body: decoded };
      retryReason = reason;
      status = response.status;
      serverDelay = retryAfterMs(response.headers.get('retry-after'));
    } catch (error) {
      if (options.signal?.aborted) throw options.signal.reason as Error;
      if (timeout.aborted) {
        retryReason = 'timeout';
        if (attempt >= maxAttempts) throw new RequestTimeout(`${method} ${path}: no response within ${options.timeoutMs ?? transport.timeoutMs} ms`, { cause: error });
      } else {
        retryReason = 'network';
        if (attempt >= maxAttempts) throw new NetworkError(`${method} ${path}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
      }
    }
    const delayMs = Math.max(serverDelay ?? 0, backoffDelay(attempt, transport.retry, transport.random));
    transport.onRetry?.({ attempt, delayMs, reason: retryReason, ...(status === undefined ? {} : { status }) });
    await sleep(delayMs, options.signal);
  }
}

// T is the body type the caller expects (the API's documented shapes), not checked at run time.
// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters
function decode<T>(text: string): T {
  if (text === '') return undefined as T;
  try {
    return JSON.parse(text) as T;
  } catch {
    return text as T;
  }
}
