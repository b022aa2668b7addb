import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { OrderNotFound, OrderStateConflict } from '#domain/errors';
import { type FailureRecord, type OrderPatch, type OrderRecord, type OrderStatus, type StepName, FORGOTTEN_ON_FAILURE, STEP_RULES, recordsStart } from '#domain/order';
import type { OrderRepository, StepFailure, StepStart } from '#ports/order-repository';

/** Builds `:p0, :p1, …` placeholders for an IN condition. */
function inList(prefix: string, values: readonly string[]): { expression: string; values: Record<string, string> } {
  const entries = values.map((value, index) => [`:${prefix}${index}`, value] as const);
  return { expression: entries.map(([key]) => key).join(', '), values: Object.fromEntries(entries) };
}

const STEP_NAMES = { '#steps': 'steps', '#st': 'status' };

/** `#pN = :pN` SET clauses, names and values for an order patch (undefined fields left out). */
function patchExpression(patch: OrderPatch): { set: string[]; names: Record<string, string>; values: Record<string, unknown> } {
  const entries = Object.entries(patch).filter(([, value]) => (value as unknown) !== undefined);
  return {
    set: entries.map((_, index) => `#p${index} = :p${index}`),
    names: Object.fromEntries(entries.map(([key], index) => [`#p${index}`, key])),
    values: Object.fromEntries(entries.map(([, value], index) => [`:p${index}`, value])),
  };
}

/** SET clauses that record a forward step's attempt in its outcome write. */
const ATTEMPT_SET = '#steps.#step.attempts = #steps.#step.attempts + :one, #steps.#step.startedAt = if_not_exists(#steps.#step.startedAt, :attemptStartedAt)';

/** The answer to a start the order does not allow: the recorded success of a duplicate, or a named error. */
function refusedStart(orderId: string, step: StepName, order: OrderRecord | undefined): StepStart {
  if (!order) throw new OrderNotFound(`Order ${orderId} does not exist`);
  if (order.steps[step].status === 'SUCCEEDED') return { kind: 'alreadySucceeded', order };
  throw new OrderStateConflict(`${step} cannot start while order ${orderId} is ${order.status}`);
}

/** Orders in one DynamoDB item per order, keyed by `orderId`. */
export class DynamoDbOrderRepository implements OrderRepository {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async create(order: OrderRecord): Promise<'created' | 'exists'> {
    try {
      await this.client.send(
        new PutCommand({ TableName: this.tableName, Item: order, ConditionExpression: 'attribute_not_exists(orderId)' }),
      );
      return 'created';
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return 'exists';
      throw error;
    }
  }

  async get(orderId: string): Promise<OrderRecord | undefined> {
    const result = await this.client.send(new GetCommand({ TableName: this.tableName, Key: { orderId }, ConsistentRead: true }));
    return result.Item as OrderRecord | undefined;
  }

  async startStep(orderId: string, step: StepName, now: Date): Promise<StepStart> {
    const rule = STEP_RULES[step];
    const { whileRunning } = rule;
    if (whileRunning === undefined) {
      // A forward step only reads: its attempt is written with its outcome.
      const order = await this.get(orderId);
      if (order && order.steps[step].status !== 'SUCCEEDED' && rule.startFrom.includes(order.status)) return { kind: 'started', order };
      return refusedStart(orderId, step, order);
    }
    const allowed = inList('from', [...rule.startFrom, whileRunning]);
    try {
      const result = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { orderId },
          UpdateExpression:
            'SET #steps.#step.#st = :running, #steps.#step.startedAt = if_not_exists(#steps.#step.startedAt, :now), ' +
            '#steps.#step.attempts = #steps.#step.attempts + :one, updatedAt = :now, #status = :whileRunning',
          ConditionExpression: `attribute_exists(orderId) AND #status IN (${allowed.expression}) AND #steps.#step.#st <> :succeeded`,
          ExpressionAttributeNames: { ...STEP_NAMES, '#step': step, '#status': 'status' },
          ExpressionAttributeValues: {
            ':running': 'RUNNING',
            ':succeeded': 'SUCCEEDED',
            ':now': now.toISOString(),
            ':one': 1,
            ':whileRunning': whileRunning,
            ...allowed.values,
          },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return { kind: 'started', order: result.Attributes as OrderRecord };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      return refusedStart(orderId, step, await this.get(orderId));
    }
  }

