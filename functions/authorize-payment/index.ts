import { powertoolsBusinessMetrics } from '../shared/business-metrics';
import { paymentProviderFromEnv } from '../shared/providers/provider-selection';
import { instrumented } from '../shared/tracing';
import { authorizePayment } from './authorize-payment';
import { stepDependenciesFromEnv } from '../shared/steps/step-dependencies';
import { taskCorrelation } from '../shared/steps/task-input';

const dependencies = {
  ...stepDependenciesFromEnv(),
  payments: paymentProviderFromEnv(),
  metrics: powertoolsBusinessMetrics,
};

/** Step Functions task "Authorize Payment". Thin: the step logic lives beside it in authorize-payment.ts. */
export const handler = instrumented(taskCorrelation, (event: unknown) => authorizePayment(dependencies, event));
