import { ApiGatewayManagementApiClient, GetConnectionCommand, PostToConnectionCommand } from '@aws-sdk/client-apigatewaymanagementapi';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DescribeSecretCommand, GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { ApiGatewayConnectionPush } from '#adapters/api-gateway-connection-push';
import { DynamoDbOrderRepository } from '#adapters/dynamodb-order-repository';
import { DynamoDbOrderSubscriptions } from '#adapters/dynamodb-order-subscriptions';
import { pushOrderView } from '#api/order-updates';
import type { OrderRecord } from '#domain/order';
import { signUpdateTicket } from '#domain/update-ticket';
import { type LocalRuntimeProcess, newStateDir, startLocalRuntime } from '../support/local-runtime';
import { orderRequest } from '../support/orders';
import { UpdatesSubscriber, upgradeStatus } from '../support/order-updates';
import { RuntimeClients } from '../support/runtime-clients';

/*
 * The WebSocket API of docs/realtime-updates.md on `npm start`, from the real template: a client
 * subscribes with links.updates from a real POST /orders, the $connect authorizer refuses forged,
 * expired and misdirected tickets, and pushOrderView, run with the real adapters against the local
 * endpoints (as PublishOrderChanges will run it), delivers views and closes on a terminal order.
 */
jest.setTimeout(120_000);

let runtime: LocalRuntimeProcess;
let clients: RuntimeClients;
let secrets: SecretsManagerClient;
let management: ApiGatewayManagementApiClient;
let documents: DynamoDBDocumentClient;

beforeAll(async () => {
  runtime = await startLocalRuntime(newStateDir(), { fresh: true });
  clients = new RuntimeClients(runtime.info);
  const common = { region: runtime.info.region, credentials: runtime.info.credentials };
  secrets = new SecretsManagerClient({ ...common, endpoint: runtime.info.endpoints.secretsmanager });
  management = new ApiGatewayManagementApiClient({ ...common, endpoint: String(runtime.info.webSocketUrl).replace(/^ws:/, 'http:') });
  documents = DynamoDBDocumentClient.from(new DynamoDBClient({ ...common, endpoint: runtime.info.endpoints.dynamodb }));
});
afterAll(async () => {
  await runtime.stop();
});

async function placeOrder(): Promise<{ orderId: string; updates: string }> {
  const response = await clients.api.request<{ orderId: string; links: { updates?: string } }>('POST', '/orders', { body: orderRequest() });
  expect(response.status).toBe(202);
  if (!response.body.links.updates) throw new Error(`POST /orders gave no links.updates: ${JSON.stringify(response.body)}`);
  return { orderId: response.body.orderId, updates: response.body.links.updates };
}

/** The template's ticket-key secret, as runtime.json names it. */
function secretArn(): string {
  const arn = runtime.info.secrets.UpdatesTicketSecret;
  if (!arn) throw new Error('runtime.json lists no UpdatesTicketSecret');
  return arn;
}

async function ticketKey(): Promise<string> {
  return String((await secrets.send(new GetSecretValueCommand({ SecretId: secretArn() }))).SecretString);
}

/** links.updates with its query replaced. */
function withQuery(updates: string, query: Record<string, string>): string {
  const url = new URL(updates);
  url.search = new URLSearchParams(query).toString();
  return url.toString();
}

