import { DynamoDbOrderRepository } from '#adapters/dynamodb-order-repository';
import { OrderNotFound, OrderStateConflict } from '#domain/errors';
import type { OrderRepository } from '#ports/order-repository';
import { placeOrder } from '../../functions/create-order/place-order';
import { type LocalDynamo, startDynamo } from '../support/dynalite';
import { RecordingMetrics } from '../support/fakes';
import { MemoryOrderRepository } from '../support/memory-stores';
import { orderRecord, orderRequest } from '../support/orders';

let dynamo: LocalDynamo;
let dynamoOrders: DynamoDbOrderRepository;
const now = () => new Date();

beforeAll(async () => {
  dynamo = await startDynamo();
  dynamoOrders = new DynamoDbOrderRepository(dynamo.documentClient, 'orders');
});
afterAll(async () => {
  await dynamo.close();
});

// The in-memory twin runs the same cases, so the benchmark's engine-only baseline keeps the same rules.
describe.each([
  ['DynamoDbOrderRepository on dynalite', (): OrderRepository => dynamoOrders],
  ['MemoryOrderRepository', (): OrderRepository => new MemoryOrderRepository()],
])('%s', (_name, repository) => {
  let orders: OrderRepository;
  beforeAll(() => {
    orders = repository();
  });

  it('refuses to create the same order id twice', async () => {
    const order = orderRecord();
    expect(await orders.create(order)).toBe('created');
    expect(await orders.create({ ...order, customerId: 'someone-else' })).toBe('exists');
    expect((await orders.get(order.orderId))?.customerId).toBe(order.customerId);
  });

  it("records a forward step's attempts with their outcomes: a retried attempt, then success, one write each", async () => {
    const order = orderRecord();
    await orders.create(order);
    const firstStart = new Date('2026-11-25T10:00:01.000Z');
    const first = await orders.startStep(order.orderId, 'Authorize Payment', firstStart);
    expect(first.kind).toBe('started');
    // Starting reads only: nothing is written until the attempt ends.
    expect((await orders.get(order.orderId))?.steps['Authorize Payment']).toMatchObject({ status: 'PENDING', attempts: 0 });

    await orders.failStep(order.orderId, 'Authorize Payment', { error: { code: 'ProviderUnavailable', message: 'busy' }, retrying: true }, now(), firstStart);
    const retrying = await orders.get(order.orderId);
    expect(retrying?.steps['Authorize Payment']).toMatchObject({ status: 'RETRYING', attempts: 1, startedAt: firstStart.toISOString() });
    expect(retrying?.status).toBe('RECEIVED');

    const secondStart = new Date('2026-11-25T10:00:03.000Z');
    const second = await orders.startStep(order.orderId, 'Authorize Payment', secondStart);
    expect(second.order.steps['Authorize Payment']).toMatchObject({ status: 'RETRYING', attempts: 1 });
    await orders.finishStep(order.orderId, 'Authorize Payment', { payment: { authorizationId: 'auth_1', status: 'AUTHORIZED', amount: order.totals.total } }, now(), secondStart);
    const stored = await orders.get(order.orderId);
    expect(stored?.status).toBe('PAYMENT_AUTHORIZED');
    // The step's start stays the first attempt's.
    expect(stored?.steps['Authorize Payment']).toMatchObject({ status: 'SUCCEEDED', attempts: 2, startedAt: firstStart.toISOString() });
    expect(stored?.steps['Authorize Payment'].error).toBeUndefined();
    expect(stored?.payment?.authorizationId).toBe('auth_1');
  });

  it("writes a compensation's start at once: the order turns CANCELLING and late forward steps are refused", async () => {
    const order = orderRecord(undefined, { status: 'SHIPPED' });
    await orders.create(order);
    const started = await orders.startStep(order.orderId, 'Cancel Shipment', now());
    expect(started.order.status).toBe('CANCELLING');
    expect(started.order.steps['Cancel Shipment']).toMatchObject({ status: 'RUNNING', attempts: 1 });
    await expect(orders.startStep(order.orderId, 'Capture Payment', now())).rejects.toBeInstanceOf(OrderStateConflict);
    await expect(orders.finishStep(order.orderId, 'Capture Payment', {}, now(), now())).rejects.toBeInstanceOf(OrderStateConflict);

    await orders.finishStep(order.orderId, 'Cancel Shipment', {}, now(), now());
    // The attempt was counted when it started, not again when it finished.
    expect((await orders.get(order.orderId))?.steps['Cancel Shipment']).toMatchObject({ status: 'SUCCEEDED', attempts: 1 });
  });

  it('answers a duplicate start of a finished step with the recorded order instead of a second attempt', async () => {
    const order = orderRecord();
    await orders.create(order);
    await orders.startStep(order.orderId, 'Authorize Payment', now());
    await orders.finishStep(order.orderId, 'Authorize Payment', {}, now(), now());
    const again = await orders.startStep(order.orderId, 'Authorize Payment', now());
    expect(again.kind).toBe('alreadySucceeded');
    expect(again.order.steps['Authorize Payment'].attempts).toBe(1);
    // A duplicate success report changes nothing.
    await orders.finishStep(order.orderId, 'Authorize Payment', {}, now(), now());
    expect((await orders.get(order.orderId))?.status).toBe('PAYMENT_AUTHORIZED');
  });

  it('never moves an order backwards: a late step on a FAILED order is refused', async () => {
    const order = orderRecord(undefined, { status: 'FAILED' });
    await orders.create(order);
    await expect(orders.startStep(order.orderId, 'Create Shipment', now())).rejects.toBeInstanceOf(OrderStateConflict);
    await expect(orders.finishStep(order.orderId, 'Create Shipment', {}, now(), now())).rejects.toBeInstanceOf(OrderStateConflict);
    expect((await orders.get(order.orderId))?.status).toBe('FAILED');
  });

  it('does not let a late failure report undo a succeeded step', async () => {
    const order = orderRecord();
    await orders.create(order);
    await orders.startStep(order.orderId, 'Authorize Payment', now());
    await orders.finishStep(order.orderId, 'Authorize Payment', {}, now(), now());
    await orders.failStep(order.orderId, 'Authorize Payment', { error: { code: 'X', message: 'late' }, retrying: false, orderFailure: { code: 'X', message: 'late' } }, now(), now());
    const stored = await orders.get(order.orderId);
    expect(stored?.steps['Authorize Payment'].status).toBe('SUCCEEDED');
    expect(stored?.status).toBe('PAYMENT_AUTHORIZED');
    expect(stored?.failure).toBeUndefined();
  });

  it('keeps the payment token until the authorization is recorded, then keeps only the authorization id', async () => {
    const order = orderRecord();
    await orders.create(order);
    const start = now();
    await orders.startStep(order.orderId, 'Authorize Payment', start);
    await orders.failStep(order.orderId, 'Authorize Payment', { error: { code: 'ProviderUnavailable', message: 'busy' }, retrying: true }, now(), start);
    expect((await orders.get(order.orderId))?.paymentToken).toBe(order.paymentToken);
    await orders.finishStep(order.orderId, 'Authorize Payment', { payment: { authorizationId: 'pi_1', status: 'AUTHORIZED', amount: order.totals.total } }, now(), start);
    const stored = await orders.get(order.orderId);
    expect(stored?.payment?.authorizationId).toBe('pi_1');
    expect(stored).not.toHaveProperty('paymentToken');
  });

  it('drops the payment token of an order that fails for good (a decline, or closed by Void Payment)', async () => {
    const declined = orderRecord();
    await orders.create(declined);
    const start = now();
    await orders.failStep(
      declined.orderId,
      'Authorize Payment',
      { error: { code: 'PaymentDeclined', message: 'declined' }, retrying: false, orderFailure: { code: 'PaymentDeclined', message: 'declined', step: 'Authorize Payment' } },
      now(),
      start,
    );
    expect(await orders.get(declined.orderId)).not.toHaveProperty('paymentToken');

    const voided = orderRecord();
    await orders.create(voided);
    await orders.startStep(voided.orderId, 'Void Payment', start);
    await orders.finishStep(voided.orderId, 'Void Payment', { failure: { code: 'ProviderUnavailable', message: 'gone' } }, now(), start);
    const closed = await orders.get(voided.orderId);
    expect(closed?.status).toBe('FAILED');
    expect(closed).not.toHaveProperty('paymentToken');
  });

  it('says whether a success was recorded: false for a duplicate', async () => {
    const order = orderRecord();
    await orders.create(order);
    const start = new Date();
    const patch = { payment: { authorizationId: 'auth_1', status: 'AUTHORIZED' as const, amount: order.totals.total } };
    expect(await orders.finishStep(order.orderId, 'Authorize Payment', patch, now(), start)).toBe(true);
    expect(await orders.finishStep(order.orderId, 'Authorize Payment', patch, now(), start)).toBe(false);
  });

  it("settles the order on Generate Receipt's final failure (COMPLETED, receipt FAILED), lets a redrive start from there, and never after a success", async () => {
    const order = orderRecord(undefined, { status: 'PAYMENT_CAPTURED' });
    await orders.create(order);
    const failure = { code: 'DependencyUnavailable', message: 'S3 is down' };
    const settle = () => orders.failStep(order.orderId, 'Generate Receipt', { error: failure, retrying: false, settlement: { receipt: { status: 'FAILED', error: failure } } }, now(), now());
    expect(await settle()).toBe('PAYMENT_CAPTURED');
    const settled = await orders.get(order.orderId);
    expect(settled).toMatchObject({ status: 'COMPLETED', receipt: { status: 'FAILED', error: failure } });
    expect(settled?.steps['Generate Receipt']).toMatchObject({ status: 'FAILED', attempts: 1, error: failure });
    // A redrive that fails again records again, from COMPLETED.
    expect(await settle()).toBe('COMPLETED');

    expect((await orders.startStep(order.orderId, 'Generate Receipt', now())).kind).toBe('started');
    const keys = { htmlKey: `receipts/${order.orderId}/receipt.html`, issuedAt: '2026-12-01T10:00:00.000Z' };
    expect(await orders.finishStep(order.orderId, 'Generate Receipt', { receipt: { status: 'AVAILABLE', ...keys } }, now(), now())).toBe(true);
    const made = await orders.get(order.orderId);
    expect(made?.receipt).toEqual({ status: 'AVAILABLE', ...keys });
    expect(made?.steps['Generate Receipt'].status).toBe('SUCCEEDED');
    expect(made?.steps['Generate Receipt'].error).toBeUndefined();
    // A late final failure cannot turn the delivered receipt back into a failed one.
    expect(await settle()).toBeUndefined();
    expect((await orders.get(order.orderId))?.receipt?.status).toBe('AVAILABLE');
  });

  it('reports a missing order as OrderNotFound', async () => {
    await expect(orders.startStep('ord_ffffffffffffffffffffffffffffffff', 'Authorize Payment', now())).rejects.toBeInstanceOf(OrderNotFound);
  });
});

describe('placeOrder on dynalite', () => {
  it('creates exactly one order and one workflow start for 20 concurrent requests with one Idempotency-Key', async () => {
    const started: string[] = [];
    const metrics = new RecordingMetrics();
    const deps = {
      orders: dynamoOrders,
      metrics,
      now,
      workflow: {
        start: (orderId: string) => {
          started.push(orderId);
          return Promise.resolve();
        },
      },
    };
    const results = await Promise.all(
      Array.from({ length: 20 }, () => placeOrder(deps, { apiKeyId: 'key-a', request: orderRequest(), idempotencyKey: 'checkout-42' })),
    );
    const ids = new Set(results.map((result) => result.order.orderId));
    expect(ids.size).toBe(1);
    expect(results.filter((result) => !result.replayed)).toHaveLength(1);
    expect(metrics.counts.get('OrdersCreated')).toBe(1);
    // Replays of a RECEIVED order re-issue the (idempotent) StartExecution with the same name.
    expect(new Set(started)).toEqual(ids);
  });
});
