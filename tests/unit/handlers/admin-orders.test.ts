import type { APIGatewayProxyEvent } from 'aws-lambda';
import { type AdminOrdersDependencies, adminOrders } from '../../../functions/admin-orders/admin-orders';
import { encodeCursor, parseListQuery } from '../../../functions/admin-orders/list-query';
import { SFNClient } from '@aws-sdk/client-sfn';
import { StepFunctionsOrderExecutions } from '#adapters/step-functions-order-workflow';
import { callerOwner, iamPrincipalOwner } from '#api/http';
import type { OrderRecord } from '#domain/order';
import type { ListQuery, OrderListing } from '#ports/order-listing';
import type { ExecutionState, OrderExecutions } from '#ports/order-workflow';
import { MemoryOrderRepository } from '../../support/memory-stores';
import { orderRecord } from '../../support/orders';
import { apiEvent, parseResponse } from '../helpers/api';

const OPERATOR = 'arn:aws:iam::123456789012:user/operator';
const EXECUTIONS_OF = 'arn:aws:states:us-east-1:123456789012:execution:OrderProcessing:';

function adminEvent(method: string, resource: string, options: { orderId?: string; query?: Record<string, string>; userArn?: string | null } = {}): APIGatewayProxyEvent {
  const path = resource.replace('{orderId}', options.orderId ?? '');
  const event = apiEvent({ method, path, apiKeyId: null, ...(options.orderId ? { pathParameters: { orderId: options.orderId } } : {}) });
  return {
    ...event,
    resource,
    queryStringParameters: options.query ?? null,
    requestContext: { ...event.requestContext, resourcePath: resource, identity: { ...event.requestContext.identity, userArn: options.userArn === undefined ? OPERATOR : options.userArn } },
  };
}

class FakeExecutions implements OrderExecutions {
  readonly states = new Map<string, ExecutionState>();
  redrives = 0;
  arnOf(orderId: string): string {
    return `${EXECUTIONS_OF}${orderId}`;
  }
  describe(orderId: string): Promise<ExecutionState | undefined> {
    return Promise.resolve(this.states.get(orderId));
  }
  redrive(orderId: string): Promise<'redriven' | 'notRedrivable'> {
    const state = this.states.get(orderId);
    if (!state || state.status === 'RUNNING' || state.status === 'SUCCEEDED') return Promise.resolve('notRedrivable');
    this.redrives += 1;
    this.states.set(orderId, { ...state, status: 'RUNNING', redriveCount: state.redriveCount + 1 });
    return Promise.resolve('redriven');
  }
}

class RecordingListing implements OrderListing {
  readonly queries: ListQuery[] = [];
  list(query: ListQuery) {
    this.queries.push(query);
    return Promise.resolve({ orders: [], next: { orderId: `ord_${'b'.repeat(32)}`, status: query.status, createdAt: '2026-12-01T10:00:00.000Z' } });
  }
}

function setup(order?: OrderRecord, execution?: Omit<ExecutionState, 'executionArn'>) {
  const orders = new MemoryOrderRepository();
  const executions = new FakeExecutions();
  if (order) {
    void orders.create(order);
    if (execution) executions.states.set(order.orderId, { executionArn: executions.arnOf(order.orderId), ...execution });
  }
  const listing = new RecordingListing();
  const deps: AdminOrdersDependencies = { api: { allowOrigin: '*', samLocalKeys: undefined }, orders, listing, executions };
  return { deps, executions, listing };
}

/** An order whose Cancel Shipment failed for good: the saga ended in Compensation Failed. */
function compensationFailed(): OrderRecord {
  const order = orderRecord(undefined, { status: 'CANCELLING' });
  order.steps['Cancel Shipment'] = { status: 'FAILED', attempts: 3, error: { code: 'ProviderUnavailable', message: 'down' } };
  return order;
}

describe('IAM callers own their orders', () => {
  it('takes the owner from identity.userArn, one owner per role across its sessions, and never confuses it with a key id', () => {
    expect(iamPrincipalOwner('arn:aws:iam::123456789012:user/erp')).toBe('arn:aws:iam::123456789012:user/erp');
    expect(iamPrincipalOwner('arn:aws:sts::123456789012:assumed-role/warehouse/session-1')).toBe('arn:aws:sts::123456789012:assumed-role/warehouse');
    expect(iamPrincipalOwner(null)).toBeUndefined();
    const signed = adminEvent('GET', '/integrations/orders/{orderId}', { orderId: 'x', userArn: 'arn:aws:iam::123456789012:user/erp' });
    expect(callerOwner(signed, undefined)).toBe('arn:aws:iam::123456789012:user/erp');
    expect(callerOwner(apiEvent(), undefined)).toBe('key-a');
  });
});

