/**
 * The one rate rule ("Max requests per second", `--rate`): at most `rate` attempts start in any
 * rolling window of RATE_WINDOW_MS. A rolling window, not fixed one-second windows, so a vendor
 * quota of N per second is never exceeded across a window boundary (fixed windows allow 2N within
 * a few milliseconds). The CLI's shared Redis budget (cli/rate.ts) decides with nextStart, and
 * createRateLimiter applies it in memory: core's job paces every attempt (retries included) with it.
 */
import type { Clock } from './clock.ts';

export const RATE_WINDOW_MS = 1000;

/**
 * When the next attempt may start, given the start times on record (ascending; older ones may be
 * included and are ignored). `now` when there is room in the window ending now.
 */
export function nextStart(starts: readonly number[], now: number, rate: number): number {
  let first = starts.length;
  while (first > 0 && starts[first - 1]! > now - RATE_WINDOW_MS) first--;
  const inWindow = starts.length - first;
  if (inWindow < rate) return now;
  // The window has room once enough of its starts have left it: the (inWindow - rate + 1)-th oldest.
  return starts[first + inWindow - rate]! + RATE_WINDOW_MS;
}

export interface RateGate {
  /** Resolves when the next attempt may start (its start is then counted); rejects when the signal aborts first. */
  acquire(signal?: AbortSignal): Promise<void>;
}

export interface RateLimiter extends RateGate {
  /** Ends the wait of every attempt still waiting (rejected) and its timer. */
  clear(): void;
}

/** The rule kept in this process's memory: attempts are let through in the order they asked. */
export function createRateLimiter(rate: number, clock: Pick<Clock, 'now' | 'setTimeout' | 'clearTimeout'>): RateLimiter {
  const starts: number[] = [];
  const waiting: { resolve: () => void; reject: (err: Error) => void; signal?: AbortSignal; onAbort?: () => void }[] = [];
  let timer: unknown = null;

  const pump = () => {
    timer = null;
    while (waiting.length) {
      const now = clock.now();
      const at = nextStart(starts, now, rate);
      if (at > now) {
        timer = clock.setTimeout(pump, at - now);
        return;
      }
      starts.push(now);
      while (starts.length > rate) starts.shift();
      const w = waiting.shift()!;
      if (w.onAbort) w.signal!.removeEventListener('abort', w.onAbort);
      w.resolve();
    }
  };

  return {
    clear() {
      if (timer !== null) { clock.clearTimeout(timer); timer = null; }
      for (const w of waiting.splice(0)) {
        if (w.onAbort) w.signal!.removeEventListener('abort', w.onAbort);
        w.reject(new Error('aborted'));
      }
    },
    acquire(signal) {
      if (signal?.aborted) return Promise.reject(new Error('aborted'));
      return new Promise<void>((resolve, reject) => {
        const w: (typeof waiting)[number] = { resolve, reject };
        if (signal) {
          w.signal = signal;
          w.onAbort = () => {
            const i = waiting.indexOf(w);
            if (i >= 0) waiting.splice(i, 1);
            if (!waiting.length && timer !== null) { clock.clearTimeout(timer); timer = null; }
            reject(new Error('aborted'));
          };
          signal.addEventListener('abort', w.onAbort, { once: true });
        }
        waiting.push(w);
        if (timer === null) pump();
      });
    },
  };
}
