/**
 * A token bucket per client: `burst` calls at once, refilled at `perSecond`. A client over its budget is told
 * how long to wait instead of being served; idle buckets are forgotten so the map cannot grow without bound.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    readonly perSecond: number,
    readonly burst: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    if (!(perSecond > 0) || !(burst >= 1)) throw new Error('a rate limit needs perSecond > 0 and burst >= 1');
  }

  /** Takes `cost` tokens for `key`; when there are not enough, nothing is taken and the wait in ms is returned. */
  take(key: string, requested = 1): { ok: true } | { ok: false; retryAfterMs: number } {
    const verdict = this.check(key, requested);
    if (verdict.ok) this.buckets.get(key)!.tokens -= Math.min(requested, this.burst);
    return verdict;
  }

  /** Whether `cost` tokens are there for `key`, taking none (so that several limits can be checked before any is charged). */
  check(key: string, requested = 1): { ok: true } | { ok: false; retryAfterMs: number } {
    // A batch bigger than the burst could never be served: it costs a full bucket instead.
    const cost = Math.min(requested, this.burst);
    const now = this.now();
    const bucket = this.buckets.get(key) ?? { tokens: this.burst, at: now };
    bucket.tokens = Math.min(this.burst, bucket.tokens + ((now - bucket.at) / 1000) * this.perSecond);
    bucket.at = now;
    this.buckets.set(key, bucket);
    return bucket.tokens >= cost ? { ok: true } : { ok: false, retryAfterMs: Math.ceil(((cost - bucket.tokens) / this.perSecond) * 1000) };
  }

  /** Drops buckets that have been full for a while (their clients are idle or gone). */
  sweep(): void {
    const now = this.now();
    const fullAfterMs = (this.burst / this.perSecond) * 1000;
    for (const [key, b] of this.buckets) if (now - b.at > fullAfterMs) this.buckets.delete(key);
  }

  get size(): number {
    return this.buckets.size;
  }
}
