import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetExecutionHistoryCommand, SFNClient } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { PaymentLedgerEntry } from '#adapters/payment-simulator';
import { DynamoDbOrderRepository } from '#adapters/dynamodb-order-repository';
import { DynamoDbSimulatorLedger } from '#adapters/dynamodb-simulator-ledger';
import { type LocalRuntimeProcess, injectLambdaFault, newStateDir, startLocalRuntime } from '../support/local-runtime';
import { orderRequest } from '../support/orders';
import { localPrincipal, signedFetch } from '../support/sigv4-signer';

/*
 * POST /admin/orders/{id}/retry on npm start: a compensation, or Generate Receipt, that ran out of
 * retries during an outage stops the execution at its Task; once the outage is over, the
 * operator's retry redrives the execution, which reruns that Task and finishes the saga.
 */
jest.setTimeout(300_000);

const INTEGRATOR = localPrincipal('integrator');
const OPERATOR = localPrincipal('operator');
/** Void Payment's Retry MaxAttempts is 6: one attempt plus six retries. */
const VOID_PAYMENT_ATTEMPTS = 7;
/** Generate Receipt's Retry MaxAttempts is 5. */
const GENERATE_RECEIPT_ATTEMPTS = 6;

let runtime: LocalRuntimeProcess;

beforeAll(async () => {
  runtime = await startLocalRuntime(newStateDir(), { fresh: true, faults: true });
});

afterAll(async () => {
  await runtime.stop('SIGTERM');
});

interface AdminOrder {
  status: string;
  executionArn: string;
  execution: { status: string; redriveCount: number; error?: string } | null;
  timeline: { step: string; status: string; attempts: number }[];
  failure: { code: string } | null;
}

async function adminOrder(orderId: string): Promise<AdminOrder> {
  const response = await signedFetch(`${runtime.info.apiUrl}/admin/orders/${orderId}`, {}, OPERATOR);
  if (response.status !== 200) throw new Error(`GET /admin/orders/${orderId} answered ${String(response.status)}`);
  return (await response.json()) as AdminOrder;
}

