import { DependencyUnavailable } from '#platform/dependency-errors';
import type { OrderRepository } from '#ports/order-repository';
import { runStep } from '#tasks/run-step';
import { awsServiceError } from '../support/fakes';

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
