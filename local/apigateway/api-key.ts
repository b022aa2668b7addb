import { GatewayRejection } from './gateway-responses';
import type { RequestHeaders } from './headers';

export interface LocalApiKey {
  name: string;
  id: string;
  value: string;
}

/** The key stage: the caller's API key (from `x-api-key`); a rejection when the route requires one and it is missing or unknown. */
export function identifyKey(required: boolean, headers: RequestHeaders, apiKeys: readonly LocalApiKey[]): LocalApiKey | undefined | GatewayRejection {
  const value = headers.get('x-api-key');
  const key = value ? apiKeys.find((candidate) => candidate.value === value) : undefined;
  if (required && !key) return new GatewayRejection('INVALID_API_KEY', 403, 'Forbidden');
  return key;
}
