import { dynamoDb } from '../platform/aws-clients';
import { requireEnv } from '../platform/config';
import { DynamoDbOrderRepository } from '../ports/order-repository';
import type { StepDependencies } from './run-step';

/** What every task handler needs: the orders table (ORDERS_TABLE_NAME) and a clock. */
export function stepDependenciesFromEnv(): StepDependencies {
  return { orders: new DynamoDbOrderRepository(dynamoDb(), requireEnv('ORDERS_TABLE_NAME')), now: () => new Date() };
}
