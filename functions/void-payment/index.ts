import { stepDependenciesFromEnv } from '#adapters/from-env';
import { paymentProviderFromEnv } from '#adapters/payment-from-env';
import { powertoolsBusinessMetrics } from '#adapters/powertools-business-metrics';
import { instrumented } from '#platform/tracing';
import { taskCorrelation } from '#tasks/task-input';
import { voidPayment } from './void-payment';

const dependencies = {
  ...stepDependenciesFromEnv(),
  payments: paymentProviderFromEnv(),
  metrics: powertoolsBusinessMetrics,
};

/** Step Functions task "Void Payment". Thin: the step logic lives beside it in void-payment.ts. */
export const handler = instrumented(taskCorrelation, (event: unknown) => voidPayment(dependencies, event));