describe('order updates over the WebSocket API (npm start)', () => {
  it('gives POST /orders a ws:// links.updates on the local WebSocket port, with the order id and a ticket', async () => {
    const { orderId, updates } = await placeOrder();
    const url = new URL(updates);
    expect(`${url.protocol}//${url.host}${url.pathname}`).toBe(runtime.info.webSocketUrl);
    expect(url.searchParams.get('orderId')).toBe(orderId);
    expect(url.searchParams.get('ticket')).toMatch(/^v1\.[A-Za-z0-9_-]+\.[0-9a-f]{64}$/);
  });

  it('subscribes with links.updates, sends the current view on {"action":"snapshot"}, and closes once the order is terminal', async () => {
    const { orderId, updates } = await placeOrder();
    const subscriber = new UpdatesSubscriber(updates);
    await subscriber.opened;
    subscriber.socket.send(JSON.stringify({ action: 'snapshot' }));

    const snapshot = await subscriber.waitForSnapshot();
    expect(snapshot).toMatchObject({ type: 'order', reason: 'snapshot', order: { orderId } });
    expect(JSON.stringify(snapshot)).not.toMatch(/tok_visa|paymentToken|Analytical Way/);

    // Terminal by now: a snapshot asked for after that is the last message, then the close. Views of
    // earlier changes the change feed is still pushing may arrive first (in order), never after it.
    await clients.api.waitForOrder(orderId, { resolveFailed: true });
    const late = new UpdatesSubscriber((await clients.api.request<{ links: { updates: string } }>('GET', `/orders/${orderId}`)).body.links.updates);
    await late.opened;
    late.socket.send(JSON.stringify({ action: 'snapshot' }));
    expect((await late.waitForClose()).code).toBe(1000);
    expect(late.messages.at(-1)?.order?.status).toBe('COMPLETED');
    subscriber.socket.close();
  });

  it('refuses at $connect a missing, tampered or malformed ticket (401) and a ticket presented for another order (403)', async () => {
    const a = await placeOrder();
    const b = await placeOrder();
    const ticketA = String(new URL(a.updates).searchParams.get('ticket'));
    const tampered = ticketA.slice(0, -1) + (ticketA.endsWith('0') ? '1' : '0');

    expect(await upgradeStatus(a.updates)).toBe(101);
    expect(await upgradeStatus(withQuery(a.updates, { orderId: a.orderId }))).toBe(401);
    expect(await upgradeStatus(withQuery(a.updates, { orderId: a.orderId, ticket: tampered }))).toBe(401);
    expect(await upgradeStatus(withQuery(a.updates, { orderId: a.orderId, ticket: 'not-a-ticket' }))).toBe(401);
    expect(await upgradeStatus(withQuery(a.updates, { orderId: b.orderId, ticket: ticketA }))).toBe(403);
    // Node's browser WebSocket sees the refusal as a failed open.
    await expect(new UpdatesSubscriber(withQuery(a.updates, { orderId: b.orderId, ticket: ticketA })).opened).rejects.toThrow('failed to open');
  });

  it("refuses an expired ticket, and one whose owner was rewritten to reach another key's order", async () => {
    const { orderId, updates } = await placeOrder();
    const key = await ticketKey();
    const expired = signUpdateTicket(key, { orderId, ownerApiKeyId: runtime.info.apiKeys[0]?.id ?? '' }, Date.now() - 10 * 60_000, 300);
    expect(await upgradeStatus(withQuery(updates, { orderId, ticket: expired }))).toBe(401);

    // The other key cannot read the order, so it never gets a link; a ticket re-signed without the key fails.
    expect((await clients.otherApi.request('GET', `/orders/${orderId}`)).status).toBe(404);
    const [version, payload, signature] = String(new URL(updates).searchParams.get('ticket')).split('.');
    const claims = JSON.parse(Buffer.from(String(payload), 'base64url').toString('utf8')) as Record<string, unknown>;
    const forged = `${String(version)}.${Buffer.from(JSON.stringify({ ...claims, k: runtime.info.apiKeys[1]?.id })).toString('base64url')}.${String(signature)}`;
    expect(await upgradeStatus(withQuery(updates, { orderId, ticket: forged }))).toBe(401);
  });

  it('pushOrderView with the real adapters delivers each view to the subscriber, then closes it on a terminal order and forgets the connection', async () => {
    const placed = await placeOrder();
    const order = (await new DynamoDbOrderRepository(documents, runtime.info.tables.OrdersTable ?? '').get(placed.orderId)) as OrderRecord;
    // A subscription to an order id no execution writes, so the change feed (which pushes the placed
    // order's own views as its saga runs) sends this subscriber nothing but the pushes below.
    const orderId = `ord_${'e'.repeat(32)}`;
    const final = { ...order, orderId };
    const ticket = signUpdateTicket(await ticketKey(), { orderId, ownerApiKeyId: order.ownerApiKeyId }, Date.now(), 300);
    const subscriber = new UpdatesSubscriber(withQuery(placed.updates, { orderId, ticket }));
    await subscriber.opened;
    const deps = {
      subscriptions: new DynamoDbOrderSubscriptions(documents, runtime.info.tables.ConnectionsTable ?? ''),
      push: new ApiGatewayConnectionPush(management),
      ordersBasePath: '/dev/orders',
    };

    expect(await pushOrderView(deps, { ...final, status: 'SHIPPED' })).toEqual({ sent: 1, gone: 0, closed: 0 });
    await subscriber.waitForMessages(1);
    expect(await pushOrderView(deps, { ...final, status: 'COMPLETED' })).toEqual({ sent: 1, gone: 0, closed: 1 });
    await subscriber.waitForClose();
    expect(subscriber.messages.map((message) => message.order?.status)).toEqual(['SHIPPED', 'COMPLETED']);
    expect(await deps.subscriptions.forOrder(orderId)).toEqual([]);
  });

  it('answers PostToConnection and GetConnection for a closed connection with GoneException through the real SDK client', async () => {
    const { orderId, updates } = await placeOrder();
    const subscriber = new UpdatesSubscriber(updates);
    await subscriber.opened;
    const subscriptions = new DynamoDbOrderSubscriptions(documents, runtime.info.tables.ConnectionsTable ?? '');
    const [connectionId] = await subscriptions.forOrder(orderId);
    if (!connectionId) throw new Error('$connect recorded no connection');
    expect((await management.send(new GetConnectionCommand({ ConnectionId: connectionId }))).ConnectedAt).toBeInstanceOf(Date);

    subscriber.socket.close();
    await subscriber.waitForClose();
    await expect(management.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: Buffer.from('{}') }))).rejects.toMatchObject({ name: 'GoneException', $metadata: { httpStatusCode: 410 } });
    await expect(management.send(new GetConnectionCommand({ ConnectionId: connectionId }))).rejects.toMatchObject({ name: 'GoneException' });
    // $disconnect removed the row (the deadline covers the asynchronous $disconnect invoke).
    const deadline = Date.now() + 10_000;
    while ((await documents.send(new GetCommand({ TableName: runtime.info.tables.ConnectionsTable, Key: { connectionId } }))).Item && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect((await documents.send(new GetCommand({ TableName: runtime.info.tables.ConnectionsTable, Key: { connectionId } }))).Item).toBeUndefined();
  });

  it('forgets a gone connection on DynamoDB only when it connected before the cutoff (a young one may still be in its $connect)', async () => {
    const table = runtime.info.tables.ConnectionsTable ?? '';
    const subscriptions = new DynamoDbOrderSubscriptions(documents, table);
    const connectedAt = new Date('2026-12-01T12:00:00.000Z');
    await subscriptions.subscribe({ connectionId: 'forget-me', orderId: 'ord_forget', ownerApiKeyId: 'k' }, connectedAt);

    expect(await subscriptions.forgetGone('forget-me', connectedAt)).toBe(false);
    expect(await subscriptions.get('forget-me')).toBeDefined();
    expect(await subscriptions.forgetGone('forget-me', new Date(connectedAt.getTime() + 1))).toBe(true);
    expect(await subscriptions.get('forget-me')).toBeUndefined();
    expect(await subscriptions.forgetGone('forget-me', new Date())).toBe(false);
  });

  it('guards the @connections API like the other AWS endpoints, and the WebSocket port by Host', async () => {
    const managementUrl = `${String(runtime.info.webSocketUrl).replace(/^ws:/, 'http:')}/@connections/abc`;
    expect((await fetch(managementUrl, { method: 'POST', body: '{}' })).status).toBe(403);
    const { updates } = await placeOrder();
    expect(await upgradeStatus(updates, { Host: 'rebound.example.com' })).toBe(421);
  });

  it('serves the template-generated ticket key on the local Secrets Manager by name and by ARN, the same value on every read', async () => {
    const arn = secretArn();
    const byArn = await secrets.send(new GetSecretValueCommand({ SecretId: arn }));
    const described = await secrets.send(new DescribeSecretCommand({ SecretId: arn }));
    const byName = await secrets.send(new GetSecretValueCommand({ SecretId: String(described.Name) }));
    expect(byArn.SecretString).toMatch(/^[A-Za-z0-9]{64}$/);
    expect(byName.SecretString).toBe(byArn.SecretString);
    await expect(secrets.send(new GetSecretValueCommand({ SecretId: 'no-such-secret' }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  });
});
