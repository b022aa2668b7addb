import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { type ApiSettings, identifyCaller } from '#api/endpoint';
import { FORBIDDEN, internalError, json, orderIdParameter, problem } from '#api/http';
import { type OrderView, toOrderView } from '#api/order-view';
import { logger } from '#platform/powertools';
import type { OrderListing, OrderSummary } from '#ports/order-listing';
import type { OrderRepository } from '#ports/order-repository';
import type { OrderExecutions } from '#ports/order-workflow';
import { encodeCursor, parseListQuery } from './list-query';
import { type RetryReason, decideRetry } from './retry';

/** GET /admin/orders: a page of one status's orders, newest first. */
export interface AdminOrderList {
  orders: (OrderSummary & { links: { self: string } })[];
  /** Opaque: pass it back unchanged as ?cursor= for the next page; null on the last page. */
  nextCursor: string | null;
}

/** The execution behind an order, as Step Functions describes it. */
export interface AdminExecutionSummary {
  status: string;
  redriveCount: number;
}

/** GET /admin/orders/{orderId}: any order's view with its step timeline, owner and execution. */
export type AdminOrderView = OrderView & {
  owner: string;
  executionArn: string;
  execution: (AdminExecutionSummary & { error: string | null }) | null;
};

/** POST /admin/orders/{orderId}/retry (202): what the retry did. */
export interface AdminRetryResult {
  orderId: string;
  /** REDRIVEN: redriven now; ALREADY_REDRIVEN: an earlier retry did, so nothing was done. */
  outcome: 'REDRIVEN' | 'ALREADY_REDRIVEN';
  reason: RetryReason | null;
  executionArn: string;
  execution: AdminExecutionSummary | null;
  links: { self: string };
}

export interface AdminOrdersDependencies {
  api: ApiSettings;
  orders: Pick<OrderRepository, 'get'>;
  listing: OrderListing;
  executions: OrderExecutions;
}

const ADMIN_BASE = '/admin/orders';

/**
 * The operator routes. API Gateway lets only principals whose policy allows the route (the
 * template's OperatorsPolicy) through, with `identity.userArn` set; without one this is 403.
 */
export async function adminOrders(deps: AdminOrdersDependencies, event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
  const caller = identifyCaller(event, deps.api);
  let response: APIGatewayProxyResult;
  if ('response' in caller) response = caller.response;
  else if (!caller.iam || !caller.owner) response = FORBIDDEN;
  else {
    const operator = caller.owner;
    try {
      response = await route(deps, event, operator);
    } catch (error) {
      response = internalError(error);
    }
  }
  return { ...response, headers: { ...response.headers, 'Access-Control-Allow-Origin': deps.api.allowOrigin } };
}

function route(deps: AdminOrdersDependencies, event: APIGatewayProxyEvent, operator: string): Promise<APIGatewayProxyResult> {
  const key = `${event.httpMethod} ${event.resource}`;
  if (key === 'GET /admin/orders') return listOrders(deps, event);
  if (key === 'GET /admin/orders/{orderId}') return getOrder(deps, event);
  if (key === 'POST /admin/orders/{orderId}/retry') return retryOrder(deps, event, operator);
  return Promise.resolve(problem(404, 'No such operator route'));
}

/** GET /admin/orders?status&from&to&limit&cursor: one status, newest first. */
async function listOrders(deps: AdminOrdersDependencies, event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
  const parsed = parseListQuery(event.queryStringParameters);
  if (!parsed.ok) return problem(400, 'The list query is invalid', parsed.errors);
  const page = await deps.listing.list(parsed.query);
  const body: AdminOrderList = {
    orders: page.orders.map((order) => ({ ...order, links: { self: `${ADMIN_BASE}/${order.orderId}` } })),
    nextCursor: page.next ? encodeCursor(page.next) : null,
  };
  return json(200, body);
}

/** GET /admin/orders/{orderId}: any order, with its step timeline, owner and execution ARN. */
async function getOrder(deps: AdminOrdersDependencies, event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
  const id = orderIdParameter(event);
  if (!id.ok) return id.response;
  const order = await deps.orders.get(id.orderId);
  if (!order) return problem(404, 'Order not found');
  const execution = await deps.executions.describe(order.orderId);
  const body: AdminOrderView = {
    ...toOrderView(order, ADMIN_BASE),
    owner: order.ownerApiKeyId,
    executionArn: deps.executions.arnOf(order.orderId),
    execution: execution ? { status: execution.status, redriveCount: execution.redriveCount, error: execution.error ?? null } : null,
  };
  return json(200, body);
}

/** POST /admin/orders/{orderId}/retry: redrive a Compensation Failed or Receipt Failed execution; idempotent; 409 otherwise. */
async function retryOrder(deps: AdminOrdersDependencies, event: APIGatewayProxyEvent, operator: string): Promise<APIGatewayProxyResult> {
  const id = orderIdParameter(event);
  if (!id.ok) return id.response;
  const order = await deps.orders.get(id.orderId);
  if (!order) return problem(404, 'Order not found');
  let execution = await deps.executions.describe(order.orderId);
  let decision = decideRetry(order, execution);
  let outcome: 'REDRIVEN' | 'ALREADY_REDRIVEN';
  if (decision.action === 'refuse') return problem(409, decision.message);
  if (decision.action === 'redrive') {
    const result = await deps.executions.redrive(order.orderId);
    if (result === 'notRedrivable') {
      // A concurrent retry won the race: answer as it did, or refuse what changed meanwhile.
      execution = await deps.executions.describe(order.orderId);
      decision = decideRetry(order, execution);
      if (decision.action !== 'alreadyRedriven') return problem(409, `The execution of order ${order.orderId} cannot be redriven now`);
      outcome = 'ALREADY_REDRIVEN';
    } else {
      outcome = 'REDRIVEN';
      execution = await deps.executions.describe(order.orderId);
    }
  } else outcome = 'ALREADY_REDRIVEN';
  logger.info('Operator retry', { orderId: order.orderId, operator, outcome, reason: decision.reason });
  const body: AdminRetryResult = {
    orderId: order.orderId,
    outcome,
    reason: decision.reason ?? null,
    executionArn: deps.executions.arnOf(order.orderId),
    execution: execution ? { status: execution.status, redriveCount: execution.redriveCount } : null,
    links: { self: `${ADMIN_BASE}/${order.orderId}` },
  };
  return json(202, body);
}
