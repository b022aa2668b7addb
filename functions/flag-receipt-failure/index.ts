import { stepDependenciesFromEnv } from '#adapters/from-env';
import { powertoolsBusinessMetrics } from '#adapters/powertools-business-metrics';
import { instrumented } from '#platform/tracing';
import { taskCorrelation } from '#tasks/task-input';
import { flagReceiptFailure } from './flag-receipt-failure';

const dependencies = {
  ...stepDependenciesFromEnv(),
  metrics: powertoolsBusinessMetrics,
};

/** Step Functions task "Flag Receipt Failure". Thin: the step logic lives beside it in flag-receipt-failure.ts. */
export const handler = instrumented(taskCorrelation, (event: unknown) => flagReceiptFailure(dependencies, event));
