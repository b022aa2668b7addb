import { shippingProviderFromEnv, stepDependenciesFromEnv } from '../shared/adapters/from-env';
import { instrumented } from '../shared/platform/tracing';
import { taskCorrelation } from '../shared/tasks/task-input';
import { createShipment } from './create-shipment';

const dependencies = {
  ...stepDependenciesFromEnv(),
  shipping: shippingProviderFromEnv(),
};

/** Step Functions task "Create Shipment". Thin: the step logic lives beside it in create-shipment.ts. */
export const handler = instrumented(taskCorrelation, (event: unknown) => createShipment(dependencies, event));
