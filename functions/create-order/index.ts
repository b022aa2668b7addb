import type { APIGatewayProxyEvent } from 'aws-lambda';
import { dynamoDb, stepFunctions } from '../shared/platform/aws-clients';
import { powertoolsBusinessMetrics } from '../shared/ports/business-metrics';
import { requireEnv } from '../shared/platform/config';
import { apiSettingsFromEnv } from '../shared/api/endpoint';
import { DynamoDbOrderRepository } from '../shared/ports/order-repository';
import { instrumented } from '../shared/platform/tracing';
import { StepFunctionsOrderWorkflow } from '../shared/ports/order-workflow';
import { type CreateOrderDependencies, createOrder } from './create-order';

const dependencies: CreateOrderDependencies = {
  api: apiSettingsFromEnv(),
  orders: new DynamoDbOrderRepository(dynamoDb(), requireEnv('ORDERS_TABLE_NAME')),
  workflow: new StepFunctionsOrderWorkflow(stepFunctions(), requireEnv('STATE_MACHINE_ARN')),
  metrics: powertoolsBusinessMetrics,
  now: () => new Date(),
};

/** POST /orders. Thin: the endpoint lives beside it in create-order.ts. */
export const handler = instrumented(
  () => ({}),
  (event: APIGatewayProxyEvent) => createOrder(dependencies, event),
);
