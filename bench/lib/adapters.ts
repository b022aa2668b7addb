import { powertoolsBusinessMetrics } from '../../functions/shared/ports/business-metrics';
import { s3 } from '../../functions/shared/platform/aws-clients';
import { requireEnv } from '../../functions/shared/platform/config';
import { PaymentSimulator } from '../../functions/shared/adapters/payment-simulator';
import { paymentProviderFromEnv, shippingProviderFromEnv } from '../../functions/shared/adapters/from-env';
import { ShippingSimulator } from '../../functions/shared/adapters/shipping-simulator';
import { S3ReceiptStore } from '../../functions/shared/ports/receipt-store';
import { stepDependenciesFromEnv } from '../../functions/shared/tasks/step-dependencies';
import { MemoryReceiptStore } from '../../tests/support/fakes';
import { MemoryOrderRepository, MemorySimulatorLedger } from '../../tests/support/memory-stores';
import type { PipelineAdapters } from './in-process-pipeline';

/** In-memory stores: what is left is the handlers and the engine. */
export function memoryAdapters(): PipelineAdapters {
  const ledger = new MemorySimulatorLedger();
  return {
    orders: new MemoryOrderRepository(),
    payments: new PaymentSimulator(ledger),
    shipping: new ShippingSimulator(ledger),
    receipts: new MemoryReceiptStore(),
    metrics: powertoolsBusinessMetrics,
  };
}

/** The adapters the deployed handlers build from their environment (SDK clients to the endpoints in it). */
export function sdkAdapters(): PipelineAdapters {
  return {
    orders: stepDependenciesFromEnv().orders,
    payments: paymentProviderFromEnv(),
    shipping: shippingProviderFromEnv(),
    receipts: new S3ReceiptStore(s3(), requireEnv('RECEIPTS_BUCKET_NAME')),
    metrics: powertoolsBusinessMetrics,
  };
}
