import { shippingProviderFromEnv } from '../shared/providers/provider-selection';
import { instrumented } from '../shared/tracing';
import { cancelShipment } from './cancel-shipment';
import { stepDependenciesFromEnv } from '../shared/steps/step-dependencies';
import { taskCorrelation } from '../shared/steps/task-input';

const dependencies = {
  ...stepDependenciesFromEnv(),
  shipping: shippingProviderFromEnv(),
};

/** Step Functions task "Cancel Shipment". Thin: the step logic lives beside it in cancel-shipment.ts. */
export const handler = instrumented(taskCorrelation, (event: unknown) => cancelShipment(dependencies, event));
