import { shippingProviderFromEnv } from '../shared/providers/provider-selection';
import { instrumented } from '../shared/tracing';
import { createShipment } from './create-shipment';
import { stepDependenciesFromEnv } from '../shared/steps/step-dependencies';
import { taskCorrelation } from '../shared/steps/task-input';

const dependencies = {
  ...stepDependenciesFromEnv(),
  shipping: shippingProviderFromEnv(),
};

/** Step Functions task "Create Shipment". Thin: the step logic lives beside it in create-shipment.ts. */
export const handler = instrumented(taskCorrelation, (event: unknown) => createShipment(dependencies, event));
