import { powertoolsBusinessMetrics } from '../shared/business-metrics';
import { instrumented } from '../shared/tracing';
import { flagReceiptFailure } from './flag-receipt-failure';
import { stepDependenciesFromEnv } from '../shared/steps/step-dependencies';
import { taskCorrelation } from '../shared/steps/task-input';

const dependencies = {
  ...stepDependenciesFromEnv(),
  metrics: powertoolsBusinessMetrics,
};

/** Step Functions task "Flag Receipt Failure". Thin: the step logic lives beside it in flag-receipt-failure.ts. */
export const handler = instrumented(taskCorrelation, (event: unknown) => flagReceiptFailure(dependencies, event));
