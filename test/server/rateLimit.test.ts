import { describe, expect, it } from 'vitest';
import { RateLimiter } from '../../src/server/rateLimit.js';

describe('the per-client rate limiter (token bucket)', () => {
  it('allows a burst, then refills at the sustained rate and says how long to wait', () => {
    let now = 0;
    const limiter = new RateLimiter(10, 3, () => now);
    expect([1, 2, 3].map(() => limiter.take('a').ok)).toEqual([true, true, true]);
    expect(limiter.take('a')).toEqual({ ok: false, retryAfterMs: 100 });
    expect(limiter.take('b').ok).toBe(true);
    now = 100;
    expect(limiter.take('a').ok).toBe(true);
    expect(limiter.take('a', 2)).toEqual({ ok: false, retryAfterMs: 200 });
  });

  it('never stores more than the burst, and forgets idle clients', () => {
    let now = 0;
    const limiter = new RateLimiter(10, 3, () => now);
    limiter.take('a');
    now = 60_000;
    expect([1, 2, 3, 4].map(() => limiter.take('a').ok)).toEqual([true, true, true, false]);
    now = 120_000;
    limiter.sweep();
    expect(limiter.size).toBe(0);
    expect(() => new RateLimiter(0, 1)).toThrow(/perSecond > 0/);
  });

  it('checks without charging, so a call refused by one limit costs nothing of another', () => {
    const limiter = new RateLimiter(1, 2, () => 0);
    expect([1, 2, 3].map(() => limiter.check('a').ok)).toEqual([true, true, true]);
    limiter.take('a', 2);
    expect(limiter.check('a')).toEqual({ ok: false, retryAfterMs: 1000 });
  });
});
