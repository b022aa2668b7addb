import type { Money } from '#domain/money';
import { MAIN_STEPS, type OrderRecord, type OrderStatus, type StepName, type StepStatus, COMPENSATION_STEPS } from '#domain/order';
import type { OrderLine, OrderTotals } from '#domain/pricing';

export interface TimelineEntry {
  step: StepName;
  status: StepStatus;
  startedAt: string | null;
  finishedAt: string | null;
  attempts: number;
}

/** What a customer sees at GET /orders/{orderId}. No payment token, no internal keys. */
export interface OrderView {
  orderId: string;
  customerId: string;
  status: OrderStatus;
  createdAt: string;
  updatedAt: string;
  items: OrderLine[];
  totals: OrderTotals;
  total: Money;
  timeline: TimelineEntry[];
  shipment: { carrier: string | null; trackingNumber: string | null; status: string } | null;
  receipt: { available: boolean; status: 'PENDING' | 'AVAILABLE' | 'FAILED' };
  failure: { code: string; message: string; step: string | null } | null;
  /** `updates`: the WebSocket URL with a signed ticket (updates-link.ts), in GET and POST responses only. */
  links: { self: string; receipt: string; updates?: string };
}

/**
 * Maps the stored order to the customer view. The four main steps always appear; compensation
 * steps appear once they have run.
 */
export function toOrderView(order: OrderRecord, basePath: string): OrderView {
  const steps: StepName[] = [...MAIN_STEPS, ...COMPENSATION_STEPS.filter((step) => order.steps[step].attempts > 0)];
  const self = `${basePath}/${order.orderId}`;
  return {
    orderId: order.orderId,
    customerId: order.customerId,
    status: order.status,
    createdAt: order.createdAt,
    updatedAt: order.updatedAt,
    items: order.lines,
    totals: order.totals,
    total: order.totals.total,
    timeline: steps.map((step) => {
      const record = order.steps[step];
      return {
        step,
        status: record.status,
        startedAt: record.startedAt ?? null,
        finishedAt: record.finishedAt ?? null,
        attempts: record.attempts,
      };
    }),
    shipment: order.shipment
      ? { carrier: order.shipment.carrier ?? null, trackingNumber: order.shipment.trackingNumber ?? null, status: order.shipment.status }
      : null,
    receipt: { available: order.receipt?.status === 'AVAILABLE', status: order.receipt?.status ?? 'PENDING' },
    failure: order.failure ? { code: order.failure.code, message: order.failure.message, step: order.failure.step ?? null } : null,
    links: { self, receipt: `${self}/receipt` },
  };
}
