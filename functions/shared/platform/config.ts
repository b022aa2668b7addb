import { getStringFromEnv } from '@aws-lambda-powertools/commons/utils/env';

/** A required environment variable is missing or invalid. */
export class ConfigurationError extends Error {
  override name = 'ConfigurationError';
}

/** Reads a required environment variable; throws at module load when it is missing. */
export function requireEnv(key: string): string {
  return getStringFromEnv({ key, errorMessage: `Environment variable ${key} is required` });
}

/** Reads a required integer environment variable within [min, max]. */
export function requireIntEnv(key: string, min: number, max: number): number {
  const raw = requireEnv(key);
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigurationError(`Environment variable ${key} must be an integer in [${min}, ${max}], got '${raw}'`);
  }
  return value;
}
