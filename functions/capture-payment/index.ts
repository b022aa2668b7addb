import { paymentProviderFromEnv } from '../shared/adapters/from-env';
import { instrumented } from '../shared/platform/tracing';
import { capturePayment } from './capture-payment';
import { stepDependenciesFromEnv } from '../shared/tasks/step-dependencies';
import { taskCorrelation } from '../shared/tasks/task-input';

const dependencies = {
  ...stepDependenciesFromEnv(),
  payments: paymentProviderFromEnv(),
};

/** Step Functions task "Capture Payment". Thin: the step logic lives beside it in capture-payment.ts. */
export const handler = instrumented(taskCorrelation, (event: unknown) => capturePayment(dependencies, event));
