/** A token bucket: `rate` tokens per second, holding at most `burst`. API Gateway throttles this way. */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly rate: number,
    private readonly burst: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.tokens = burst;
    this.last = now();
  }

  /** Takes a token if one is available. */
  take(): boolean {
    const now = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.rate);
    this.last = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

/** Requests per key per period (DAY, WEEK, MONTH), counted from the runtime's start of period. */
export class Quota {
  private used = 0;
  private periodStart: number;

  constructor(
    private readonly limit: number,
    private readonly period: string,
    private readonly now: () => number = Date.now,
  ) {
    this.periodStart = this.startOfPeriod(now());
  }

  private startOfPeriod(at: number): number {
    const date = new Date(at);
    date.setUTCHours(0, 0, 0, 0);
    if (this.period === 'WEEK') date.setUTCDate(date.getUTCDate() - date.getUTCDay());
    if (this.period === 'MONTH') date.setUTCDate(1);
    return date.getTime();
  }

  take(): boolean {
    const start = this.startOfPeriod(this.now());
    if (start !== this.periodStart) {
      this.periodStart = start;
      this.used = 0;
    }
    if (this.used >= this.limit) return false;
    this.used += 1;
    return true;
  }
}
