import { tokenBucketAdmits } from '../../../reliability/load';

/* The reliability suite's reference for "only the excess is throttled": a token bucket over when requests were sent. */
describe('tokenBucketAdmits', () => {
  it('admits the burst at once, then the rate', () => {
    expect(tokenBucketAdmits(Array.from({ length: 100 }, () => 0), 20, 40)).toBe(40);
    // 60/s for 10 s against 20/s with burst 40: 40 + 20 × 10 (less the last fraction of a token).
    const even = Array.from({ length: 600 }, (_, index) => (index * 1000) / 60);
    expect(tokenBucketAdmits(even, 20, 40)).toBe(239);
  });

  it('admits fewer of the same requests sent in bunches, since a full bucket stops filling', () => {
    const bunched = Array.from({ length: 600 }, (_, index) => Math.floor(index / 120) * 2000);
    expect(tokenBucketAdmits(bunched, 20, 40)).toBe(200);
  });
});
