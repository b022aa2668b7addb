import { stepDependenciesFromEnv } from '../shared/adapters/from-env';
import { powertoolsBusinessMetrics } from '../shared/adapters/powertools-business-metrics';
import { instrumented } from '../shared/platform/tracing';
import { taskCorrelation } from '../shared/tasks/task-input';
import { flagReceiptFailure } from './flag-receipt-failure';

const dependencies = {
  ...stepDependenciesFromEnv(),
  metrics: powertoolsBusinessMetrics,
};

/** Step Functions task "Flag Receipt Failure". Thin: the step logic lives beside it in flag-receipt-failure.ts. */
export const handler = instrumented(taskCorrelation, (event: unknown) => flagReceiptFailure(dependencies, event));