  async finishStep(orderId: string, step: StepName, patch: OrderPatch, now: Date, attemptStartedAt: Date): Promise<boolean> {
    const attempt = !recordsStart(step);
    const rule = STEP_RULES[step];
    const allowed = inList('from', rule.whileRunning ? [...rule.startFrom, rule.whileRunning] : rule.startFrom);
    const patched = patchExpression(patch);
    const forgets = rule.forgets ?? [];
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { orderId },
          UpdateExpression: [
            'SET #steps.#step.#st = :succeeded, #steps.#step.finishedAt = :now, updatedAt = :now, #status = :next',
            ...(attempt ? [ATTEMPT_SET] : []),
            ...patched.set,
          ].join(', ') + ` REMOVE ${['#steps.#step.#error', ...forgets.map((_, index) => `#f${index}`)].join(', ')}`,
          ConditionExpression: `#status IN (${allowed.expression}) AND #steps.#step.#st <> :succeeded`,
          ExpressionAttributeNames: {
            ...STEP_NAMES,
            '#step': step,
            '#status': 'status',
            '#error': 'error',
            ...patched.names,
            ...Object.fromEntries(forgets.map((key, index) => [`#f${index}`, key])),
          },
          ExpressionAttributeValues: {
            ':succeeded': 'SUCCEEDED',
            ':now': now.toISOString(),
            ':next': rule.onSuccess,
            ...(attempt ? { ':one': 1, ':attemptStartedAt': attemptStartedAt.toISOString() } : {}),
            ...allowed.values,
            ...patched.values,
          },
        }),
      );
      return true;
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const order = await this.get(orderId);
      if (!order) throw new OrderNotFound(`Order ${orderId} does not exist`);
      if (order.steps[step].status === 'SUCCEEDED') return false;
      throw new OrderStateConflict(`${step} cannot finish while order ${orderId} is ${order.status}`);
    }
  }

  async failStep(orderId: string, step: StepName, failure: StepFailure, now: Date, attemptStartedAt: Date): Promise<OrderStatus | undefined> {
    const terminal = failure.orderFailure !== undefined;
    const rule = STEP_RULES[step];
    const settlement = failure.settlement && rule.onFinalFailure ? failure.settlement : undefined;
    const attempt = !recordsStart(step);
    const allowed = inList('from', rule.startFrom);
    const moves = terminal || settlement !== undefined;
    const patched = patchExpression(settlement ?? {});
    try {
      const result = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { orderId },
          UpdateExpression:
            'SET #steps.#step.#st = :stepStatus, #steps.#step.#error = :error, updatedAt = :now' +
            (attempt ? `, ${ATTEMPT_SET}` : '') +
            (failure.retrying ? '' : ', #steps.#step.finishedAt = :now') +
            (settlement ? [', #status = :settled', ...patched.set].join(', ') : '') +
            (terminal ? `, #status = :failed, failure = :failure REMOVE ${FORGOTTEN_ON_FAILURE.map((_, index) => `#f${index}`).join(', ')}` : ''),
          ConditionExpression:
            'attribute_exists(orderId) AND #steps.#step.#st <> :succeeded' + (moves ? ` AND #status IN (${allowed.expression})` : ''),
          ExpressionAttributeNames: {
            ...STEP_NAMES,
            '#step': step,
            '#error': 'error',
            ...(moves ? { '#status': 'status' } : {}),
            ...(terminal ? Object.fromEntries(FORGOTTEN_ON_FAILURE.map((key, index) => [`#f${index}`, key])) : {}),
            ...patched.names,
          },
          ExpressionAttributeValues: {
            ':stepStatus': failure.retrying ? 'RETRYING' : 'FAILED',
            ':error': failure.error,
            ':succeeded': 'SUCCEEDED',
            ':now': now.toISOString(),
            ...(attempt ? { ':one': 1, ':attemptStartedAt': attemptStartedAt.toISOString() } : {}),
            ...(moves ? allowed.values : {}),
            ...(terminal ? { ':failed': 'FAILED', ':failure': failure.orderFailure } : {}),
            ...(settlement ? { ':settled': rule.onFinalFailure, ...patched.values } : {}),
          },
          // The status it had, in the same request (a failure write is rare; the old item costs no capacity).
          ReturnValues: 'ALL_OLD',
        }),
      );
      return (result.Attributes as Pick<OrderRecord, 'status'> | undefined)?.status;
    } catch (error) {
      // A failure report for a step that already succeeded, or an order that moved on, changes nothing.
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      return undefined;
    }
  }

  async failSubmission(orderId: string, failure: FailureRecord, now: Date): Promise<void> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { orderId },
          UpdateExpression: 'SET #status = :failed, failure = :failure, updatedAt = :now',
          ConditionExpression: '#status = :received',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':failed': 'FAILED', ':received': 'RECEIVED', ':failure': failure, ':now': now.toISOString() },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }
}
