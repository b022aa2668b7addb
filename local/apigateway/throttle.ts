import type { LocalApi } from '../template/local-template';
import type { LocalApiKey } from './api-key';
import { GatewayRejection } from './gateway-responses';
import type { Route } from './routes';
import { Quota, TokenBucket } from './token-bucket';

/** The throttle stage: each key's usage-plan rate and quota, then the stage's method throttle. */
export class Throttle {
  private readonly keyLimits = new Map<string, { bucket?: TokenBucket; quota?: Quota }>();

  /** Spends one request of the caller's allowance; a rejection when there is none left. */
  take(route: Route, key: LocalApiKey | undefined): GatewayRejection | undefined {
    if (key && route.apiKeyRequired) {
      const limits = this.limitsFor(route.api, key);
      if (limits.bucket && !limits.bucket.take()) return new GatewayRejection('THROTTLED', 429, 'Too Many Requests');
      if (limits.quota && !limits.quota.take()) return new GatewayRejection('QUOTA_EXCEEDED', 429, 'Limit Exceeded');
    }
    if (route.throttle && !route.throttle.take()) return new GatewayRejection('THROTTLED', 429, 'Too Many Requests');
    return undefined;
  }

  private limitsFor(api: LocalApi, key: LocalApiKey): { bucket?: TokenBucket; quota?: Quota } {
    const id = `${api.logicalId}/${key.id}`;
    let limits = this.keyLimits.get(id);
    if (!limits) {
      limits = {
        ...(api.usagePlan ? { bucket: new TokenBucket(api.usagePlan.rateLimit, api.usagePlan.burstLimit) } : {}),
        ...(api.usagePlan?.quota ? { quota: new Quota(api.usagePlan.quota.limit, api.usagePlan.quota.period) } : {}),
      };
      this.keyLimits.set(id, limits);
    }
    return limits;
  }
}
