import { MetricUnit, metrics } from '../platform/powertools';

/** Business counts, as a port so use cases stay free of Powertools and tests can record them. */
export interface BusinessMetrics {
  orderCreated(): void;
  orderCompleted(): void;
  orderFailed(reason: string): void;
  paymentDeclined(): void;
  receiptFailed(): void;
}

/** Business metrics as CloudWatch EMF through Powertools Metrics. */
export const powertoolsBusinessMetrics: BusinessMetrics = {
  orderCreated: () => metrics.addMetric('OrdersCreated', MetricUnit.Count, 1),
  orderCompleted: () => metrics.addMetric('OrdersCompleted', MetricUnit.Count, 1),
  orderFailed: (reason) => {
    // A separate EMF blob, so the reason dimension does not attach to the other metrics.
    const single = metrics.singleMetric();
    single.addDimension('reason', reason);
    single.addMetric('OrdersFailed', MetricUnit.Count, 1);
  },
  paymentDeclined: () => metrics.addMetric('PaymentsDeclined', MetricUnit.Count, 1),
  receiptFailed: () => metrics.addMetric('ReceiptsFailed', MetricUnit.Count, 1),
};
