import { progress, quantile } from '../../tests/support/report';

/** What one concurrency level measured. */
export interface LevelResult {
  concurrency: number;
  seconds: number;
  /** Orders whose execution ended inside the window, and how many of those failed. */
  completed: number;
  failed: number;
  ordersPerSecond: number;
  postMs: { p50: number; p99: number };
  completedMs: { p50: number; p99: number };
  get?: { requestsPerSecond: number; p99Ms: number };
}

export interface OrderDriver {
  /** Places one order; resolves with its id once the POST is answered with 202. */
  place(): Promise<string>;
  /** Resolves with SUCCEEDED or FAILED when the order's execution ends. */
  completion(orderId: string): Promise<string>;
}

const round = (value: number) => Math.round(value * 10) / 10;

/**
 * `concurrency` customers, each placing an order and waiting for it to finish before the next,
 * for `seconds`. Closed-loop on completion, so the orders in flight stay at `concurrency` and the
 * completion rate is what the system sustains, not how fast a backlog can be queued.
 */
export async function closedLoop(label: string, driver: OrderDriver, concurrency: number, seconds: number): Promise<LevelResult> {
  const started = performance.now();
  const deadline = started + seconds * 1000;
  const post: number[] = [];
  const completion: number[] = [];
  let completed = 0;
  let failed = 0;
  const ticker = setInterval(() => {
    const elapsed = (performance.now() - started) / 1000;
    progress(`${label} c=${String(concurrency)}: ${String(completed)} completed in ${elapsed.toFixed(0)} s (${(completed / elapsed).toFixed(0)}/s)`);
  }, 5000);
  const customer = async () => {
    while (performance.now() < deadline) {
      const sent = performance.now();
      const orderId = await driver.place();
      post.push(performance.now() - sent);
      const status = await driver.completion(orderId);
      const ended = performance.now();
      if (ended > deadline) break; // finished after the window: not counted
      completed += 1;
      if (status !== 'SUCCEEDED') failed += 1;
      completion.push(ended - sent);
    }
  };
  try {
    await Promise.all(Array.from({ length: concurrency }, customer));
  } finally {
    clearInterval(ticker);
  }
  return {
    concurrency,
    seconds,
    completed,
    failed,
    ordersPerSecond: round(completed / seconds),
    postMs: { p50: round(quantile(post, 0.5)), p99: round(quantile(post, 0.99)) },
    completedMs: { p50: round(quantile(completion, 0.5)), p99: round(quantile(completion, 0.99)) },
  };
}

/** `concurrency` readers calling `read` back to back for `seconds`: requests per second and p99. */
export async function readLoop(read: () => Promise<void>, concurrency: number, seconds: number): Promise<{ requestsPerSecond: number; p99Ms: number }> {
  const deadline = performance.now() + seconds * 1000;
  const latencies: number[] = [];
  const reader = async () => {
    while (performance.now() < deadline) {
      const sent = performance.now();
      await read();
      latencies.push(performance.now() - sent);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, reader));
  return { requestsPerSecond: Math.round(latencies.length / seconds), p99Ms: round(quantile(latencies, 0.99)) };
}
