import { paymentProviderFromEnv } from '../shared/providers/provider-selection';
import { instrumented } from '../shared/tracing';
import { capturePayment } from './capture-payment';
import { stepDependenciesFromEnv } from '../shared/steps/step-dependencies';
import { taskCorrelation } from '../shared/steps/task-input';

const dependencies = {
  ...stepDependenciesFromEnv(),
  payments: paymentProviderFromEnv(),
};

/** Step Functions task "Capture Payment". Thin: the step logic lives beside it in capture-payment.ts. */
export const handler = instrumented(taskCorrelation, (event: unknown) => capturePayment(dependencies, event));
