import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { LedgerEntry, LedgerGuard, SimulatorLedger } from '#ports/simulator-ledger';

/** The ledger in a DynamoDB table keyed by `pk`. */
export class DynamoDbSimulatorLedger implements SimulatorLedger {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async get<T extends LedgerEntry>(pk: string): Promise<T | undefined> {
    const result = await this.client.send(new GetCommand({ TableName: this.tableName, Key: { pk }, ConsistentRead: true }));
    return result.Item as T | undefined;
  }

  async insert<T extends LedgerEntry>(entry: T): Promise<T> {
    try {
      await this.client.send(new PutCommand({ TableName: this.tableName, Item: entry, ConditionExpression: 'attribute_not_exists(pk)' }));
      return entry;
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const existing = await this.get<T>(entry.pk);
      if (!existing) throw error;
      return existing;
    }
  }

  async transition<T extends LedgerEntry>(
    pk: string,
    from: readonly string[],
    to: string,
    set: Record<string, unknown>,
    guards: readonly LedgerGuard[] = [],
  ): Promise<T | undefined> {
    const fields = Object.entries({ ...set, status: to, updatedAt: this.now().toISOString() });
    const fromValues = from.map((status, index) => [`:from${index}`, status] as const);
    const guarded = guards.map((guard, index) => {
      const path = guard.path.split('.').map((_, part) => `#g${index}_${part}`);
      const names = Object.fromEntries(guard.path.split('.').map((key, part) => [`#g${index}_${part}`, key]));
      const operand = path.join('.');
      const [expression, value] =
        'equals' in guard ? [`${operand} = :g${index}`, guard.equals] : 'notEquals' in guard ? [`${operand} <> :g${index}`, guard.notEquals] : [`${operand} >= :g${index}`, guard.atLeast];
      return { expression, names, value: [`:g${index}`, value] as const };
    });
    try {
      const result = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk },
          UpdateExpression: `SET ${fields.map((_, index) => `#f${index} = :f${index}`).join(', ')}`,
          ConditionExpression: [`#status IN (${fromValues.map(([key]) => key).join(', ')})`, ...guarded.map((guard) => guard.expression)].join(' AND '),
          ExpressionAttributeNames: {
            '#status': 'status',
            ...Object.fromEntries(fields.map(([key], index) => [`#f${index}`, key])),
            ...Object.fromEntries(guarded.flatMap((guard) => Object.entries(guard.names))),
          },
          ExpressionAttributeValues: {
            ...Object.fromEntries(fromValues),
            ...Object.fromEntries(guarded.map((guard) => guard.value)),
            ...Object.fromEntries(fields.map(([, value], index) => [`:f${index}`, value])),
          },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return result.Attributes as T;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return undefined;
      throw error;
    }
  }

  async countAttempt(key: string): Promise<number> {
    const result = await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: `attempts#${key}` },
        UpdateExpression: 'ADD attempts :one',
        ExpressionAttributeValues: { ':one': 1 },
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    return Number(result.Attributes?.attempts ?? 0);
  }
}
