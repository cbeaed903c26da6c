/**
 * A rate budget shared by every process that names the same store (`--rate-store redis://…`),
 * so N shards together stay within one vendor quota. The rule is core's (run/rate-window.ts: at
 * most N attempts start in any rolling second), the same one the page's limiter applies; here the
 * start times live in a Redis sorted set. Each attempt reads the set under WATCH, asks core's
 * nextStart, and adds its start in a MULTI that fails if another process changed the set meanwhile
 * (then it reads again). One ioredis connection per process, one transaction on it at a time.
 */
import { randomUUID, createHash } from 'node:crypto';
import { Redis } from 'ioredis';
import { systemClock, type Clock } from '../core/run/clock.ts';
import { RATE_WINDOW_MS, nextStart } from '../core/run/rate-window.ts';
import { errorText } from '../core/common/text.ts';
import { UsageError } from './args.ts';

export interface RateGate {
  /** Resolves when the next attempt may start, with the start time counted for it; rejects when the signal aborts first. */
  acquire(signal?: AbortSignal): Promise<number>;
  close(): Promise<void>;
}

/** The shared key: one budget per endpoint and account (a hash, so no credential reaches Redis). */
export function budgetKey(endpoint: string, account: string): string {
  return createHash('sha256').update(`${endpoint}\n${account}`).digest('hex').slice(0, 32);
}

/** `p`, or a rejection as soon as the signal aborts (an attempt queued behind others stops waiting at once). */
function untilAborted<T>(p: Promise<T>, signal?: AbortSignal): Promise<T> {
  if (!signal) return p;
  if (signal.aborted) return Promise.reject(new Error('aborted'));
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(new Error('aborted'));
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => { signal.removeEventListener('abort', onAbort); resolve(v); },
      (err: unknown) => { signal.removeEventListener('abort', onAbort); reject(err instanceof Error ? err : new Error(String(err))); },
    );
  });
}

function sleep(ms: number, clock: Pick<Clock, 'setTimeout' | 'clearTimeout'>, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(new Error('aborted'));
  return new Promise((resolve, reject) => {
    const onAbort = () => { clock.clearTimeout(handle); reject(new Error('aborted')); };
    const handle = clock.setTimeout(() => { signal?.removeEventListener('abort', onAbort); resolve(); }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export interface RateGateOptions {
  /** Attempts per second, a whole number (the burst is the same number). */
  rate: number;
  key: string;
  /** redis:// or rediss:// URL. */
  store: string;
  /** Password for the store (from FACEMATCH_REDIS_PASSWORD, never a flag). */
  password?: string;
  /** Start times and waits (tests pass their own; processes sharing a store share the machine's time). */
  clock?: Clock;
}

export async function createRateGate(opts: RateGateOptions): Promise<RateGate> {
  const shown = redactUrl(opts.store);
  const client = new Redis(opts.store, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 5000,
    retryStrategy: (times) => (times > 3 ? null : 200 * times),
    ...(opts.password ? { password: opts.password } : {}),
  });
  client.on('error', () => {}); // reported through connect() / consume() below
  try {
    await client.connect();
    await client.ping();
  } catch (err) {
    client.disconnect();
    throw new UsageError(`Could not reach the rate store at ${shown} (${errorText(err)}). Check that Redis is running there, or leave out --rate-store to limit this process alone.`);
  }
  const clock = opts.clock ?? systemClock;
  const setKey = `facematch-rate:${opts.key}`;
  /** One attempt to take a start: its time when taken, the ms to wait otherwise, null when another process got in between. */
  const tryTake = async (): Promise<{ took: number } | { wait: number } | null> => {
    await client.watch(setKey);
    const now = clock.now();
    const starts = (await client.zrangebyscore(setKey, `(${now - RATE_WINDOW_MS}`, '+inf', 'WITHSCORES'))
      .filter((_, i) => i % 2 === 1).map(Number);
    const at = nextStart(starts, now, opts.rate);
    if (at > now) {
      await client.unwatch();
      return { wait: at - now };
    }
    const done = await client.multi()
      .zremrangebyscore(setKey, '-inf', now - RATE_WINDOW_MS)
      .zadd(setKey, now, `${now}:${randomUUID()}`)
      .pexpire(setKey, RATE_WINDOW_MS * 2)
      .exec();
    return done === null ? null : { took: now };
  };
  let turn: Promise<unknown> = Promise.resolve();
  const acquire = (signal?: AbortSignal): Promise<number> => {
    const mine = turn.then(async () => {
      for (;;) {
        if (signal?.aborted) throw new Error('aborted');
        const got = await tryTake();
        if (got && 'took' in got) return got.took;
        if (got) await sleep(got.wait, clock, signal);
      }
    });
    turn = mine.catch(() => undefined);
    return untilAborted(mine, signal);
  };
  return {
    acquire,
    close: async () => {
      try {
        await client.quit();
      } catch {
        client.disconnect();
      }
    },
  };
}

function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    return u.toString().replace(/\/$/, '');
  } catch {
    return 'the given URL';
  }
}