/** Polls the operator view until `done` holds; the deadline covers the compensation's backoff (at most 2+4+8+16+30+30 s). */
async function waitFor(orderId: string, what: string, done: (order: AdminOrder) => boolean, deadlineMs = 200_000): Promise<AdminOrder> {
  const deadline = Date.now() + deadlineMs;
  let last = await adminOrder(orderId);
  while (!done(last)) {
    if (Date.now() > deadline) throw new Error(`Order ${orderId} did not reach ${what} within ${String(deadlineMs)} ms; last seen: ${JSON.stringify(last)}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
    last = await adminOrder(orderId);
  }
  return last;
}

describe('operator retry of an execution stopped by an outage (npm start)', () => {
  it('redrives the execution once the outage is over, and the compensation completes: the order FAILED, its payment voided', async () => {
    const { endpoints, region, credentials, tables } = runtime.info;
    const documents = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: endpoints.dynamodb, region, credentials }));
    const ledger = new DynamoDbSimulatorLedger(documents, String(tables.SimulatorLedgerTable));
    const orders = new DynamoDbOrderRepository(documents, String(tables.OrdersTable));

    // Void Payment's execution environment dies on every attempt the state machine makes.
    await injectLambdaFault(runtime, 'VoidPaymentFunction', 'crash', VOID_PAYMENT_ATTEMPTS);
    // The carrier does not deliver to AQ: the saga cancels the shipment and voids the authorization.
    const request = orderRequest({ shippingAddress: { ...orderRequest().shippingAddress, country: 'AQ' } });
    const placed = await signedFetch(`${runtime.info.apiUrl}/integrations/orders`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(request) }, INTEGRATOR);
    expect(placed.status).toBe(202);
    const { orderId } = (await placed.json()) as { orderId: string };

    const stuck = await waitFor(orderId, 'a failed execution', (order) => order.execution?.status === 'FAILED');
    expect(stuck.status).toBe('CANCELLING');
    expect(stuck.execution).toMatchObject({ status: 'FAILED', redriveCount: 0, error: 'Runtime.ExitError' });
    expect(stuck.timeline.find((entry) => entry.step === 'Void Payment')?.status).not.toBe('SUCCEEDED');
    expect((await ledger.get<PaymentLedgerEntry>(`payment#${orderId}`))?.status).toBe('AUTHORIZED');
    const faults = (await (await fetch(`${endpoints.lambda}/_local/faults`)).json()) as { lambda: Record<string, number> };
    expect(faults.lambda['VoidPaymentFunction:crash']).toBe(VOID_PAYMENT_ATTEMPTS);

    // The outage is over (the injected crashes are spent): the operator retries.
    const retry = await signedFetch(`${runtime.info.apiUrl}/admin/orders/${orderId}/retry`, { method: 'POST' }, OPERATOR);
    expect(retry.status).toBe(202);
    expect(await retry.json()).toMatchObject({ outcome: 'REDRIVEN', reason: 'COMPENSATION_FAILED' });

    // The redrive reruns Void Payment, which closes the order; the execution then ends in Order Failed with the original error.
    const done = await waitFor(orderId, 'the end of the redriven execution', (order) => order.execution?.status !== 'RUNNING', 60_000);
    expect(done.status).toBe('FAILED');
    expect(done.failure).toMatchObject({ code: 'AddressNotServiceable' });
    expect(done.execution).toMatchObject({ status: 'FAILED', redriveCount: 1, error: 'AddressNotServiceable' });
    expect(done.timeline.find((entry) => entry.step === 'Void Payment')?.status).toBe('SUCCEEDED');
    expect((await ledger.get<PaymentLedgerEntry>(`payment#${orderId}`))?.status).toBe('VOIDED');
    expect((await orders.get(orderId))?.payment?.status).toBe('VOIDED');

    // As AWS documents for a redrive, the rerun Task's retry count starts again at 0, so the redriven
    // Void Payment had its full MaxAttempts and did not take its first attempt for its last.
    const sfn = new SFNClient({ endpoint: endpoints.sfn, region, credentials });
    const { events = [] } = await sfn.send(new GetExecutionHistoryCommand({ executionArn: done.executionArn, maxResults: 1000 }));
    const redriven = events.findIndex((event) => event.type === 'ExecutionRedriven');
    const voidAttempts = events
      .map((event, index) => ({ index, parameters: event.taskScheduledEventDetails?.parameters ?? '' }))
      .filter(({ parameters }) => parameters.includes('VoidPayment'))
      .map(({ index, parameters }) => ({ redriven: index > redriven, retryCount: (JSON.parse(parameters) as { Payload: { retryCount: number } }).Payload.retryCount }));
    expect(redriven).toBeGreaterThan(0);
    expect(voidAttempts).toEqual([
      ...Array.from({ length: VOID_PAYMENT_ATTEMPTS }, (_, retryCount) => ({ redriven: false, retryCount })),
      { redriven: true, retryCount: 0 },
    ]);

    // The order is closed now: another retry is refused.
    expect((await signedFetch(`${runtime.info.apiUrl}/admin/orders/${orderId}/retry`, { method: 'POST' }, OPERATOR)).status).toBe(409);
  });

  it('redrives an order whose Generate Receipt stopped the execution: the receipt is made and the execution succeeds', async () => {
    // Generate Receipt's execution environment dies on every attempt: the order is paid and shipped, with no receipt.
    await injectLambdaFault(runtime, 'GenerateReceiptFunction', 'crash', GENERATE_RECEIPT_ATTEMPTS);
    const placed = await signedFetch(`${runtime.info.apiUrl}/integrations/orders`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(orderRequest()) }, INTEGRATOR);
    expect(placed.status).toBe(202);
    const { orderId } = (await placed.json()) as { orderId: string };

    const stuck = await waitFor(orderId, 'a failed execution', (order) => order.execution?.status === 'FAILED');
    expect(stuck.status).toBe('PAYMENT_CAPTURED');
    expect(stuck.execution).toMatchObject({ status: 'FAILED', redriveCount: 0, error: 'Runtime.ExitError' });

    const retry = await signedFetch(`${runtime.info.apiUrl}/admin/orders/${orderId}/retry`, { method: 'POST' }, OPERATOR);
    expect(retry.status).toBe(202);
    expect(await retry.json()).toMatchObject({ outcome: 'REDRIVEN', reason: 'RECEIPT_FAILED' });

    const done = await waitFor(orderId, 'the end of the redriven execution', (order) => order.execution?.status !== 'RUNNING', 60_000);
    expect(done.status).toBe('COMPLETED');
    expect(done.execution).toMatchObject({ status: 'SUCCEEDED', redriveCount: 1 });
    expect(done.timeline.find((entry) => entry.step === 'Generate Receipt')?.status).toBe('SUCCEEDED');
    const signedReceipt = await signedFetch(`${runtime.info.apiUrl}/integrations/orders/${orderId}`, {}, INTEGRATOR);
    expect(((await signedReceipt.json()) as { receipt?: { available?: boolean } }).receipt).toMatchObject({ available: true });

    expect((await signedFetch(`${runtime.info.apiUrl}/admin/orders/${orderId}/retry`, { method: 'POST' }, OPERATOR)).status).toBe(409);
  });
});
