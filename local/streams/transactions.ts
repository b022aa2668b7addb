import { type AttributeMap, itemKey } from './stream-log';

/*
 * TransactWriteItems and TransactGetItems, which dynalite 4 does not implement (it answers
 * UnknownOperationException), built from its single-item operations by the capture proxy while it
 * holds the lock of every item the transaction names. As DynamoDB does, every condition is checked
 * against the state before the transaction, and either all writes apply or none: a write that
 * dynalite refuses part-way is undone by restoring the earlier items' before images. What differs:
 * a reader that bypasses the locks (GetItem, Query) can see a transaction half applied for the few
 * milliseconds it takes; ClientRequestToken idempotency is not kept.
 */

export interface DynamoAnswer {
  status: number;
  body: Buffer;
}

/** A single-item call to dynalite. */
export type SendOperation = (operation: string, body: Record<string, unknown>) => Promise<DynamoAnswer>;

export interface TransactionItem {
  kind: 'Put' | 'Update' | 'Delete' | 'ConditionCheck';
  action: Record<string, unknown>;
  tableName: string;
  key: AttributeMap;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The ExpressionAttributeNames/Values a condition uses: dynalite refuses unused ones, and an action's other expressions use some. */
function usedBy(expression: string, names: unknown, values: unknown): Record<string, unknown> {
  const pick = (map: unknown, prefix: string) => {
    if (!isRecord(map)) return undefined;
    const used = Object.entries(map).filter(([token]) => new RegExp(`${prefix === '#' ? '#' : ':'}${token.slice(1).replace(/[^\w]/g, '\\$&')}(?![\\w])`).test(expression));
    return used.length > 0 ? Object.fromEntries(used) : undefined;
  };
  const pickedNames = pick(names, '#');
  const pickedValues = pick(values, ':');
  return { ...(pickedNames ? { ExpressionAttributeNames: pickedNames } : {}), ...(pickedValues ? { ExpressionAttributeValues: pickedValues } : {}) };
}

function error(type: string, message: string, extra: Record<string, unknown> = {}): DynamoAnswer {
  return { status: 400, body: Buffer.from(JSON.stringify({ __type: `com.amazonaws.dynamodb.v20120810#${type}`, message, Message: message, ...extra })) };
}

const errorType = (answer: DynamoAnswer) => ((JSON.parse(answer.body.toString('utf8') || '{}') as { __type?: string }).__type ?? '').split('#').pop() ?? '';

/** Checks one item's condition against its current (before) image without changing it. */
async function checkCondition(send: SendOperation, item: TransactionItem, before: AttributeMap | undefined): Promise<DynamoAnswer | undefined> {
  const condition = item.action.ConditionExpression;
  if (typeof condition !== 'string' || condition === '') return undefined;
  const expression = usedBy(condition, item.action.ExpressionAttributeNames, item.action.ExpressionAttributeValues);
  // A Put of the item as it is, or a Delete of an absent one, changes nothing but evaluates the condition.
  const answer = before
    ? await send('PutItem', { TableName: item.tableName, Item: before, ConditionExpression: condition, ...expression })
    : await send('DeleteItem', { TableName: item.tableName, Key: item.key, ConditionExpression: condition, ...expression });
  return answer.status === 200 ? undefined : answer;
}

/** The write itself, without its condition (already checked). */
function apply(send: SendOperation, item: TransactionItem): Promise<DynamoAnswer> {
  const { action, tableName } = item;
  const expression = (text: unknown) => (typeof text === 'string' ? usedBy(text, action.ExpressionAttributeNames, action.ExpressionAttributeValues) : {});
  if (item.kind === 'Put') return send('PutItem', { TableName: tableName, Item: action.Item });
  if (item.kind === 'Delete') return send('DeleteItem', { TableName: tableName, Key: action.Key });
  return send('UpdateItem', { TableName: tableName, Key: action.Key, UpdateExpression: action.UpdateExpression, ...expression(action.UpdateExpression) });
}

/** Puts an item back as it was before the transaction (or removes it if it did not exist). */
async function restore(send: SendOperation, item: TransactionItem, before: AttributeMap | undefined): Promise<void> {
  await (before ? send('PutItem', { TableName: item.tableName, Item: before }) : send('DeleteItem', { TableName: item.tableName, Key: item.key }));
}

/**
 * Runs a TransactWriteItems whose items' locks the caller holds, given their before images.
 * Returns DynamoDB's answer: `{}`, a TransactionCanceledException with a reason per item, or the
 * first validation error.
 */
export async function transactWrite(send: SendOperation, items: TransactionItem[], before: (AttributeMap | undefined)[]): Promise<DynamoAnswer> {
  if (items.length === 0 || items.length > 100) return error('ValidationException', `1 validation error detected: Value at 'transactItems' failed to satisfy constraint: Member must have length between 1 and 100`);
  const keys = items.map((item) => itemKey(item.tableName, item.key));
  if (new Set(keys).size !== keys.length) return error('ValidationException', 'Transaction request cannot include multiple operations on one item');
  const reasons: Record<string, unknown>[] = [];
  for (const [index, item] of items.entries()) {
    const failed = await checkCondition(send, item, before[index]);
    if (!failed) {
      reasons.push({ Code: 'None' });
      continue;
    }
    if (errorType(failed) !== 'ConditionalCheckFailedException') return failed;
    const returnOld = item.action.ReturnValuesOnConditionCheckFailure === 'ALL_OLD' && before[index];
    reasons.push({ Code: 'ConditionalCheckFailed', Message: 'The conditional request failed', ...(returnOld ? { Item: before[index] } : {}) });
  }
  if (reasons.some((reason) => reason.Code !== 'None')) {
    return error('TransactionCanceledException', `Transaction cancelled, please refer cancellation reasons for specific reasons [${reasons.map((reason) => String(reason.Code)).join(', ')}]`, { CancellationReasons: reasons });
  }
  for (const [index, item] of items.entries()) {
    if (item.kind === 'ConditionCheck') continue;
    const answer = await apply(send, item);
    if (answer.status !== 200) {
      for (let undo = index - 1; undo >= 0; undo -= 1) {
        const done = items[undo] as TransactionItem;
        if (done.kind !== 'ConditionCheck') await restore(send, done, before[undo]);
      }
      return answer;
    }
  }
  return { status: 200, body: Buffer.from('{}') };
}

/** The items of a TransactWriteItems request, with their tables' keys. */
export function transactionItems(body: Record<string, unknown>, keyOf: (tableName: string, source: AttributeMap) => AttributeMap | undefined): TransactionItem[] | undefined {
  const items: TransactionItem[] = [];
  for (const entry of Array.isArray(body.TransactItems) ? body.TransactItems : []) {
    if (!isRecord(entry)) return undefined;
    const kind = (['Put', 'Update', 'Delete', 'ConditionCheck'] as const).find((name) => isRecord(entry[name]));
    const action = kind ? (entry[kind] as Record<string, unknown>) : undefined;
    if (!kind || !action || typeof action.TableName !== 'string') return undefined;
    const source = kind === 'Put' ? action.Item : action.Key;
    const key = isRecord(source) ? keyOf(action.TableName, source) : undefined;
    if (!key) return undefined;
    items.push({ kind, action, tableName: action.TableName, key });
  }
  return items;
}
