import { MetricUnit, metrics } from '#platform/powertools';
import type { BusinessMetrics } from '#ports/business-metrics';

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
