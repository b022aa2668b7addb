import { InvalidTaskInput, PermanentError } from '#domain/errors';
import { newOrderId } from '#domain/order-ids';
import { describeCaughtError, parseCompensationInput, parseTaskInput, taskCorrelation } from '#tasks/task-input';

const ORDER_ID = newOrderId('key-a');

/** The InvalidTaskInput thrown for this input (fails the test if anything else happens). */
function invalid(parse: (input: unknown) => unknown, input: unknown): InvalidTaskInput {
  try {
    parse(input);
  } catch (error) {
    if (error instanceof InvalidTaskInput) return error;
    throw error;
  }
  throw new Error(`Expected ${JSON.stringify(input)} to be rejected`);
}

describe('parseTaskInput', () => {
  it('returns the order id and execution id of a valid task payload', () => {
    const executionId = `arn:aws:states:us-east-1:123456789012:execution:OrderProcessing:${ORDER_ID}`;
    expect(parseTaskInput({ orderId: ORDER_ID, executionId })).toEqual({ orderId: ORDER_ID, executionId });
    expect(parseTaskInput({ orderId: ORDER_ID })).toEqual({ orderId: ORDER_ID });
  });

  it.each<[string, unknown, string]>([
    ['no order id', {}, 'orderId'],
    ['an order id that is not ord_ + 32 hex', { orderId: 'ord_123' }, 'orderId'],
    ['a path-traversal order id', { orderId: '../ord_x' }, 'orderId'],
    ['an upper-case hex order id', { orderId: ORDER_ID.toUpperCase() }, 'orderId'],
    ['an empty execution id', { orderId: ORDER_ID, executionId: '' }, 'executionId'],
    ['a caught error without its Error name', { orderId: ORDER_ID, error: { Cause: 'x' } }, 'error.Error'],
  ])('throws InvalidTaskInput naming %s', (_, input, path) => {
    const error = invalid(parseTaskInput, input);

    expect(error.name).toBe('InvalidTaskInput');
    expect(error).toBeInstanceOf(PermanentError);
    expect(error.message).toMatch(new RegExp(`^Invalid task input: .*\\b${path.replace('.', '\\.')}: `));
  });

  it.each([null, undefined, 'ord_x', 42, [ORDER_ID]])('throws InvalidTaskInput for a payload that is not an object: %j', (input) => {
    expect(invalid(parseTaskInput, input).message).toContain('(input)');
  });
});

describe('parseCompensationInput', () => {
  it('returns the caught error along with the order id', () => {
    const error = { Error: 'AddressNotServiceable', Cause: 'no' };
    expect(parseCompensationInput({ orderId: ORDER_ID, error })).toEqual({ orderId: ORDER_ID, error });
  });

  it('throws InvalidTaskInput when the Catch did not put the error at $.error', () => {
    expect(invalid(parseCompensationInput, { orderId: ORDER_ID }).message).toContain('error: Required');
  });
});

describe('describeCaughtError', () => {
  it('reads errorMessage from the JSON Cause that Lambda reports for a function error', () => {
    const Cause = JSON.stringify({ errorType: 'PaymentDeclined', errorMessage: 'Payment declined: card_declined', trace: ['at x'] });

    expect(describeCaughtError({ Error: 'PaymentDeclined', Cause })).toEqual({ code: 'PaymentDeclined', message: 'Payment declined: card_declined' });
  });

  it('uses a plain-text Cause as the message, as for States.* errors', () => {
    expect(describeCaughtError({ Error: 'States.Timeout', Cause: 'Task timed out after 15.00 seconds' })).toEqual({
      code: 'States.Timeout',
      message: 'Task timed out after 15.00 seconds',
    });
  });

  it('falls back to the error name when there is no Cause', () => {
    expect(describeCaughtError({ Error: 'States.TaskFailed' })).toEqual({ code: 'States.TaskFailed', message: 'States.TaskFailed' });
  });

  it.each(['{"errorType":"X"}', '{"errorMessage":42}', 'null', '42', '"quoted"', '[]'])(
    'keeps a JSON Cause without a string errorMessage (%s) verbatim',
    (Cause) => {
      expect(describeCaughtError({ Error: 'X', Cause })).toEqual({ code: 'X', message: Cause });
    },
  );
});

describe('taskCorrelation', () => {
  it('takes orderId and executionId from an unvalidated event, bounded in length', () => {
    expect(taskCorrelation({ orderId: 'o'.repeat(100), executionId: 'e', other: 1 })).toEqual({ orderId: 'o'.repeat(64), executionId: 'e' });
  });

  it.each([null, 'x', 1, { orderId: 5 }])('returns no keys for %j', (event) => {
    expect(taskCorrelation(event)).toEqual({});
  });
});
