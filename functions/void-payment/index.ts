import { paymentProviderFromEnv, stepDependenciesFromEnv } from '../shared/adapters/from-env';
import { powertoolsBusinessMetrics } from '../shared/adapters/powertools-business-metrics';
import { instrumented } from '../shared/platform/tracing';
import { taskCorrelation } from '../shared/tasks/task-input';
import { voidPayment } from './void-payment';

const dependencies = {
  ...stepDependenciesFromEnv(),
  payments: paymentProviderFromEnv(),
  metrics: powertoolsBusinessMetrics,
};

/** Step Functions task "Void Payment". Thin: the step logic lives beside it in void-payment.ts. */
export const handler = instrumented(taskCorrelation, (event: unknown) => voidPayment(dependencies, event));
