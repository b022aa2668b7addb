import { receiptStoreFromEnv, stepDependenciesFromEnv } from '#adapters/from-env';
import { powertoolsBusinessMetrics } from '#adapters/powertools-business-metrics';
import { instrumented } from '#platform/tracing';
import { taskCorrelation } from '#tasks/task-input';
import { generateReceipt } from './generate-receipt';

const dependencies = {
  ...stepDependenciesFromEnv(),
  receipts: receiptStoreFromEnv(),
  metrics: powertoolsBusinessMetrics,
};

/** Step Functions task "Generate Receipt". Thin: the step logic lives beside it in generate-receipt.ts. */
export const handler = instrumented(taskCorrelation, (event: unknown) => generateReceipt(dependencies, event));
