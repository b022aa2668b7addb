import { dynamoDb, s3ObjectPut, stepFunctions } from '#platform/aws-clients';
import { ConfigurationError, requireEnv } from '#platform/config';
import type { OrderRepository } from '#ports/order-repository';
import type { OrderListing } from '#ports/order-listing';
import type { OrderExecutions, OrderWorkflow } from '#ports/order-workflow';
import type { ReceiptLinkSigner, ReceiptStore } from '#ports/receipt-store';
import { fromEnv } from '@aws-sdk/credential-provider-env';
import type { ShippingProvider } from '#ports/shipping-provider';
import type { StepDependencies } from '#tasks/run-step';
import { DynamoDbOrderRepository } from './dynamodb-order-repository';
import { DynamoDbSimulatorLedger } from './dynamodb-simulator-ledger';
import { S3PresignedLinks } from './s3-presigned-links';
import { S3ReceiptStore } from './s3-receipt-store';
import { ShippingSimulator } from './shipping-simulator';
import { DynamoDbOrderListing } from './dynamodb-order-listing';
import { StepFunctionsOrderExecutions, StepFunctionsOrderWorkflow } from './step-functions-order-workflow';

/*
 * The adapters each function's index.ts wires, built from the variables template.yaml gives it
 * and the SDK clients (whose endpoints come from AWS_ENDPOINT_URL_*). The ports and the use cases
 * never read the environment, so they load and test without it.
 */

/** The orders table (ORDERS_TABLE_NAME). */
export function orderRepositoryFromEnv(): OrderRepository {
  return new DynamoDbOrderRepository(dynamoDb(), requireEnv('ORDERS_TABLE_NAME'));
}

/** The receipts bucket (RECEIPTS_BUCKET_NAME), written through S3 PutObject without the S3 client. */
export function receiptStoreFromEnv(): ReceiptStore {
  return new S3ReceiptStore(s3ObjectPut(), requireEnv('RECEIPTS_BUCKET_NAME'));
}

/**
 * Links to the receipts bucket's objects, signed with the function's credentials: Lambda (and sam
 * local, and npm start) put them in the environment, so no credential chain is needed.
 */
export function receiptLinksFromEnv(): ReceiptLinkSigner {
  return new S3PresignedLinks({
    bucket: requireEnv('RECEIPTS_BUCKET_NAME'),
    region: requireEnv('AWS_REGION'),
    credentials: fromEnv(),
    ...(process.env.AWS_ENDPOINT_URL_S3 ? { endpoint: process.env.AWS_ENDPOINT_URL_S3 } : {}),
    forcePathStyle: process.env.S3_FORCE_PATH_STYLE === 'true',
  });
}

/** The order workflow's state machine (STATE_MACHINE_ARN). */
export function orderWorkflowFromEnv(): OrderWorkflow {
  return new StepFunctionsOrderWorkflow(stepFunctions(), requireEnv('STATE_MACHINE_ARN'));
}

/** The operators' list over the orders table's byStatus index (ORDERS_TABLE_NAME). */
export function orderListingFromEnv(): OrderListing {
  return new DynamoDbOrderListing(dynamoDb(), requireEnv('ORDERS_TABLE_NAME'));
}

/** The order executions of the unqualified state machine (STATE_MACHINE_ARN). */
export function orderExecutionsFromEnv(): OrderExecutions {
  return new StepFunctionsOrderExecutions(stepFunctions(), requireEnv('STATE_MACHINE_ARN'));
}

/** What every task handler needs: the orders table and a clock. */
export function stepDependenciesFromEnv(): StepDependencies {
  return { orders: orderRepositoryFromEnv(), now: () => new Date() };
}

/*
 * Providers are chosen by PAYMENT_PROVIDER (payment-from-env.ts) and SHIPPING_PROVIDER. A real
 * adapter (a carrier API) implements the same port and gets a case here; an unknown name fails the
 * cold start loudly.
 */

/** The simulators' ledger table (SIMULATOR_LEDGER_TABLE_NAME). */
export function simulatorLedgerFromEnv(): DynamoDbSimulatorLedger {
  return new DynamoDbSimulatorLedger(dynamoDb(), requireEnv('SIMULATOR_LEDGER_TABLE_NAME'));
}

/** The shipping provider named by SHIPPING_PROVIDER. */
export function shippingProviderFromEnv(): ShippingProvider {
  const name = requireEnv('SHIPPING_PROVIDER');
  if (name === 'simulator') return new ShippingSimulator(simulatorLedgerFromEnv());
  throw new ConfigurationError(`Unknown SHIPPING_PROVIDER '${name}'; supported: simulator`);
}
