/**
 * The one Clock of a run: wall time for the records and run.json, and timers for the batchers.
 * The job, the journal and the run session take it injected, so tests drive time themselves.
 */
export interface Clock {
  /** Wall-clock time in ms since the epoch. */
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};
