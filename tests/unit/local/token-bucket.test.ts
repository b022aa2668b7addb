import { Quota, TokenBucket } from '../../../local/apigateway/token-bucket';

describe('TokenBucket', () => {
  it('allows a burst, then refills at the rate', () => {
    let now = 0;
    const bucket = new TokenBucket(10, 3, () => now);
    expect([bucket.take(), bucket.take(), bucket.take(), bucket.take()]).toEqual([true, true, true, false]);
    now += 100; // 0.1 s at 10/s = one token
    expect([bucket.take(), bucket.take()]).toEqual([true, false]);
    now += 10_000;
    expect(Array.from({ length: 4 }, () => bucket.take())).toEqual([true, true, true, false]);
  });
});

describe('Quota', () => {
  it('counts requests per UTC day and starts again the next day', () => {
    let now = Date.parse('2026-11-25T10:00:00Z');
    const quota = new Quota(2, 'DAY', () => now);
    expect([quota.take(), quota.take(), quota.take()]).toEqual([true, true, false]);
    now = Date.parse('2026-11-26T00:00:01Z');
    expect(quota.take()).toBe(true);
  });
});
