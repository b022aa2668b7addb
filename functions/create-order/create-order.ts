import { type ApiSettings, endpoint } from '#api/endpoint';
import { internalError, json, ordersBasePath, problem } from '#api/http';
import { type OrderView, toOrderView } from '#api/order-view';
import { type UpdatesLinks, withUpdatesLink } from '#api/updates-link';
import type { Money } from '#domain/money';
import type { OrderStatus } from '#domain/order';
import { OrderNotSellable } from '#domain/pricing';
import { logger } from '#platform/powertools';
import { IdempotencyConflict, type PlaceOrderDependencies, SubmissionFailed, placeOrder, waitForOutcome } from './place-order';
import { parseCreateOrder } from './request';

/** The 202 body of POST /orders: the order was recorded and its workflow started. */
export interface OrderAccepted {
  orderId: string;
  status: OrderStatus;
  total: Money;
  /** `updates`: the WebSocket URL with a signed ticket, when live updates are available. */
  links: { self: string; receipt: string; updates?: string };
}

/** The 422 body of POST /orders with Prefer: wait when the order failed within the wait: the message and the whole view. */
export type OrderFailedBody = { message: string } & OrderView;

export interface CreateOrderDependencies extends PlaceOrderDependencies {
  api: ApiSettings;
  updates: UpdatesLinks;
}

/** POST /orders: validate, price, record, start the workflow; optionally wait for the outcome. */
export const createOrder = endpoint(async (deps: CreateOrderDependencies, event, apiKeyId) => {
  const parsed = parseCreateOrder(event);
  if (!parsed.ok) return problem(parsed.statusCode, parsed.message, parsed.errors);

  try {
    const { order, replayed } = await placeOrder(deps, {
      apiKeyId,
      request: parsed.request,
      ...(parsed.idempotencyKey === undefined ? {} : { idempotencyKey: parsed.idempotencyKey }),
    });
    logger.appendKeys({ orderId: order.orderId });
    logger.info(replayed ? 'Order replayed for an Idempotency-Key' : 'Order accepted', { total: order.totals.total, lines: order.lines.length });

    const base = ordersBasePath(event);
    const self = `${base}/${order.orderId}`;
    const headers: Record<string, string> = { Location: self, ...(replayed ? { 'Idempotent-Replayed': 'true' } : {}) };
    if (parsed.waitSeconds > 0) {
      headers['Preference-Applied'] = `wait=${parsed.waitSeconds}`;
      const final = await waitForOutcome(deps.orders, order.orderId, parsed.waitSeconds * 1000);
      if (final?.status === 'COMPLETED') return json(200, withUpdatesLink(toOrderView(final, base), await deps.updates.linkFor(final)), headers);
      if (final?.status === 'FAILED') {
        const view = withUpdatesLink(toOrderView(final, base), await deps.updates.linkFor(final));
        const body: OrderFailedBody = { message: view.failure?.message ?? 'The order failed', ...view };
        return json(422, body, headers);
      }
    }
    const accepted: OrderAccepted = { orderId: order.orderId, status: order.status, total: order.totals.total, links: { self, receipt: `${self}/receipt` } };
    return json(202, withUpdatesLink(accepted, await deps.updates.linkFor(order)), headers);
  } catch (error) {
    if (error instanceof OrderNotSellable) return problem(422, error.message, error.errors);
    if (error instanceof IdempotencyConflict) return problem(409, error.message);
    if (error instanceof SubmissionFailed) {
      logger.error('Workflow start failed', { error: error.cause instanceof Error ? error.cause.message : String(error.cause) });
      return problem(503, error.message);
    }
    return internalError(error);
  }
});
