import { dynamoDb } from '../aws-clients';
import { requireEnv } from '../config';
import { ConfigurationError } from '../errors';
import type { PaymentProvider } from './payment-provider';
import { PaymentSimulator } from './payment-simulator';
import type { ShippingProvider } from './shipping-provider';
import { ShippingSimulator } from './shipping-simulator';
import { DynamoDbSimulatorLedger } from './simulator-ledger';

/*
 * Providers are chosen by PAYMENT_PROVIDER / SHIPPING_PROVIDER. A real adapter (Stripe, a carrier
 * API) implements the same port and gets a case here; an unknown name fails the cold start loudly.
 */

function simulatorLedger(): DynamoDbSimulatorLedger {
  return new DynamoDbSimulatorLedger(dynamoDb(), requireEnv('SIMULATOR_LEDGER_TABLE_NAME'));
}

/** The payment provider named by PAYMENT_PROVIDER. */
export function paymentProviderFromEnv(): PaymentProvider {
  const name = requireEnv('PAYMENT_PROVIDER');
  if (name === 'simulator') return new PaymentSimulator(simulatorLedger());
  throw new ConfigurationError(`Unknown PAYMENT_PROVIDER '${name}'; supported: simulator`);
}

/** The shipping provider named by SHIPPING_PROVIDER. */
export function shippingProviderFromEnv(): ShippingProvider {
  const name = requireEnv('SHIPPING_PROVIDER');
  if (name === 'simulator') return new ShippingSimulator(simulatorLedger());
  throw new ConfigurationError(`Unknown SHIPPING_PROVIDER '${name}'; supported: simulator`);
}
