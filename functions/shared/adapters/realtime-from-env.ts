import { ApiGatewayManagementApiClient } from '@aws-sdk/client-apigatewaymanagementapi';
import { type UpdatesLinks, updatesLinks } from '#api/updates-link';
import { MAX_TICKET_TTL_SECONDS } from '#domain/update-ticket';
import { dynamoDb } from '#platform/aws-clients';
import { requireEnv, requireIntEnv } from '#platform/config';
import { cachedSecret } from '#platform/secrets';
import { traced } from '#platform/tracing';
import type { ConnectionPush, OrderSubscriptions } from '#ports/order-subscriptions';
import { ApiGatewayConnectionPush } from './api-gateway-connection-push';
import { DynamoDbOrderSubscriptions } from './dynamodb-order-subscriptions';

/*
 * The real-time updates adapters (docs/realtime-updates.md), apart from from-env.ts so that only
 * the functions that use them bundle the management API and Secrets Manager clients.
 */

/** The connections table (CONNECTIONS_TABLE_NAME). */
export function orderSubscriptionsFromEnv(): OrderSubscriptions {
  return new DynamoDbOrderSubscriptions(dynamoDb(), requireEnv('CONNECTIONS_TABLE_NAME'));
}

/**
 * The WebSocket stage's @connections API. Its endpoint is per API and stage, so no standard
 * AWS_ENDPOINT_URL_* variable can hold it: WEBSOCKET_MANAGEMENT_ENDPOINT is
 * https://{api}.execute-api.{region}.amazonaws.com/{stage}, which the local runtime points at itself.
 */
export function connectionPushFromEnv(): ConnectionPush {
  const endpoint = requireEnv('WEBSOCKET_MANAGEMENT_ENDPOINT');
  return new ApiGatewayConnectionPush(traced(new ApiGatewayManagementApiClient({ endpoint })));
}

/** The ticket key (UPDATES_TICKET_SECRET_ARN), read through Powertools Parameters and cached. */
export function ticketKeyFromEnv(): () => Promise<string> {
  return cachedSecret(requireEnv('UPDATES_TICKET_SECRET_ARN'));
}

/** links.updates for the API functions (UPDATES_WEBSOCKET_URL, UPDATES_TICKET_TTL_SECONDS, the ticket key). */
export function updatesLinksFromEnv(): UpdatesLinks {
  return updatesLinks({
    url: requireEnv('UPDATES_WEBSOCKET_URL'),
    ticketTtlSeconds: requireIntEnv('UPDATES_TICKET_TTL_SECONDS', 1, MAX_TICKET_TTL_SECONDS),
    key: ticketKeyFromEnv(),
    now: Date.now,
  });
}

/** ORDERS_BASE_PATH: the REST API's /orders path (e.g. /dev/orders), for the pushed views' links. */
export function ordersBasePathFromEnv(): string {
  return requireEnv('ORDERS_BASE_PATH');
}
