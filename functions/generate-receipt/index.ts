import { s3 } from '../shared/aws-clients';
import { requireEnv } from '../shared/config';
import { powertoolsBusinessMetrics } from '../shared/business-metrics';
import { S3ReceiptStore } from '../shared/receipts/receipt-store';
import { instrumented } from '../shared/tracing';
import { generateReceipt } from './generate-receipt';
import { stepDependenciesFromEnv } from '../shared/steps/step-dependencies';
import { taskCorrelation } from '../shared/steps/task-input';

const dependencies = {
  ...stepDependenciesFromEnv(),
  receipts: new S3ReceiptStore(s3(), requireEnv('RECEIPTS_BUCKET_NAME')),
  metrics: powertoolsBusinessMetrics,
};

/** Step Functions task "Generate Receipt". Thin: the step logic lives beside it in generate-receipt.ts. */
export const handler = instrumented(taskCorrelation, (event: unknown) => generateReceipt(dependencies, event));
