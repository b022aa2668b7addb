import { dynamoDb } from '../platform/aws-clients';
import { requireEnv } from '../platform/config';
import { ConfigurationError } from '../domain/errors';
import type { PaymentProvider } from '../ports/payment-provider';
import { PaymentSimulator } from './payment-simulator';
import type { ShippingProvider } from '../ports/shipping-provider';
import { ShippingSimulator } from './shipping-simulator';
import { DynamoDbSimulatorLedger } from '../ports/simulator-ledger';

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
