import { failedStepOf } from './failure-messages';
import type { Money } from './money';
import { COMPENSATION_STEPS, type OrderRecord, type OrderStatus, type StepName } from './order';
import { sha256 } from './order-ids';
import type { OrderTotals } from './pricing';

/*
 * Domain events, computed from the old and new images of an order write (the orders table's
 * stream), never published by the steps themselves: a step that wrote and then failed to publish
 * would lose the event. Every event is edge-triggered: it fires on the write where its condition
 * starts to hold, so a write that changes nothing that matters (a retry's attempt count, a
 * duplicate step invocation) yields nothing, and redelivered records yield the same events with
 * the same ids.
 */

export const DETAIL_TYPES = [
  'OrderPlaced',
  'PaymentAuthorized',
  'ShipmentCreated',
  'PaymentCaptured',
  'CompensationStarted',
  'ReceiptReady',
  'OrderCompleted',
  'OrderFailed',
] as const;
export type DetailType = (typeof DETAIL_TYPES)[number];

/** The detail contract's version; a breaking change publishes "2" beside "1". */
export const EVENT_VERSION = '1';

/** Failure code of OrderFailed when a compensation step failed for good (the error a compensation Task fails the execution with). */
export const COMPENSATION_FAILED = 'CompensationFailed';

/** Fields every event's detail carries. Never a payment token, card data or an address. */
export interface OrderEventDetailBase {
  version: typeof EVENT_VERSION;
  /** Deterministic: the same transition always gets the same id. Consumers dedupe on it. */
  eventId: string;
  orderId: string;
  customerId: string;
  /** API Gateway key id of the client that placed the order (an id, not the key). */
  ownerApiKeyId: string;
  /** The order's status after the write. */
  status: OrderStatus;
  occurredAt: string;
  totals: OrderTotals;
}

export interface OrderEventDetails {
  OrderPlaced: { lines: { sku: string; name: string; quantity: number; unitPrice: Money; lineTotal: Money }[] };
  PaymentAuthorized: { payment: { authorizationId: string; amount: Money } };
  ShipmentCreated: { shipment: { shipmentId: string; carrier: string; trackingNumber: string } };
  PaymentCaptured: { payment: { authorizationId: string; captureId: string; amount: Money } };
  CompensationStarted: { compensation: { failedStep?: StepName } };
  ReceiptReady: { receipt: { htmlKey: string } };
  OrderCompleted: { receipt: { status: 'AVAILABLE' | 'FAILED' } };
  OrderFailed: { failure: { code: string; message: string; step?: StepName } };
}

export type OrderEventDetail<T extends DetailType = DetailType> = OrderEventDetailBase & OrderEventDetails[T];

/** One domain event, ready for a bus: its detail-type, its time and its detail. */
export interface OrderEvent<T extends DetailType = DetailType> {
  detailType: T;
  time: string;
  detail: OrderEventDetail<T>;
}

/** An order write as the stream delivers it: either image may be missing (insert, delete). */
export interface OrderChange {
  oldOrder?: OrderRecord;
  newOrder?: OrderRecord;
}

interface EventRule<T extends DetailType = DetailType> {
  detailType: T;
  /** The condition whose start is the event. */
  holds: (order: OrderRecord) => boolean;
  /** What tells two events of this type apart for one order (empty when it happens once per order). */
  discriminator: (order: OrderRecord) => string;
  detail: (order: OrderRecord) => OrderEventDetails[T];
}

/**
 * Each status is entered once (STEP_RULES only move an order forward), and entering it is the
 * event. Typed over every OrderStatus, so a new status cannot be added without deciding its event.
 */
export const STATUS_EVENTS = {
  RECEIVED: 'OrderPlaced',
  PAYMENT_AUTHORIZED: 'PaymentAuthorized',
  SHIPPED: 'ShipmentCreated',
  PAYMENT_CAPTURED: 'PaymentCaptured',
  CANCELLING: 'CompensationStarted',
  COMPLETED: 'OrderCompleted',
  FAILED: 'OrderFailed',
} as const satisfies Record<OrderStatus, DetailType>;

/** A value the order must hold once its status says so; a missing one is a broken record, not an event to guess. */
function recorded<T>(value: T | undefined, what: string, order: OrderRecord): T {
  if (value === undefined) throw new Error(`Order ${order.orderId} is ${order.status} but has no ${what}`);
  return value;
}

const once = (): string => '';

