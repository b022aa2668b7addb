import { powertoolsBusinessMetrics } from '../shared/business-metrics';
import { paymentProviderFromEnv } from '../shared/providers/provider-selection';
import { instrumented } from '../shared/tracing';
import { voidPayment } from './void-payment';
import { stepDependenciesFromEnv } from '../shared/steps/step-dependencies';
import { taskCorrelation } from '../shared/steps/task-input';

const dependencies = {
  ...stepDependenciesFromEnv(),
  payments: paymentProviderFromEnv(),
  metrics: powertoolsBusinessMetrics,
};

/** Step Functions task "Void Payment". Thin: the step logic lives beside it in void-payment.ts. */
export const handler = instrumented(taskCorrelation, (event: unknown) => voidPayment(dependencies, event));
