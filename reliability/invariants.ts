import { inPool } from '../tests/support/pool-and-poll';
import type { RuntimeClients } from '../tests/support/runtime-clients';
import type { Row } from './summary';

interface OrderItem {
  orderId: string;
  status: string;
  totals: { total: { amount: number } };
  receipt?: { status: string };
}
export interface LedgerItem {
  pk: string;
  status: string;
  capturedAmount?: { amount: number };
  captureId?: string;
  /** Captures the provider performed (Stripe's journal counts them; the simulator records one at most). */
  captureCount?: number;
}

/**
 * Reads DynamoDB, the simulators' ledger and S3, and proves the money and state invariants for
 * the given accepted orders. `payments` replaces the ledger's payment entries (`payment#<orderId>`)
 * when the payments went to another provider (Stripe: reliability/stripe-ledger.ts).
 */
export async function checkInvariants(clients: RuntimeClients, accepted: ReadonlySet<string>, area: string, payments?: ReadonlyMap<string, LedgerItem>): Promise<Row[]> {
  const orders = new Map(((await clients.scan('OrdersTable')) as unknown as OrderItem[]).map((order) => [order.orderId, order]));
  const ledger = new Map(((await clients.scan('SimulatorLedgerTable')) as unknown as LedgerItem[]).map((entry) => [entry.pk, entry]));
  if (payments) {
    for (const key of [...ledger.keys()]) if (key.startsWith('payment#')) ledger.delete(key);
    for (const [key, entry] of payments) ledger.set(key, entry);
  }

  const nonTerminal: string[] = [];
  const openAuthorizations: string[] = [];
  const liveShipments: string[] = [];
  const capturedNotCompleted: string[] = [];
  const receiptChecks: string[] = [];
  const missingReceipts: string[] = [];
  let flaggedReceipts = 0;
  let completed = 0;
  let failed = 0;
  let completedTotal = 0;
  let capturedTotal = 0;
  let captures = 0;
  for (const orderId of accepted) {
    const order = orders.get(orderId);
    const payment = ledger.get(`payment#${orderId}`);
    const shipment = ledger.get(`shipment#${orderId}`);
    if (payment?.status === 'CAPTURED') {
      captures += payment.captureCount ?? 1;
      capturedTotal += payment.capturedAmount?.amount ?? 0;
    }
    if (!order || (order.status !== 'COMPLETED' && order.status !== 'FAILED')) {
      nonTerminal.push(`${orderId}:${order?.status ?? 'missing'}`);
      continue;
    }
    if (order.status === 'FAILED') {
      failed += 1;
      if (payment?.status === 'AUTHORIZED') openAuthorizations.push(orderId);
      if (shipment?.status === 'CREATED') liveShipments.push(orderId);
      if (payment?.status === 'CAPTURED') capturedNotCompleted.push(orderId);
      continue;
    }
    completed += 1;
    completedTotal += order.totals.total.amount;
    if (order.receipt?.status === 'FAILED') flaggedReceipts += 1;
    else receiptChecks.push(orderId);
  }
  await inPool(receiptChecks, 16, async (orderId) => {
    if (!(await clients.exists('ReceiptsBucket', `receipts/${orderId}/receipt.html`))) missingReceipts.push(orderId);
  });
  const sample = (ids: string[]) => (ids.length ? ` e.g. ${ids.slice(0, 3).join(', ')}` : '');
  const row = (check: string, required: string, observed: string, held: boolean): Row => ({
    area,
    check,
    tried: `${String(accepted.size)} accepted orders (${String(completed)} completed, ${String(failed)} failed)`,
    required,
    observed,
    held,
  });
  return [
    row('every accepted order is terminal', `${String(accepted.size)} terminal`, `${String(accepted.size - nonTerminal.length)} terminal${sample(nonTerminal)}`, nonTerminal.length === 0),
    row('failed orders with an open authorization', '0', `${String(openAuthorizations.length)}${sample(openAuthorizations)}`, openAuthorizations.length === 0),
    row('failed orders with a live shipment', '0', `${String(liveShipments.length)}${sample(liveShipments)}`, liveShipments.length === 0),
    row(
      'double captures / captured but failed',
      '0 / 0',
      `${String(Math.max(0, captures - completed - capturedNotCompleted.length))} / ${String(capturedNotCompleted.length)}${sample(capturedNotCompleted)}`,
      captures <= completed && capturedNotCompleted.length === 0,
    ),
    row('sum captured = sum of COMPLETED totals', 'equal', `${String(capturedTotal)} vs ${String(completedTotal)} (minor units)`, capturedTotal === completedTotal),
    row(
      'completed orders without a receipt in S3',
      `0 (flagged receipt failures excepted: ${String(flaggedReceipts)})`,
      `${String(missingReceipts.length)}${sample(missingReceipts)}`,
      missingReceipts.length === 0,
    ),
  ];
}
