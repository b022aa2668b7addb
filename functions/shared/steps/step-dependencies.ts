import { dynamoDb } from '../aws-clients';
import { requireEnv } from '../config';
import { DynamoDbOrderRepository } from '../orders/order-repository';
import type { StepDependencies } from './run-step';

/** What every task handler needs: the orders table (ORDERS_TABLE_NAME) and a clock. */
export function stepDependenciesFromEnv(): StepDependencies {
  return { orders: new DynamoDbOrderRepository(dynamoDb(), requireEnv('ORDERS_TABLE_NAME')), now: () => new Date() };
}
