import { powertoolsBusinessMetrics } from '../shared/ports/business-metrics';
import { instrumented } from '../shared/platform/tracing';
import { flagReceiptFailure } from './flag-receipt-failure';
import { stepDependenciesFromEnv } from '../shared/tasks/step-dependencies';
import { taskCorrelation } from '../shared/tasks/task-input';

const dependencies = {
  ...stepDependenciesFromEnv(),
  metrics: powertoolsBusinessMetrics,
};

/** Step Functions task "Flag Receipt Failure". Thin: the step logic lives beside it in flag-receipt-failure.ts. */
export const handler = instrumented(taskCorrelation, (event: unknown) => flagReceiptFailure(dependencies, event));
