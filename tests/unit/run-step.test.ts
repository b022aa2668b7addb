import { DependencyUnavailable } from '#platform/dependency-errors';
import { CompensationFailed, OrderStateConflict } from '#domain/errors';
import type { OrderRepository, StepFailure } from '#ports/order-repository';
import { ProviderUnavailable } from '#ports/provider-errors';
import { runCompensation, runStep } from '#tasks/run-step';
import { isFinalAttempt } from '#tasks/task-input';
import { awsServiceError } from '../support/fakes';
import { orderRecord } from '../support/orders';

describe('runStep', () => {
  it('turns an unreachable orders table at step start into DependencyUnavailable, so the state machine retries instead of compensating', async () => {
    const network = Object.assign(new Error('read ECONNRESET'), { name: 'TimeoutError', code: 'ECONNRESET' });
    for (const failure of [network, awsServiceError('ProvisionedThroughputExceededException', 400)]) {
      const orders = { startStep: () => Promise.reject(failure) } as unknown as OrderRepository;
      const outcome = runStep({ orders, now: () => new Date() }, 'ord_0123456789abcdef0123456789abcdef', {
        step: 'Authorize Payment',
        perform: () => Promise.reject(new Error('must not run')),
        recall: () => 'recalled',
      });
      await expect(outcome).rejects.toBeInstanceOf(DependencyUnavailable);
    }
  });
});

describe('runCompensation', () => {
  const orderId = 'ord_0123456789abcdef0123456789abcdef';
  const error = { Error: 'AddressNotServiceable', Cause: 'no carrier' };

  /** An orders table that lets the compensation start and records how its failures are written. */
  function recordingOrders() {
    const failures: StepFailure[] = [];
    const orders = {
      startStep: () => Promise.resolve({ kind: 'started', order: orderRecord(undefined, { orderId, status: 'CANCELLING' }) }),
      failStep: (_id: string, _step: string, failure: StepFailure) => {
        failures.push(failure);
        return Promise.resolve();
      },
    } as unknown as OrderRepository;
    return { orders, failures };
  }

  function cancel(orders: OrderRepository, input: Record<string, unknown>, fault: Error): Promise<string> {
    return runCompensation({ orders, now: () => new Date() }, { orderId, error, ...input }, 'Cancel Shipment', () => ({
      perform: () => Promise.reject(fault),
      recall: () => 'recalled',
    }));
  }

  it('passes a transient error on an attempt with retries left back to Step Functions, recorded RETRYING', async () => {
    const { orders, failures } = recordingOrders();
    await expect(cancel(orders, { retryCount: 5, maxAttempts: 6 }, new ProviderUnavailable('down'))).rejects.toBeInstanceOf(ProviderUnavailable);
    expect(failures).toEqual([{ error: { code: 'ProviderUnavailable', message: 'down' }, retrying: true }]);
  });

  it('records a transient error on the final attempt as the step\'s FAILED, then raises CompensationFailed', async () => {
    const { orders, failures } = recordingOrders();
    const outcome = cancel(orders, { retryCount: 6, maxAttempts: 6 }, new ProviderUnavailable('down'));
    await expect(outcome).rejects.toBeInstanceOf(CompensationFailed);
    await expect(outcome).rejects.toThrow('Cancel Shipment failed for good (ProviderUnavailable): down');
    expect(failures).toEqual([{ error: { code: 'ProviderUnavailable', message: 'down' }, retrying: false }]);
  });

  it('raises CompensationFailed at once for a permanent error, whatever the retry count', async () => {
    const { orders, failures } = recordingOrders();
    await expect(cancel(orders, { retryCount: 0, maxAttempts: 6 }, new OrderStateConflict('moved on'))).rejects.toBeInstanceOf(CompensationFailed);
    expect(failures).toEqual([{ error: { code: 'OrderStateConflict', message: 'moved on' }, retrying: false }]);
  });

  it('raises CompensationFailed on the final attempt even when the orders table cannot be reached to record it', async () => {
    const orders = { startStep: () => Promise.reject(awsServiceError('ProvisionedThroughputExceededException', 400)) } as unknown as OrderRepository;
    await expect(cancel(orders, { retryCount: 6, maxAttempts: 6 }, new Error('unused'))).rejects.toBeInstanceOf(CompensationFailed);
    await expect(cancel(orders, { retryCount: 2, maxAttempts: 6 }, new Error('unused'))).rejects.toBeInstanceOf(DependencyUnavailable);
  });

  it('raises CompensationFailed for invalid input, before any write', async () => {
    const { orders, failures } = recordingOrders();
    const outcome = runCompensation({ orders, now: () => new Date() }, { orderId: 'nope' }, 'Void Payment', () => ({
      perform: () => Promise.resolve({ result: 'done', patch: {} }),
      recall: () => 'recalled',
    }));
    await expect(outcome).rejects.toThrow(/Void Payment failed for good \(InvalidTaskInput\)/);
    expect(failures).toEqual([]);
  });

  it('knows the final attempt only from both the retry count and MaxAttempts', () => {
    expect(isFinalAttempt({ retryCount: 6, maxAttempts: 6 })).toBe(true);
    expect(isFinalAttempt({ retryCount: 5, maxAttempts: 6 })).toBe(false);
    expect(isFinalAttempt({ maxAttempts: 0 })).toBe(false);
    expect(isFinalAttempt({ retryCount: 9 })).toBe(false);
  });
});