const DETAILS: { [T in DetailType]: (order: OrderRecord) => OrderEventDetails[T] } = {
  OrderPlaced: (order) => ({
    lines: order.lines.map(({ sku, name, quantity, unitPrice, lineTotal }) => ({ sku, name, quantity, unitPrice, lineTotal })),
  }),
  PaymentAuthorized: (order) => {
    const payment = recorded(order.payment, 'payment', order);
    return { payment: { authorizationId: recorded(payment.authorizationId, 'authorization id', order), amount: payment.amount } };
  },
  ShipmentCreated: (order) => {
    const shipment = recorded(order.shipment, 'shipment', order);
    return {
      shipment: {
        shipmentId: recorded(shipment.shipmentId, 'shipment id', order),
        carrier: recorded(shipment.carrier, 'carrier', order),
        trackingNumber: recorded(shipment.trackingNumber, 'tracking number', order),
      },
    };
  },
  PaymentCaptured: (order) => {
    const payment = recorded(order.payment, 'payment', order);
    return {
      payment: {
        authorizationId: recorded(payment.authorizationId, 'authorization id', order),
        captureId: recorded(payment.captureId, 'capture id', order),
        amount: payment.amount,
      },
    };
  },
  CompensationStarted: (order) => {
    const failedStep = failedStepOf(order);
    return { compensation: failedStep === undefined ? {} : { failedStep } };
  },
  ReceiptReady: (order) => {
    const receipt = recorded(order.receipt, 'receipt', order);
    return { receipt: { htmlKey: recorded(receipt.htmlKey, 'receipt html key', order) } };
  },
  OrderCompleted: (order) => ({ receipt: { status: order.receipt?.status ?? 'AVAILABLE' } }),
  OrderFailed: (order) => {
    const failure = recorded(order.failure, 'failure', order);
    return { failure: { code: failure.code, message: failure.message, ...(failure.step === undefined ? {} : { step: failure.step }) } };
  },
};

const COMPENSATION_FAILED_MESSAGE = 'A compensation step failed after all retries; the order needs an operator.';

/**
 * A compensation that failed for good: its record turns FAILED only on a permanent error, which the
 * ASL does not retry (a transient one is recorded RETRYING; see docs/domain-events.md for that gap).
 */
function compensationFailedRule(step: StepName): EventRule<'OrderFailed'> {
  return {
    detailType: 'OrderFailed',
    holds: (order) => order.steps[step].status === 'FAILED',
    discriminator: (order) => `${COMPENSATION_FAILED}|${step}|${order.steps[step].finishedAt ?? ''}`,
    detail: () => ({ failure: { code: COMPENSATION_FAILED, message: COMPENSATION_FAILED_MESSAGE, step } }),
  };
}

function statusRule(status: OrderStatus): EventRule {
  const detailType = STATUS_EVENTS[status];
  return {
    detailType,
    holds: (order) => order.status === status,
    // An order fails once, but a redriven saga may fail it again with another code.
    discriminator: detailType === 'OrderFailed' ? (order) => order.failure?.code ?? '' : once,
    detail: DETAILS[detailType],
  };
}

/**
 * Every rule, in the order its events are published when one write starts several: the receipt is
 * ready before the order completes.
 */
export const EVENT_RULES: readonly EventRule[] = [
  statusRule('RECEIVED'),
  statusRule('PAYMENT_AUTHORIZED'),
  statusRule('SHIPPED'),
  statusRule('PAYMENT_CAPTURED'),
  statusRule('CANCELLING'),
  ...COMPENSATION_STEPS.map(compensationFailedRule),
  { detailType: 'ReceiptReady', holds: (order) => order.receipt?.status === 'AVAILABLE', discriminator: once, detail: DETAILS.ReceiptReady },
  statusRule('COMPLETED'),
  statusRule('FAILED'),
];

/** The deterministic id of one transition of one order: a redelivered stream record yields the same id. */
export function eventIdOf(orderId: string, detailType: DetailType, discriminator: string): string {
  return `evt_${sha256(`${orderId}\u0000${detailType}\u0000${discriminator}`).slice(0, 32)}`;
}

/** The domain events one order write starts, in publishing order; none for a delete or a write that changes nothing that matters. */
export function orderEvents({ oldOrder, newOrder }: OrderChange): OrderEvent[] {
  if (!newOrder) return [];
  return EVENT_RULES.filter((rule) => rule.holds(newOrder) && !(oldOrder && rule.holds(oldOrder))).map((rule) => ({
    detailType: rule.detailType,
    time: newOrder.updatedAt,
    detail: {
      version: EVENT_VERSION,
      eventId: eventIdOf(newOrder.orderId, rule.detailType, rule.discriminator(newOrder)),
      orderId: newOrder.orderId,
      customerId: newOrder.customerId,
      ownerApiKeyId: newOrder.ownerApiKeyId,
      status: newOrder.status,
      occurredAt: newOrder.updatedAt,
      totals: newOrder.totals,
      ...rule.detail(newOrder),
    },
  }));
}
