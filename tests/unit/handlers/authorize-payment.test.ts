import { ConditionalCheckFailedException, ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { customerMessageFor } from '#domain/failure-messages';
import { type OrderRecord, pendingSteps } from '#domain/order';
import { sha256 } from '#domain/order-ids';
import { handler } from '../../../functions/authorize-payment/index';
import { orderRecord, orderRequest } from '../../support/orders';
import { lambdaContext } from '../helpers/api';

const dynamo = mockClient(DynamoDBDocumentClient);

beforeEach(() => {
  dynamo.reset();
});

/** The orders table as Authorize Payment finds it (a consistent read; the attempt is written with its outcome), the ledger empty. */
function startableOrder(order: OrderRecord): void {
  dynamo.on(GetCommand, { TableName: 'orders' }).resolves({ Item: order });
  dynamo.on(UpdateCommand).resolves({});
  dynamo.on(PutCommand, { TableName: 'simulator-ledger' }).resolves({});
}

async function invoke(order: OrderRecord): Promise<unknown> {
  return handler({ orderId: order.orderId, executionId: `arn:aws:states:us-east-1:123456789012:execution:OrderProcessing:${order.orderId}` }, lambdaContext('authorize-payment'));
}

/** The UpdateCommand inputs sent to the orders table, in order. */
function orderUpdates() {
  return dynamo.commandCalls(UpdateCommand).map((call) => call.args[0].input);
}

/** The rejection of a promise expected to fail (fails the test if it resolves). */
async function rejectionOf(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof Error) return error;
    throw new Error(`Rejected with a non-Error: ${String(error)}`);
  }
  throw new Error('Expected the handler to throw');
}

describe('Authorize Payment task (authorize-payment handler)', () => {
  it('authorizes the order total with the simulator and returns the authorization id', async () => {
    const order = orderRecord();
    startableOrder(order);

    const result = await invoke(order);

    const authorizationId = `auth_${sha256(`payment#${order.orderId}`).slice(0, 24)}`;
    expect(result).toEqual({ authorizationId, amount: order.totals.total });

    const ledgerWrites = dynamo.commandCalls(PutCommand).map((call) => call.args[0].input);
    expect(ledgerWrites).toHaveLength(1);
    expect(ledgerWrites[0]).toMatchObject({
      TableName: 'simulator-ledger',
      ConditionExpression: 'attribute_not_exists(pk)',
      Item: { pk: `payment#${order.orderId}`, status: 'AUTHORIZED', authorizationId, amount: { amount: 5849, currency: 'USD' } },
    });

    // One write for the whole attempt: the outcome, with the attempt counted.
    const [finish] = orderUpdates();
    expect(orderUpdates()).toHaveLength(1);
    expect(dynamo.commandCalls(GetCommand, { TableName: 'orders' })[0]?.args[0].input).toMatchObject({ Key: { orderId: order.orderId }, ConsistentRead: true });
    expect(finish).toMatchObject({
      TableName: 'orders',
      Key: { orderId: order.orderId },
      ExpressionAttributeNames: { '#step': 'Authorize Payment' },
      ExpressionAttributeValues: {
        ':one': 1,
        ':next': 'PAYMENT_AUTHORIZED',
        ':p0': { authorizationId, status: 'AUTHORIZED', amount: { amount: 5849, currency: 'USD' } },
      },
    });
  });

  it('throws PaymentDeclined for a declined token and fails the order at Authorize Payment', async () => {
    const order = orderRecord(orderRequest({ payment: { token: 'tok_chargeDeclined' } }));
    startableOrder(order);

    const error = await rejectionOf(invoke(order));

    expect(error.name).toBe('PaymentDeclined');
    expect(error.message).toBe('Payment declined: card_declined');
    expect(dynamo.commandCalls(PutCommand)[0]?.args[0].input.Item).toMatchObject({ status: 'DECLINED', declineCode: 'card_declined' });
    const [fail] = orderUpdates();
    expect(fail).toMatchObject({
      Key: { orderId: order.orderId },
      ExpressionAttributeValues: {
        ':stepStatus': 'FAILED',
        ':failed': 'FAILED',
        ':failure': { code: 'PaymentDeclined', message: customerMessageFor('PaymentDeclined'), step: 'Authorize Payment' },
      },
    });
  });

  it('throws DependencyUnavailable, so the state machine retries, when the ledger table is throttled', async () => {
    const order = orderRecord();
    startableOrder(order);
    dynamo
      .on(PutCommand, { TableName: 'simulator-ledger' })
      .rejects(new ProvisionedThroughputExceededException({ message: 'throughput exceeded', $metadata: { httpStatusCode: 400 } }));

    const error = await rejectionOf(invoke(order));

    expect(error.name).toBe('DependencyUnavailable');
    const [fail] = orderUpdates();
    expect(fail?.ExpressionAttributeValues).toMatchObject({ ':stepStatus': 'RETRYING', ':one': 1 });
    expect(fail?.ExpressionAttributeValues).not.toHaveProperty(':failed');
  });

  it('returns the recorded authorization without calling the provider when the step already succeeded', async () => {
    const steps = pendingSteps();
    steps['Authorize Payment'] = { status: 'SUCCEEDED', attempts: 1 };
    const order = orderRecord(orderRequest(), {
      status: 'PAYMENT_AUTHORIZED',
      steps,
      payment: { authorizationId: 'auth_recorded', status: 'AUTHORIZED', amount: { amount: 5849, currency: 'USD' } },
    });
    dynamo.on(UpdateCommand).rejects(new ConditionalCheckFailedException({ message: 'x', $metadata: {} }));
    dynamo.on(GetCommand, { TableName: 'orders' }).resolves({ Item: order });

    await expect(invoke(order)).resolves.toEqual({ authorizationId: 'auth_recorded', amount: { amount: 5849, currency: 'USD' } });
    expect(dynamo.commandCalls(UpdateCommand)).toHaveLength(0);
    expect(dynamo.commandCalls(GetCommand, { TableName: 'simulator-ledger' })).toHaveLength(0);
    expect(dynamo.commandCalls(PutCommand)).toHaveLength(0);
  });

  it('throws InvalidTaskInput for a payload without a valid order id and writes nothing', async () => {
    const error = await rejectionOf(handler({ orderId: '../x' }, lambdaContext('authorize-payment')));

    expect(error.name).toBe('InvalidTaskInput');
    expect(dynamo.calls()).toHaveLength(0);
  });
});
