import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { type LocalRuntimeProcess, newStateDir, startLocalRuntime } from '../support/local-runtime';
import { orderRequest } from '../support/orders';
import { until } from '../support/pool-and-poll';
import { apiClient } from '../support/runtime-clients';
import { readStripeJournal } from '../../local/payments/stripe-idempotency';

/*
 * `npm start -- --parameter-overrides PaymentProvider=stripe`: the runtime starts stripe-mock and
 * the payment functions run the Stripe adapter against it, with the key from the local Secrets
 * Manager. stripe-mock always approves, so the order completes.
 */
jest.setTimeout(180_000);

let runtime: LocalRuntimeProcess | undefined;

afterAll(async () => {
  await runtime?.stop('SIGTERM');
});

describe('the local runtime with PaymentProvider=stripe', () => {
  it('completes an order through the Stripe adapter against stripe-mock, keeping the PaymentIntent id and not the token', async () => {
    runtime = await startLocalRuntime(newStateDir(), { fresh: true, parameterOverrides: 'PaymentProvider=stripe', deadlineMs: 120_000 });
    const { info } = runtime;
    expect(info.endpoints.stripe).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const api = apiClient(info.apiUrl, info.apiKeys[0]?.value ?? '');
    const placed = await api.request<{ orderId: string }>('POST', '/orders', { body: orderRequest({ payment: { token: 'tok_visa' } }) });
    expect(placed.status).toBe(202);
    const orderId = placed.body.orderId;

    let status = '';
    const settled = await until(async () => {
      status = (await api.request<{ status: string }>('GET', `/orders/${orderId}`)).body.status;
      return status === 'COMPLETED' || status === 'FAILED';
    }, 90_000);
    expect({ settled, status, output: status === 'COMPLETED' ? '' : runtime.output().slice(-4000) }).toEqual({ settled: true, status: 'COMPLETED', output: '' });

    const dynamo = new DynamoDBClient({ region: info.region, endpoint: info.endpoints.dynamodb, credentials: info.credentials });
    const stored = await dynamo.send(new GetItemCommand({ TableName: info.tables.OrdersTable, Key: { orderId: { S: orderId } }, ConsistentRead: true }));
    const order = stored.Item ? (unmarshall(stored.Item) as { payment?: { status: string; authorizationId: string }; paymentToken?: string }) : {};
    // Stripe's PaymentIntent id (stripe-mock's fixture ids start pi_), not a simulator authorization.
    expect(order.payment?.status).toBe('CAPTURED');
    expect(order.payment?.authorizationId).toMatch(/^pi_/);
    expect(order.paymentToken).toBeUndefined();
    dynamo.destroy();

    // What reached Stripe: one authorization and one capture of it under the order's keys, no void.
    const calls = readStripeJournal(info.stripeJournal ?? '').filter((entry) => entry.idempotencyKey?.startsWith(`${orderId}:`) && entry.status === 200);
    expect(calls.map((entry) => [entry.path, entry.idempotencyKey])).toEqual([
      ['/v1/payment_intents', `${orderId}:authorize`],
      [`/v1/payment_intents/${order.payment?.authorizationId ?? ''}/capture`, `${orderId}:capture`],
    ]);
  });
});
