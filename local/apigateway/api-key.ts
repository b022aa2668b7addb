import type { IncomingHttpHeaders } from 'node:http';
import { GatewayRejection } from './gateway-responses';
import { headerValue } from './headers';

export interface LocalApiKey {
  name: string;
  id: string;
  value: string;
}

/** The key stage: the caller's API key (from `x-api-key`); a rejection when the route requires one and it is missing or unknown. */
export function identifyKey(required: boolean, headers: IncomingHttpHeaders, apiKeys: readonly LocalApiKey[]): LocalApiKey | undefined | GatewayRejection {
  const value = headerValue(headers['x-api-key']);
  const key = value ? apiKeys.find((candidate) => candidate.value === value) : undefined;
  if (required && !key) return new GatewayRejection('INVALID_API_KEY', 403, 'Forbidden');
  return key;
}
