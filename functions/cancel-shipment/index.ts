import { shippingProviderFromEnv, stepDependenciesFromEnv } from '../shared/adapters/from-env';
import { instrumented } from '../shared/platform/tracing';
import { taskCorrelation } from '../shared/tasks/task-input';
import { cancelShipment } from './cancel-shipment';

const dependencies = {
  ...stepDependenciesFromEnv(),
  shipping: shippingProviderFromEnv(),
};

/** Step Functions task "Cancel Shipment". Thin: the step logic lives beside it in cancel-shipment.ts. */
export const handler = instrumented(taskCorrelation, (event: unknown) => cancelShipment(dependencies, event));
