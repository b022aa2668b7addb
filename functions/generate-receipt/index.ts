import { s3 } from '../shared/platform/aws-clients';
import { requireEnv } from '../shared/platform/config';
import { powertoolsBusinessMetrics } from '../shared/ports/business-metrics';
import { S3ReceiptStore } from '../shared/ports/receipt-store';
import { instrumented } from '../shared/platform/tracing';
import { generateReceipt } from './generate-receipt';
import { stepDependenciesFromEnv } from '../shared/tasks/step-dependencies';
import { taskCorrelation } from '../shared/tasks/task-input';

const dependencies = {
  ...stepDependenciesFromEnv(),
  receipts: new S3ReceiptStore(s3(), requireEnv('RECEIPTS_BUCKET_NAME')),
  metrics: powertoolsBusinessMetrics,
};

/** Step Functions task "Generate Receipt". Thin: the step logic lives beside it in generate-receipt.ts. */
export const handler = instrumented(taskCorrelation, (event: unknown) => generateReceipt(dependencies, event));