describe('order executions', () => {
  it('names an order\'s execution after the unqualified state machine, whether given the alias ARN or not', () => {
    const client = new SFNClient({ region: 'us-east-1' });
    const arn = 'arn:aws:states:us-east-1:123456789012:stateMachine:OrderProcessing';
    expect(new StepFunctionsOrderExecutions(client, `${arn}:live`).arnOf('ord_1')).toBe('arn:aws:states:us-east-1:123456789012:execution:OrderProcessing:ord_1');
    expect(new StepFunctionsOrderExecutions(client, arn).arnOf('ord_1')).toBe('arn:aws:states:us-east-1:123456789012:execution:OrderProcessing:ord_1');
  });
});

describe('operator routes (admin-orders)', () => {
  it('refuses a request without an IAM principal with 403', async () => {
    const { deps } = setup();
    expect((await adminOrders(deps, adminEvent('GET', '/admin/orders', { query: { status: 'FAILED' }, userArn: null }))).statusCode).toBe(403);
  });

  it('lists one status newest first and hands back an opaque cursor that the next request validates', async () => {
    const { deps, listing } = setup();
    const first = parseResponse(await adminOrders(deps, adminEvent('GET', '/admin/orders', { query: { status: 'FAILED', limit: '10' } })));
    expect(first.statusCode).toBe(200);
    const cursor = first.body.nextCursor as string;
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    const second = await adminOrders(deps, adminEvent('GET', '/admin/orders', { query: { status: 'FAILED', cursor } }));
    expect(second.statusCode).toBe(200);
    expect(listing.queries[1]).toEqual({ status: 'FAILED', limit: 25, after: { orderId: `ord_${'b'.repeat(32)}`, status: 'FAILED', createdAt: '2026-12-01T10:00:00.000Z' } });
  });

  it.each([
    ['a missing status', { limit: '5' }],
    ['an unknown status', { status: 'LOST' }],
    ['a limit over 100', { status: 'FAILED', limit: '101' }],
    ['a from after to', { status: 'FAILED', from: '2026-12-02T00:00:00.000Z', to: '2026-12-01T00:00:00.000Z' }],
    ['a garbled cursor', { status: 'FAILED', cursor: 'not-a-cursor' }],
    ['a cursor of another status', { status: 'FAILED', cursor: encodeCursor({ status: 'COMPLETED', createdAt: '2026-12-01T10:00:00.000Z', orderId: `ord_${'a'.repeat(32)}` }) }],
    ['a cursor outside the range', { status: 'FAILED', to: '2026-11-30T00:00:00.000Z', cursor: encodeCursor({ status: 'FAILED', createdAt: '2026-12-01T10:00:00.000Z', orderId: `ord_${'a'.repeat(32)}` }) }],
  ])('answers 400 for %s', async (_case, query) => {
    const { deps, listing } = setup();
    const response = await adminOrders(deps, adminEvent('GET', '/admin/orders', { query }));
    expect(response.statusCode).toBe(400);
    expect(listing.queries).toEqual([]);
  });

  it('parses from, to and limit into the index query', () => {
    expect(parseListQuery({ status: 'RECEIVED', from: '2026-12-01T00:00:00Z', to: '2026-12-01T23:59:59.999Z', limit: '100' })).toEqual({
      ok: true,
      query: { status: 'RECEIVED', from: '2026-12-01T00:00:00.000Z', to: '2026-12-01T23:59:59.999Z', limit: 100 },
    });
  });

  it('shows any order with its timeline, owner and execution ARN', async () => {
    const order = compensationFailed();
    const { deps } = setup(order, { status: 'FAILED', redriveCount: 0, error: 'CompensationFailed' });
    const response = parseResponse(await adminOrders(deps, adminEvent('GET', '/admin/orders/{orderId}', { orderId: order.orderId })));
    expect(response.statusCode).toBe(200);
    expect(response.body).toMatchObject({ orderId: order.orderId, owner: 'key-a', executionArn: `${EXECUTIONS_OF}${order.orderId}`, execution: { status: 'FAILED', redriveCount: 0 } });
    expect(response.body.timeline).toEqual(expect.arrayContaining([expect.objectContaining({ step: 'Cancel Shipment', status: 'FAILED', attempts: 3 })]));
  });

  it('redrives a Compensation Failed order once, and answers a repeated retry without a second redrive', async () => {
    const order = compensationFailed();
    const { deps, executions } = setup(order, { status: 'FAILED', redriveCount: 0, error: 'CompensationFailed' });
    const retry = () => adminOrders(deps, adminEvent('POST', '/admin/orders/{orderId}/retry', { orderId: order.orderId }));
    const first = parseResponse(await retry());
    expect(first).toMatchObject({ statusCode: 202, body: { outcome: 'REDRIVEN', reason: 'COMPENSATION_FAILED', execution: { status: 'RUNNING', redriveCount: 1 } } });
    const again = parseResponse(await retry());
    expect(again).toMatchObject({ statusCode: 202, body: { outcome: 'ALREADY_REDRIVEN' } });
    expect(executions.redrives).toBe(1);
  });

  it('redrives a Receipt Failed order (COMPLETED, receipt FAILED, stopped at Generate Receipt)', async () => {
    const order = orderRecord(undefined, { status: 'COMPLETED', receipt: { status: 'FAILED', error: { code: 'ReceiptStoreUnavailable', message: 'down' } } });
    const { deps, executions } = setup(order, { status: 'FAILED', redriveCount: 0, error: 'ReceiptGenerationFailed' });
    const response = parseResponse(await adminOrders(deps, adminEvent('POST', '/admin/orders/{orderId}/retry', { orderId: order.orderId })));
    expect(response).toMatchObject({ statusCode: 202, body: { outcome: 'REDRIVEN', reason: 'RECEIPT_FAILED' } });
    expect(executions.redrives).toBe(1);
  });

  it('redrives a captured order whose Generate Receipt stopped the execution without recording the failure', async () => {
    const order = orderRecord(undefined, { status: 'PAYMENT_CAPTURED' });
    const { deps, executions } = setup(order, { status: 'FAILED', redriveCount: 0, error: 'Runtime.ExitError' });
    const response = parseResponse(await adminOrders(deps, adminEvent('POST', '/admin/orders/{orderId}/retry', { orderId: order.orderId })));
    expect(response).toMatchObject({ statusCode: 202, body: { outcome: 'REDRIVEN', reason: 'RECEIPT_FAILED' } });
    expect(executions.redrives).toBe(1);
  });

  it('redrives an open order whose compensation stopped the execution without recording its step (a Lambda-level failure)', async () => {
    const order = orderRecord(undefined, { status: 'CANCELLING' });
    order.steps['Void Payment'] = { status: 'RETRYING', attempts: 6, error: { code: 'DependencyUnavailable', message: 'down' } };
    const { deps, executions } = setup(order, { status: 'FAILED', redriveCount: 0, error: 'Sandbox.Timedout' });
    const response = parseResponse(await adminOrders(deps, adminEvent('POST', '/admin/orders/{orderId}/retry', { orderId: order.orderId })));
    expect(response).toMatchObject({ statusCode: 202, body: { outcome: 'REDRIVEN', reason: 'COMPENSATION_FAILED' } });
    expect(executions.redrives).toBe(1);
  });

  it.each([
    ['a COMPLETED order', orderRecord(undefined, { status: 'COMPLETED' }), { status: 'SUCCEEDED' as const, redriveCount: 0 }],
    ['an order still running', orderRecord(undefined, { status: 'SHIPPED' }), { status: 'RUNNING' as const, redriveCount: 0 }],
    ['a declined (FAILED) order', orderRecord(undefined, { status: 'FAILED' }), { status: 'FAILED' as const, redriveCount: 0 }],
  ])('refuses to retry %s with 409', async (_case, order, execution) => {
    const { deps, executions } = setup(order, execution);
    const response = await adminOrders(deps, adminEvent('POST', '/admin/orders/{orderId}/retry', { orderId: order.orderId }));
    expect(response.statusCode).toBe(409);
    expect(executions.redrives).toBe(0);
  });
});
