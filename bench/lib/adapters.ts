import { orderRepositoryFromEnv, receiptStoreFromEnv, shippingProviderFromEnv } from '#adapters/from-env';
import { paymentProviderFromEnv } from '#adapters/payment-from-env';
import { PaymentSimulator } from '#adapters/payment-simulator';
import { powertoolsBusinessMetrics } from '#adapters/powertools-business-metrics';
import { ShippingSimulator } from '#adapters/shipping-simulator';
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
    orders: orderRepositoryFromEnv(),
    payments: paymentProviderFromEnv(),
    shipping: shippingProviderFromEnv(),
    receipts: receiptStoreFromEnv(),
    metrics: powertoolsBusinessMetrics,
  };
}
