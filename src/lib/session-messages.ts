/**
 * The messages between the page's worker host (session-worker-host.ts) and the run session's
 * worker (src/workers/session.worker.ts). Everything in them is structured-cloneable: the plan is
 * plain data, the ZIP travels as its Blob (a handle: the worker reads its bytes), the records and
 * the archive bytes come back as the session's events.
 */
import type { SessionCommand, SourceFacts } from '../core/run/host.ts';
import type { RunEvent, RunPlan } from '../core/run/session.ts';

export type ToSessionWorker =
  | {
    type: 'start';
    plan: RunPlan;
    /** The input ZIP; the worker reads the pairs' bytes from it. */
    file: Blob;
    /** The pairs, skipped files and notices as the page opened them (the plan's indices refer to them). */
    facts: Omit<SourceFacts, 'entries'>;
    /** Whether the run is journalled (the worker opens the journal itself). */
    journal: boolean;
  }
  | { type: 'command'; command: SessionCommand };

export type FromSessionWorker =
  /**
   * `batched`: the event's records (a 'building' event's input.records, a 'finished' event's
   * summary.records) are left out, as they are the records batches posted before it, in order; the
   * page's host puts them back. The largest runs' records are not cloned twice more at their end.
   */
  | { type: 'event'; event: RunEvent; batched?: true }
  /** The session is over (its 'finished' or 'failed' event was sent, the journal written). */
  | { type: 'done' };
