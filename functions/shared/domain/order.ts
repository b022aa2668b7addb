import type { Money } from './money';
import type { OrderLine, OrderTotals } from './pricing';
import type { OrderRequest } from './order-request';

/**
 * State names of statemachine/order-processing.asl.json. They are a contract: the order's
 * step timeline, the tests and the operator views all refer to states by these names.
 */
export const MAIN_STEPS = ['Authorize Payment', 'Create Shipment', 'Capture Payment', 'Generate Receipt'] as const;
export const COMPENSATION_STEPS = ['Cancel Shipment', 'Void Payment'] as const;
export const ALL_STEPS = [...MAIN_STEPS, ...COMPENSATION_STEPS] as const;
export type StepName = (typeof ALL_STEPS)[number];

export type OrderStatus =
  | 'RECEIVED'
  | 'PAYMENT_AUTHORIZED'
  | 'SHIPPED'
  | 'PAYMENT_CAPTURED'
  | 'COMPLETED'
  | 'CANCELLING'
  | 'FAILED';

export const ALL_ORDER_STATUSES: readonly OrderStatus[] = ['RECEIVED', 'PAYMENT_AUTHORIZED', 'SHIPPED', 'PAYMENT_CAPTURED', 'COMPLETED', 'CANCELLING', 'FAILED'];
export const TERMINAL_STATUSES: readonly OrderStatus[] = ['COMPLETED', 'FAILED'];
const OPEN_STATUSES: readonly OrderStatus[] = ['RECEIVED', 'PAYMENT_AUTHORIZED', 'SHIPPED', 'PAYMENT_CAPTURED', 'CANCELLING'];

export type StepStatus = 'PENDING' | 'RUNNING' | 'RETRYING' | 'SUCCEEDED' | 'FAILED';

export interface StepRecord {
  status: StepStatus;
  attempts: number;
  startedAt?: string;
  finishedAt?: string;
  error?: { code: string; message: string };
}

export interface FailureRecord {
  code: string;
  message: string;
  step?: StepName;
}

/** The order item in the orders table. The single source of truth for customers. */
export interface OrderRecord {
  orderId: string;
  /**
   * The owner: the API Gateway key id of the client that created the order, or for a SigV4 caller
   * its principal ARN (an ARN, never a key id). Other owners cannot see it. The attribute keeps its
   * first name so stored orders need no migration.
   */
  ownerApiKeyId: string;
  customerId: string;
  status: OrderStatus;
  createdAt: string;
  updatedAt: string;
  currency: string;
  lines: OrderLine[];
  totals: OrderTotals;
  shippingAddress: OrderRequest['shippingAddress'];
  /**
   * Provider token (never card data), needed to authorize. Removed once Authorize Payment records
   * the authorization (the provider's authorization id is kept) or the order fails (STEP_RULES `forgets`).
   */
  paymentToken?: string;
  /** SHA-256 of the validated request, to tell an idempotent replay from a conflicting one. */
  requestHash: string;
  idempotencyKey?: string;
  steps: Record<StepName, StepRecord>;
  payment?: { authorizationId?: string; captureId?: string; status: 'AUTHORIZED' | 'CAPTURED' | 'VOIDED'; amount: Money };
  shipment?: { shipmentId?: string; carrier?: string; trackingNumber?: string; status: 'CREATED' | 'CANCELLED' };
  /**
   * The stored HTML receipt and when it was issued (the JSON receipt is rendered from the order with
   * that instant). `jsonKey` is on receipts made before the JSON form stopped being stored.
   */
  receipt?: { status: 'AVAILABLE' | 'FAILED'; htmlKey?: string; issuedAt?: string; jsonKey?: string; error?: { code: string; message: string } };
  failure?: FailureRecord;
}

/** Attributes a step may write when it finishes. */
export type OrderPatch = Partial<Pick<OrderRecord, 'payment' | 'shipment' | 'receipt' | 'failure'>>;

/**
 * Which order statuses each step may start from, and the status it moves the order to.
 * Writes are conditional on these, so a retried or late write can never move an order backwards.
 */
export const STEP_RULES: Record<
  StepName,
  {
    startFrom: readonly OrderStatus[];
    whileRunning?: OrderStatus;
    onSuccess: OrderStatus;
    /** Where the order goes when this step fails for good and the order goes on without it. */
    onFinalFailure?: OrderStatus;
    forgets?: readonly ForgottenAttribute[];
  }
> = {
  'Authorize Payment': { startFrom: ['RECEIVED'], onSuccess: 'PAYMENT_AUTHORIZED', forgets: ['paymentToken'] },
  'Create Shipment': { startFrom: ['PAYMENT_AUTHORIZED'], onSuccess: 'SHIPPED' },
  'Capture Payment': { startFrom: ['SHIPPED'], onSuccess: 'PAYMENT_CAPTURED' },
  // A receipt failure completes the paid, shipped order with its receipt FAILED; a redrive reruns the
  // step from there (the success guard keeps a completed receipt from being made twice).
  'Generate Receipt': { startFrom: ['PAYMENT_CAPTURED', 'COMPLETED'], onSuccess: 'COMPLETED', onFinalFailure: 'COMPLETED' },
  'Cancel Shipment': { startFrom: OPEN_STATUSES, whileRunning: 'CANCELLING', onSuccess: 'CANCELLING' },
  'Void Payment': { startFrom: OPEN_STATUSES, whileRunning: 'CANCELLING', onSuccess: 'FAILED', forgets: ['paymentToken'] },
};

/** Attributes a step's success removes: the payment token is not kept once nothing can need it. */
export type ForgottenAttribute = 'paymentToken';

/** What an order failed for good (a terminal step failure) no longer keeps. */
export const FORGOTTEN_ON_FAILURE: readonly ForgottenAttribute[] = ['paymentToken'];

/**
 * Whether a step writes its start before its work. Compensations do (the order turns CANCELLING,
 * which refuses late forward steps); forward steps record the attempt with its outcome, one write
 * instead of two (measured with npm run cost: the orders table went from 17.7 to 9.9 write units per order).
 */
export function recordsStart(step: StepName): boolean {
  return STEP_RULES[step].whileRunning !== undefined;
}

/** A fresh step map: every step PENDING with no attempts. */
export function pendingSteps(): Record<StepName, StepRecord> {
  return Object.fromEntries(ALL_STEPS.map((step) => [step, { status: 'PENDING', attempts: 0 }])) as Record<StepName, StepRecord>;
}

/** True when the order will not change any more. */
export function isTerminal(status: OrderStatus): boolean {
  return TERMINAL_STATUSES.includes(status);
}
