import { type OrderRecord, isTerminal, pendingSteps } from '#domain/order';
import { newOrderId, sha256 } from '#domain/order-ids';
import type { OrderRequest } from '#domain/order-request';
import { priceOrder } from '#domain/pricing';
import type { BusinessMetrics } from '#ports/business-metrics';
import type { OrderRepository } from '#ports/order-repository';
import type { OrderWorkflow } from '#ports/order-workflow';

/** The Idempotency-Key was used before with a different body: HTTP 409. */
export class IdempotencyConflict extends Error {
  override name = 'IdempotencyConflict';
}

/** The order was recorded but its workflow could not be started: HTTP 503. */
export class SubmissionFailed extends Error {
  override name = 'SubmissionFailed';
}

export interface PlaceOrderDependencies {
  orders: OrderRepository;
  workflow: OrderWorkflow;
  metrics: BusinessMetrics;
  now: () => Date;
}

export interface PlaceOrderCommand {
  apiKeyId: string;
  request: OrderRequest;
  idempotencyKey?: string;
}

/** A RECEIVED order record for a validated request, priced from the catalog (throws OrderNotSellable). */
export function newOrderRecord(orderId: string, command: PlaceOrderCommand, at: Date): OrderRecord {
  const priced = priceOrder(command.request);
  const now = at.toISOString();
  return {
    orderId,
    ownerApiKeyId: command.apiKeyId,
    customerId: command.request.customerId,
    status: 'RECEIVED',
    createdAt: now,
    updatedAt: now,
    currency: priced.currency,
    lines: priced.lines,
    totals: priced.totals,
    shippingAddress: command.request.shippingAddress,
    paymentToken: command.request.payment.token,
    requestHash: sha256(JSON.stringify(command.request)),
    ...(command.idempotencyKey === undefined ? {} : { idempotencyKey: command.idempotencyKey }),
    steps: pendingSteps(),
  };
}

/**
 * Prices and records an order, then starts its workflow. With an idempotency key, a replay of
 * the same body returns the first order (restarting its workflow if that never happened), and
 * concurrent duplicates converge on one item and one execution.
 */
export async function placeOrder(deps: PlaceOrderDependencies, command: PlaceOrderCommand): Promise<{ order: OrderRecord; replayed: boolean }> {
  const orderId = newOrderId(command.apiKeyId, command.idempotencyKey);
  const fresh = newOrderRecord(orderId, command, deps.now());

  let order = fresh;
  const replayed = (await deps.orders.create(fresh)) === 'exists';
  if (replayed) {
    const existing = await deps.orders.get(orderId);
    if (!existing) throw new Error(`Order ${orderId} reported as existing but not found`);
    if (existing.requestHash !== fresh.requestHash) {
      throw new IdempotencyConflict('This Idempotency-Key was already used with a different request body');
    }
    order = existing;
    if (existing.status !== 'RECEIVED') return { order, replayed };
  } else {
    deps.metrics.orderCreated();
  }

  try {
    await deps.workflow.start(orderId);
  } catch (error) {
    // Without a key the client cannot retry this order, so close it visibly instead of leaving it RECEIVED.
    if (command.idempotencyKey === undefined) {
      await deps.orders.failSubmission(orderId, { code: 'SUBMISSION_FAILED', message: 'The order could not be submitted for processing' }, deps.now());
    }
    const advice =
      command.idempotencyKey === undefined
        ? 'it was closed as FAILED; place it again'
        : 'retry with the same Idempotency-Key to resume it';
    throw new SubmissionFailed(`The order could not be submitted for processing; ${advice}`, { cause: error });
  }
  return { order, replayed };
}

/**
 * Polls the order until it is terminal or the deadline passes (Prefer: wait=N). Returns the last
 * state read. Backs off from 100 ms to 1 s between reads.
 */
export async function waitForOutcome(
  orders: Pick<OrderRepository, 'get'>,
  orderId: string,
  waitMs: number,
  sleep: (ms: number) => Promise<void> = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  clock: () => number = Date.now,
): Promise<OrderRecord | undefined> {
  const deadline = clock() + waitMs;
  let delay = 100;
  for (;;) {
    const order = await orders.get(orderId);
    const remaining = deadline - clock();
    if (!order || isTerminal(order.status) || remaining <= 0) return order;
    await sleep(Math.min(delay, remaining));
    delay = Math.min(delay * 2, 1000);
  }
}
