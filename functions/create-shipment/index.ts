import { shippingProviderFromEnv } from '../shared/adapters/from-env';
import { instrumented } from '../shared/platform/tracing';
import { createShipment } from './create-shipment';
import { stepDependenciesFromEnv } from '../shared/tasks/step-dependencies';
import { taskCorrelation } from '../shared/tasks/task-input';

const dependencies = {
  ...stepDependenciesFromEnv(),
  shipping: shippingProviderFromEnv(),
};

/** Step Functions task "Create Shipment". Thin: the step logic lives beside it in create-shipment.ts. */
export const handler = instrumented(taskCorrelation, (event: unknown) => createShipment(dependencies, event));
