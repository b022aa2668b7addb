import { shippingProviderFromEnv, stepDependenciesFromEnv } from '#adapters/from-env';
import { instrumented } from '#platform/tracing';
import { taskCorrelation } from '#tasks/task-input';
import { createShipment } from './create-shipment';

const dependencies = {
  ...stepDependenciesFromEnv(),
  shipping: shippingProviderFromEnv(),
};

/** Step Functions task "Create Shipment". Thin: the step logic lives beside it in create-shipment.ts. */
export const handler = instrumented(taskCorrelation, (event: unknown) => createShipment(dependencies, event));
