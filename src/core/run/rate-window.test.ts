/**
 * The rate rule ("at most N attempts start in any rolling second") and the in-memory limiter that
 * applies it, on a clock the test moves: nothing here waits on the wall clock.
 */
import { describe, expect, it } from 'vitest';
import type { Clock } from './clock.ts';
import { RATE_WINDOW_MS, createRateLimiter, nextStart } from './rate-window.ts';

/** A clock whose time moves only when the test calls advance(); due timers fire in time order. */
function manualClock() {
  let now = 0;
  let seq = 0;
  const timers = new Map<number, { at: number; fn: () => void }>();
  const clock: Clock = {
    now: () => now,
    setTimeout: (fn, ms) => { const id = ++seq; timers.set(id, { at: now + ms, fn }); return id; },
    clearTimeout: (h) => { timers.delete(h as number); },
  };
  const settle = () => new Promise((r) => setImmediate(r));
  return {
    clock,
    async advance(to: number) {
      await settle();
      for (;;) {
        const next = [...timers.entries()].filter(([, t]) => t.at <= to).sort((a, b) => a[1].at - b[1].at)[0];
        if (!next) break;
        timers.delete(next[0]);
        now = next[1].at;
        next[1].fn();
        await settle();
      }
      now = to;
      await settle();
    },
  };
}

/** The largest number of starts inside any rolling window. */
function busiestWindow(starts: readonly number[]): number {
  return Math.max(0, ...starts.map((t) => starts.filter((s) => s > t - RATE_WINDOW_MS && s <= t).length));
}

describe('the rolling-window rule', () => {
  it('lets an attempt start while fewer than N started in the last second, else when the oldest of those N leaves it', () => {
    expect(nextStart([], 0, 2)).toBe(0);
    expect(nextStart([100], 500, 2)).toBe(500);
    expect(nextStart([100, 400], 500, 2)).toBe(1100);
    // Starts a full second old no longer count.
    expect(nextStart([100, 400], 1100, 2)).toBe(1100);
    expect(nextStart([0, 100, 400], 1050, 2)).toBe(1100);
    expect(nextStart([0, 100, 400], 1050, 1)).toBe(1400);
  });
});

describe('the in-memory limiter', () => {
  it('starts 12 attempts at 5 per second as early as the rule allows: 5 at once, 5 a second later, then 2', async () => {
    const { clock, advance } = manualClock();
    const limiter = createRateLimiter(5, clock);
    const started: number[] = [];
    const all = Array.from({ length: 12 }, () => limiter.acquire().then(() => { started.push(clock.now()); }));
    await advance(3000);
    await Promise.all(all);
    expect(started).toEqual([0, 0, 0, 0, 0, 1000, 1000, 1000, 1000, 1000, 2000, 2000]);
  });

  it('holds a window across a second boundary (fixed one-second windows would let 4 start within 150 ms)', async () => {
    const { clock, advance } = manualClock();
    const limiter = createRateLimiter(2, clock);
    const started: number[] = [];
    const asked: Promise<void>[] = [];
    for (const at of [900, 950, 1000, 1050]) {
      await advance(at);
      asked.push(limiter.acquire().then(() => { started.push(clock.now()); }));
    }
    await advance(3000);
    await Promise.all(asked);
    expect(started).toEqual([900, 950, 1900, 1950]);
    expect(busiestWindow(started)).toBeLessThanOrEqual(2);
  });

  it('an attempt stopped while waiting gives up its turn and is never counted', async () => {
    const { clock, advance } = manualClock();
    const limiter = createRateLimiter(1, clock);
    const started: string[] = [];
    const stop = new AbortController();
    await limiter.acquire();
    const stopped = limiter.acquire(stop.signal).then(() => 'started', (e: Error) => e.message);
    const next = limiter.acquire().then(() => { started.push(`next at ${clock.now()}`); });
    await advance(500);
    stop.abort();
    expect(await stopped).toBe('aborted');
    await advance(1000);
    await next;
    expect(started).toEqual(['next at 1000']);
    await expect(limiter.acquire(stop.signal)).rejects.toThrow('aborted');
  });
});
