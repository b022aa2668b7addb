import { type ApiSettings, endpoint } from '#api/endpoint';
import { internalError, json, ordersBasePath, problem } from '#api/http';
import { toOrderView } from '#api/order-view';
import { type UpdatesLinks, withUpdatesLink } from '#api/updates-link';
import { OrderNotSellable } from '#domain/pricing';
import { logger } from '#platform/powertools';
import { IdempotencyConflict, type PlaceOrderDependencies, SubmissionFailed, placeOrder, waitForOutcome } from './place-order';
import { parseCreateOrder } from './request';

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
        return json(422, { message: view.failure?.message ?? 'The order failed', ...view }, headers);
      }
    }
    const accepted = { orderId: order.orderId, status: order.status, total: order.totals.total, links: { self, receipt: `${self}/receipt` } };
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
