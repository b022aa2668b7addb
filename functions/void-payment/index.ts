import { powertoolsBusinessMetrics } from '../shared/ports/business-metrics';
import { paymentProviderFromEnv } from '../shared/adapters/from-env';
import { instrumented } from '../shared/platform/tracing';
import { voidPayment } from './void-payment';
import { stepDependenciesFromEnv } from '../shared/tasks/step-dependencies';
import { taskCorrelation } from '../shared/tasks/task-input';

const dependencies = {
  ...stepDependenciesFromEnv(),
  payments: paymentProviderFromEnv(),
  metrics: powertoolsBusinessMetrics,
};

/** Step Functions task "Void Payment". Thin: the step logic lives beside it in void-payment.ts. */
export const handler = instrumented(taskCorrelation, (event: unknown) => voidPayment(dependencies, event));
