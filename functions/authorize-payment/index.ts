import { powertoolsBusinessMetrics } from '../shared/ports/business-metrics';
import { paymentProviderFromEnv } from '../shared/adapters/from-env';
import { instrumented } from '../shared/platform/tracing';
import { authorizePayment } from './authorize-payment';
import { stepDependenciesFromEnv } from '../shared/tasks/step-dependencies';
import { taskCorrelation } from '../shared/tasks/task-input';

const dependencies = {
  ...stepDependenciesFromEnv(),
  payments: paymentProviderFromEnv(),
  metrics: powertoolsBusinessMetrics,
};

/** Step Functions task "Authorize Payment". Thin: the step logic lives beside it in authorize-payment.ts. */
export const handler = instrumented(taskCorrelation, (event: unknown) => authorizePayment(dependencies, event));
