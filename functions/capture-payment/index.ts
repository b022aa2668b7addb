import { stepDependenciesFromEnv } from '#adapters/from-env';
import { paymentProviderFromEnv } from '#adapters/payment-from-env';
import { instrumented } from '#platform/tracing';
import { taskCorrelation } from '#tasks/task-input';
import { capturePayment } from './capture-payment';

const dependencies = {
  ...stepDependenciesFromEnv(),
  payments: paymentProviderFromEnv(),
};

/** Step Functions task "Capture Payment". Thin: the step logic lives beside it in capture-payment.ts. */
export const handler = instrumented(taskCorrelation, (event: unknown) => capturePayment(dependencies, event));
