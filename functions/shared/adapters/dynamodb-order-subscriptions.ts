import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, type DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { OrderSubscription, OrderSubscriptions } from '#ports/order-subscriptions';

/** API Gateway closes a WebSocket connection after 2 hours at most, so a row older than that is garbage. */
export const SUBSCRIPTION_TTL_SECONDS = 2 * 60 * 60;
/** The GSI on orderId (template.yaml ConnectionsTable). */
export const BY_ORDER_INDEX = 'byOrder';

/** The connections table keyed by `connectionId`, with `expiresAt` as its TTL attribute. */
export class DynamoDbOrderSubscriptions implements OrderSubscriptions {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async subscribe(subscription: OrderSubscription, now: Date): Promise<void> {
    const expiresAt = Math.floor(now.getTime() / 1000) + SUBSCRIPTION_TTL_SECONDS;
    await this.client.send(new PutCommand({ TableName: this.tableName, Item: { ...subscription, connectedAt: now.toISOString(), expiresAt } }));
  }

  async get(connectionId: string): Promise<OrderSubscription | undefined> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: { connectionId }, ConsistentRead: true }));
    if (!Item) return undefined;
    return { connectionId, orderId: String(Item.orderId), ownerApiKeyId: String(Item.ownerApiKeyId) };
  }

  async forOrder(orderId: string): Promise<string[]> {
    const ids: string[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: BY_ORDER_INDEX,
          KeyConditionExpression: 'orderId = :orderId',
          ExpressionAttributeValues: { ':orderId': orderId },
          ProjectionExpression: 'connectionId',
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      for (const item of page.Items ?? []) ids.push(String(item.connectionId));
      start = page.LastEvaluatedKey;
    } while (start);
    return ids;
  }

  async unsubscribe(connectionId: string): Promise<void> {
    await this.client.send(new DeleteCommand({ TableName: this.tableName, Key: { connectionId } }));
  }

  async forgetGone(connectionId: string, connectedBefore: Date): Promise<boolean> {
    try {
      // connectedAt is an ISO-8601 UTC string, so string order is time order.
      await this.client.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: { connectionId },
          ConditionExpression: 'connectedAt < :before',
          ExpressionAttributeValues: { ':before': connectedBefore.toISOString() },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }
}
