import { type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { OrderRecord } from '#domain/order';
import type { ListPosition, ListQuery, OrderListing, OrderSummary } from '#ports/order-listing';

/** The sparse GSI on status + createdAt (template.yaml OrdersTable). */
export const BY_STATUS_INDEX = 'byStatus';

type IndexedOrder = Pick<OrderRecord, 'orderId' | 'status' | 'createdAt' | 'customerId' | 'ownerApiKeyId' | 'totals' | 'failure'>;

/** The operators' list from one Query on the byStatus index (never a Scan), newest first. */
export class DynamoDbOrderListing implements OrderListing {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async list(query: ListQuery): Promise<{ orders: OrderSummary[]; next?: ListPosition }> {
    const range = rangeCondition(query);
    const result = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: BY_STATUS_INDEX,
        KeyConditionExpression: `#status = :status${range.expression}`,
        ExpressionAttributeNames: { '#status': 'status', ...(range.expression ? { '#createdAt': 'createdAt' } : {}) },
        ExpressionAttributeValues: { ':status': query.status, ...range.values },
        ScanIndexForward: false,
        Limit: query.limit,
        ...(query.after ? { ExclusiveStartKey: { ...query.after } } : {}),
      }),
    );
    const orders = ((result.Items ?? []) as IndexedOrder[]).map(toSummary);
    const last = result.LastEvaluatedKey as ListPosition | undefined;
    return last ? { orders, next: { orderId: last.orderId, status: last.status, createdAt: last.createdAt } } : { orders };
  }
}

function rangeCondition(query: ListQuery): { expression: string; values: Record<string, string> } {
  if (query.from !== undefined && query.to !== undefined) return { expression: ' AND #createdAt BETWEEN :from AND :to', values: { ':from': query.from, ':to': query.to } };
  if (query.from !== undefined) return { expression: ' AND #createdAt >= :from', values: { ':from': query.from } };
  if (query.to !== undefined) return { expression: ' AND #createdAt <= :to', values: { ':to': query.to } };
  return { expression: '', values: {} };
}

function toSummary(item: IndexedOrder): OrderSummary {
  return {
    orderId: item.orderId,
    status: item.status,
    createdAt: item.createdAt,
    customerId: item.customerId,
    owner: item.ownerApiKeyId,
    total: item.totals.total,
    failure: item.failure ?? null,
  };
}
