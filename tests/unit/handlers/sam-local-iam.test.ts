import { adminOrders } from '../../../functions/admin-orders/admin-orders';
import { getOrder } from '../../../functions/get-order/get-order';
import { parseLocalIamPrincipals } from '#api/local-iam';
import { NO_UPDATES_LINKS } from '#api/updates-link';
import type { ExecutionState, OrderExecutions } from '#ports/order-workflow';
import { MemoryOrderRepository } from '../../support/memory-stores';
import { orderRecord } from '../../support/orders';
import { signRequest } from '../../support/sigv4-signer';
import { parseResponse, samLocalEvent } from '../helpers/api';

const INTEGRATOR = { accessKeyId: 'AKIALOCALINTEGRATOR1', secretAccessKey: 'integrator-secret', userArn: 'arn:aws:iam::000000000000:user/local-integrator', allow: ['POST/integrations/orders', 'GET/integrations/orders/*'] };
const OPERATOR = { accessKeyId: 'AKIALOCALOPERATOR001', secretAccessKey: 'operator-secret', userArn: 'arn:aws:iam::000000000000:user/local-operator', allow: ['GET/admin/orders', 'GET/admin/orders/*'] };
const iam = parseLocalIamPrincipals(JSON.stringify([INTEGRATOR, OPERATOR]), 'us-east-1');
const api = { allowOrigin: '*', samLocalKeys: undefined, samLocalIam: iam };
const NO_EXECUTIONS: OrderExecutions = { arnOf: (id) => `arn:aws:states:us-east-1:000000000000:execution:M:${id}`, describe: () => Promise.resolve<ExecutionState | undefined>(undefined), redrive: () => Promise.resolve('notRedrivable' as const) };

/** The event `sam local start-api` builds for a signed request: no stage in the path, no identity. */
async function signedSamLocalEvent(path: string, resource: string, credentials: { accessKeyId: string; secretAccessKey: string }, pathParameters: Record<string, string> | null) {
  const signed = await signRequest(`http://127.0.0.1:3100${path}`, {}, credentials);
  return samLocalEvent({ path, resource, headers: signed.headers, pathParameters });
}

describe('AWS_IAM routes under sam local (AWS_SAM_LOCAL=true, LOCAL_IAM_PRINCIPALS)', () => {
  it("serves the signer's own orders and not a key's, as on AWS", async () => {
    const orders = new MemoryOrderRepository();
    const owned = orderRecord(undefined, { orderId: `ord_${'1'.repeat(32)}`, ownerApiKeyId: INTEGRATOR.userArn });
    const keyOwned = orderRecord(undefined, { orderId: `ord_${'2'.repeat(32)}` });
    await orders.create(owned);
    await orders.create(keyOwned);
    const deps = { api, orders, updates: NO_UPDATES_LINKS };
    const mine = await getOrder(deps, await signedSamLocalEvent(`/integrations/orders/${owned.orderId}`, '/integrations/orders/{orderId}', INTEGRATOR, { orderId: owned.orderId }));
    expect(mine.statusCode).toBe(200);
    const theirs = await getOrder(deps, await signedSamLocalEvent(`/integrations/orders/${keyOwned.orderId}`, '/integrations/orders/{orderId}', INTEGRATOR, { orderId: keyOwned.orderId }));
    expect(theirs.statusCode).toBe(404);
  });

  it("refuses a wrong secret and a route outside the caller's policy with API Gateway's 403 bodies", async () => {
    const deps = { api, orders: new MemoryOrderRepository(), listing: { list: () => Promise.resolve({ orders: [] }) }, executions: NO_EXECUTIONS };
    const forged = parseResponse(await adminOrders(deps, await signedSamLocalEvent('/admin/orders', '/admin/orders', { ...OPERATOR, secretAccessKey: 'wrong' }, null)));
    expect(forged.statusCode).toBe(403);
    expect(String(forged.body.message)).toMatch(/^The request signature we calculated does not match/);
    const unsigned = parseResponse(await adminOrders(deps, samLocalEvent({ path: '/admin/orders', resource: '/admin/orders' })));
    expect(unsigned).toMatchObject({ statusCode: 403, body: { message: 'Missing Authentication Token' } });
    const integrator = parseResponse(await adminOrders(deps, await signedSamLocalEvent('/admin/orders', '/admin/orders', INTEGRATOR, null)));
    expect(integrator).toMatchObject({ statusCode: 403, body: { Message: `User: ${INTEGRATOR.userArn} is not authorized to perform: execute-api:Invoke on resource: GET/admin/orders` } });
    const operator = await adminOrders(deps, { ...(await signedSamLocalEvent('/admin/orders', '/admin/orders', OPERATOR, null)), queryStringParameters: null });
    // Signed without a query, so the list's own validation answers: the caller got through.
    expect(operator.statusCode).toBe(400);
  });
});
