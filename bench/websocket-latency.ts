import { ApiGatewayManagementApiClient } from '@aws-sdk/client-apigatewaymanagementapi';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ApiGatewayConnectionPush } from '#adapters/api-gateway-connection-push';
import { DynamoDbOrderRepository } from '#adapters/dynamodb-order-repository';
import { DynamoDbOrderSubscriptions } from '#adapters/dynamodb-order-subscriptions';
import { pushOrderView } from '#api/order-updates';
import { runScript, withInProcessRuntime } from './lib/in-process-runtime';
import { apiClient } from '../tests/support/runtime-clients';
import { UpdatesSubscriber } from '../tests/support/order-updates';
import { orderRequest } from '../tests/support/orders';
import { quantile } from '../tests/support/report';

/*
 * `npx tsx bench/websocket-latency.ts [orders]`: on a fresh in-process runtime, for each order (one
 * at a time) the time from opening links.updates to `open` ($connect authorizer + integration), to
 * the snapshot answering {"action":"snapshot"}, and from calling pushOrderView (real adapters against
 * the local DynamoDB and @connections API, as PublishOrderChanges will) to the message arriving.
 */
async function main(): Promise<void> {
  const orders = Number(process.argv[2] ?? 40);
  await withInProcessRuntime('order-ws-latency', async (runtime) => {
    const { info } = runtime;
    const api = apiClient(info.apiUrl, info.apiKeys[0]?.value ?? '');
    const common = { region: info.region, credentials: info.credentials };
    const documents = DynamoDBDocumentClient.from(new DynamoDBClient({ ...common, endpoint: info.endpoints.dynamodb }));
    const deps = {
      subscriptions: new DynamoDbOrderSubscriptions(documents, info.tables.ConnectionsTable ?? ''),
      push: new ApiGatewayConnectionPush(new ApiGatewayManagementApiClient({ ...common, endpoint: String(info.webSocketUrl).replace(/^ws:/, 'http:') })),
      ordersBasePath: '/dev/orders',
    };
    const repository = new DynamoDbOrderRepository(documents, info.tables.OrdersTable ?? '');
    const open: number[] = [];
    const snapshot: number[] = [];
    const push: number[] = [];
    for (let index = 0; index < orders; index++) {
      const placed = await api.request<{ orderId: string; links: { updates: string } }>('POST', '/orders', { body: orderRequest() });
      const started = performance.now();
      const subscriber = new UpdatesSubscriber(placed.body.links.updates);
      await subscriber.opened;
      open.push(performance.now() - started);
      subscriber.socket.send(JSON.stringify({ action: 'snapshot' }));
      await subscriber.waitForSnapshot();
      snapshot.push(performance.now() - started);
      const order = await repository.get(placed.body.orderId);
      if (!order) throw new Error('order vanished');
      const before = subscriber.messages.length;
      const pushed = performance.now();
      await pushOrderView(deps, { ...order, status: 'SHIPPED' });
      await subscriber.waitForMessages(before + 1);
      push.push(performance.now() - pushed);
      subscriber.socket.close();
      await subscriber.waitForClose();
    }
    const row = (label: string, values: number[]) =>
      `  ${label.padEnd(44)} p50 ${quantile(values, 0.5).toFixed(1)} ms   p99 ${quantile(values, 0.99).toFixed(1)} ms   (n=${String(values.length)})`;
    console.log(`\nOrder updates over the local WebSocket API (Node ${process.version}; first sample includes cold starts)`);
    console.log(row('connect: new WebSocket -> open', open));
    console.log(row('connect + snapshot: -> its answer', snapshot));
    console.log(row('pushOrderView -> message at the client', push));
  });
}

runScript(main);
