import { shippingProviderFromEnv, stepDependenciesFromEnv } from '#adapters/from-env';
import { instrumented } from '#platform/tracing';
import { taskCorrelation } from '#tasks/task-input';
import { cancelShipment } from './cancel-shipment';

const dependencies = {
  ...stepDependenciesFromEnv(),
  shipping: shippingProviderFromEnv(),
};

/** Step Functions task "Cancel Shipment". Thin: the step logic lives beside it in cancel-shipment.ts. */
export const handler = instrumented(taskCorrelation, (event: unknown) => cancelShipment(dependencies, event));
