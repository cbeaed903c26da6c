/**
 * A rate budget shared by every process that names the same store (`--rate-store redis://…`),
 * so N shards together stay within one vendor quota. rate-limiter-flexible counts attempts in
 * Redis (one atomic Lua increment per attempt, fixed one-second windows); its RateLimiterQueue
 * makes an attempt wait for the next window instead of failing. Without a store the same limiter
 * runs in memory.
 */
import { errorText } from '../core/text.ts';
import { createHash } from 'node:crypto';
import { Redis } from 'ioredis';
import { RateLimiterQueue, RateLimiterRedis } from 'rate-limiter-flexible';
import { UsageError } from './args.ts';

export interface RateGate {
  /** Resolves when the next attempt may start; rejects when the signal aborts first. */
  acquire(signal?: AbortSignal): Promise<void>;
  close(): Promise<void>;
}

/** The shared key: one budget per endpoint and account (a hash, so no credential reaches Redis). */
export function budgetKey(endpoint: string, account: string): string {
  return createHash('sha256').update(`${endpoint}\n${account}`).digest('hex').slice(0, 32);
}

function untilAborted(p: Promise<unknown>, signal?: AbortSignal): Promise<void> {
  if (!signal) return p.then(() => undefined);
  if (signal.aborted) return Promise.reject(new Error('aborted'));
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(new Error('aborted'));
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      () => { signal.removeEventListener('abort', onAbort); resolve(); },
      (err: unknown) => { signal.removeEventListener('abort', onAbort); reject(err instanceof Error ? err : new Error(String(err))); },
    );
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
  const limiter = new RateLimiterRedis({ storeClient: client, points: opts.rate, duration: 1, keyPrefix: 'facematch-rate' });
  const queue = new RateLimiterQueue(limiter);
  return {
    acquire: (signal) => untilAborted(queue.removeTokens(1, opts.key), signal),
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
