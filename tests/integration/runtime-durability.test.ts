import { execFileSync } from 'node:child_process';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { apiClient } from '../support/runtime-clients';
import { type LocalRuntimeProcess, newStateDir, startLocalRuntime } from '../support/local-runtime';
import { orderRequest } from '../support/orders';

/*
 * Durability of the local runtime: an execution in flight when the runtime is SIGKILLed resumes
 * (a redrive from the journal) when it starts again, and the idempotent tasks charge once.
 * Also checks that the AWS CLI works against the running runtime's endpoints.
 */
jest.setTimeout(180_000);

let runtime: LocalRuntimeProcess | undefined;

afterEach(async () => {
  await runtime?.stop('SIGTERM');
  runtime = undefined;
});

function aws(info: LocalRuntimeProcess['info'], args: string[]): unknown {
  const output = execFileSync('aws', [...args, '--output', 'json'], {
    env: {
      ...process.env,
      AWS_ACCESS_KEY_ID: info.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: info.credentials.secretAccessKey,
      AWS_DEFAULT_REGION: info.region,
      AWS_ENDPOINT_URL_SFN: info.endpoints.sfn,
      AWS_ENDPOINT_URL_DYNAMODB: info.endpoints.dynamodb,
      AWS_ENDPOINT_URL_S3: info.endpoints.s3,
      AWS_ENDPOINT_URL_LAMBDA: info.endpoints.lambda,
      AWS_PAGER: '',
    },
    encoding: 'utf8',
  });
  return output.trim() ? JSON.parse(output) : null;
}

describe('local runtime durability', () => {
  it('finishes an order that was in flight when the runtime was killed with SIGKILL, charging it once', async () => {
    const stateDir = newStateDir();
    runtime = await startLocalRuntime(stateDir, { fresh: true });
    const key = runtime.info.apiKeys[0]?.value ?? '';
    let api = apiClient(runtime.info.apiUrl, key);

    // Three failed authorizations and three carrier outages, with backoff between them: seconds in flight.
    const request = orderRequest({ payment: { token: 'tok_flaky_3' } });
    const placed = await api.request('POST', '/orders', { body: { ...request, shippingAddress: { ...request.shippingAddress, postalCode: '00003' } } });
    expect(placed.status).toBe(202);
    const orderId = String(placed.body.orderId);

    const deadline = Date.now() + 20_000;
    for (;;) {
      const view = await api.request<{ status: string; timeline: { attempts: number }[] }>('GET', `/orders/${orderId}`);
      if ((view.body.timeline[0]?.attempts ?? 0) >= 1) {
        expect(['COMPLETED', 'FAILED']).not.toContain(view.body.status);
        break;
      }
      if (Date.now() > deadline) throw new Error('the order never started');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await runtime.stop('SIGKILL');

    runtime = await startLocalRuntime(stateDir);
    expect(runtime.info.resumedExecutions).toBe(1);
    api = apiClient(runtime.info.apiUrl, key);
    const order = await api.waitForOrder(orderId, { deadlineMs: 90_000, resolveFailed: true });
    expect(order.status).toBe('COMPLETED');

    const info = runtime.info;
    const executionArn = `${String(info.stateMachines.OrderProcessingStateMachine).replace(':stateMachine:', ':execution:')}:${orderId}`;
    const history = aws(info, ['stepfunctions', 'get-execution-history', '--execution-arn', executionArn]) as { events: { type: string }[] };
    const types = history.events.map((event) => event.type);
    expect(types).toContain('ExecutionRedriven');
    expect(types.at(-1)).toBe('ExecutionSucceeded');

    // One authorization, captured once, for exactly the order total.
    const dynamodb = new DynamoDBClient({ endpoint: info.endpoints.dynamodb, region: info.region, credentials: info.credentials });
    const ledger = await dynamodb.send(new GetItemCommand({ TableName: info.tables.SimulatorLedgerTable, Key: { pk: { S: `payment#${orderId}` } } }));
    expect(ledger.Item?.status?.S).toBe('CAPTURED');
    expect(ledger.Item?.capturedAmount?.M?.amount?.N).toBe(String((order.total as { amount: number }).amount));
    dynamodb.destroy();

    // The AWS CLI reads the same data through AWS_ENDPOINT_URL_*.
    const item = aws(info, ['dynamodb', 'get-item', '--table-name', String(info.tables.OrdersTable), '--key', JSON.stringify({ orderId: { S: orderId } })]) as {
      Item: { status: { S: string } };
    };
    expect(item.Item.status.S).toBe('COMPLETED');
    const listing = execFileSync('aws', ['s3', 'ls', `s3://${String(info.buckets.ReceiptsBucket)}/receipts/${orderId}/`], {
      env: { ...process.env, AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER', AWS_DEFAULT_REGION: info.region, AWS_ENDPOINT_URL_S3: info.endpoints.s3 },
      encoding: 'utf8',
    });
    // One object per order: the JSON receipt is rendered from the order on demand.
    expect(listing.trim().split('\n')).toEqual([expect.stringContaining('receipt.html')]);
  });

  it('drains on SIGTERM and keeps its data across restarts', async () => {
    const stateDir = newStateDir();
    runtime = await startLocalRuntime(stateDir, { fresh: true });
    const key = runtime.info.apiKeys[0]?.value ?? '';
    const placed = await apiClient(runtime.info.apiUrl, key).request('POST', '/orders', { body: orderRequest(), headers: { Prefer: 'wait=20' } });
    expect(placed.status).toBe(200);
    await runtime.stop('SIGTERM');
    expect(runtime.output()).toContain('SIGTERM: draining');

    runtime = await startLocalRuntime(stateDir);
    const again = await apiClient(runtime.info.apiUrl, key).request('GET', `/orders/${String(placed.body.orderId)}`);
    expect(again.body.status).toBe('COMPLETED');
  });
});
