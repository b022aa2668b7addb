import { receiptStoreFromEnv, stepDependenciesFromEnv } from '../shared/adapters/from-env';
import { powertoolsBusinessMetrics } from '../shared/adapters/powertools-business-metrics';
import { instrumented } from '../shared/platform/tracing';
import { taskCorrelation } from '../shared/tasks/task-input';
import { generateReceipt } from './generate-receipt';

const dependencies = {
  ...stepDependenciesFromEnv(),
  receipts: receiptStoreFromEnv(),
  metrics: powertoolsBusinessMetrics,
};

/** Step Functions task "Generate Receipt". Thin: the step logic lives beside it in generate-receipt.ts. */
export const handler = instrumented(taskCorrelation, (event: unknown) => generateReceipt(dependencies, event));
