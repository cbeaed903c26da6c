/**
 * The browser's SessionHost (core/run/host.ts): each run's session in a dedicated Web Worker
 * (src/workers/session.worker.ts), so the calls, the ZIP reads, the records, the journal and the
 * archive never wait on the page's rendering, and the page never waits on them. The page posts the
 * plan and the ZIP's Blob, then commands; it gets the session's events back.
 *
 * When the worker cannot start (no Worker, a content-security policy, a plan that cannot be
 * cloned), the run goes to the fallback host (in this thread) before any call was made.
 */
import type { HostedSession, SessionCommand, SessionHost } from '../core/run/host.ts';
import type { PairRecord } from '../core/run/records.ts';
import type { RunEvent } from '../core/run/session.ts';
import type { FromSessionWorker, ToSessionWorker } from './session-messages.ts';

/** A new session worker; null when the platform has none or it cannot start. */
function sessionWorker(): Worker | null {
  if (typeof Worker === 'undefined') return null;
  try {
    return new Worker(new URL('../workers/session.worker.ts', import.meta.url), { type: 'module', name: 'facematch-run' });
  } catch {
    return null;
  }
}

export interface WorkerHostOptions {
  /** Where a run goes when no worker can host it (this thread). */
  fallback: SessionHost;
  /** Whether runs are journalled. */
  journal: boolean;
  /** Makes the worker (tests inject one). */
  createWorker?: () => Worker | null;
}

/** An end event posted without its records (FromSessionWorker's `batched`), with them put back. */
function withRecords(event: RunEvent, records: PairRecord[]): RunEvent {
  if (event.type === 'building') return { ...event, input: { ...event.input, records } };
  if (event.type === 'finished') return { ...event, summary: { ...event.summary, records } };
  return event;
}

const WORKER_DIED = 'the browser stopped the run\'s background worker';

export function workerSessionHost(options: WorkerHostOptions): SessionHost {
  const create = options.createWorker ?? sessionWorker;
  return {
    start(plan, input, onEvent) {
      // A sweep's variants are made on the page (their own worker): that run stays in this thread.
      const worker = input.file && !input.sweep ? create() : null;
      if (!worker || !input.file) return options.fallback.start(plan, input, onEvent);
      let end!: () => void;
      const done = new Promise<void>((resolve) => { end = resolve; });
      /** True once the worker spoke: from then on calls may have been made, so no fallback. */
      let heard = false;
      let over = false;
      let moved: HostedSession | null = null;
      const pending: SessionCommand[] = [];
      const finish = () => {
        if (over) return;
        over = true;
        worker.terminate();
        end();
      };
      const fallBack = () => {
        worker.terminate();
        moved = options.fallback.start(plan, input, onEvent);
        for (const command of pending.splice(0)) moved.send(command);
        void moved.done.then(() => { over = true; end(); });
      };
      /** The run's end as the page sees it, when the worker can no longer say it. */
      let ended = false;
      const emit = (event: RunEvent) => {
        if (event.type === 'finished' || event.type === 'failed') ended = true;
        onEvent(event);
      };
      const died = (building: boolean) => {
        if (!ended) emit({ type: 'failed', building, reason: WORKER_DIED });
        finish();
      };
      let building = false;
      /** Every record batch so far, in order: what a batched end event's records are. */
      const batches: (readonly PairRecord[])[] = [];
      /** The batches joined, made once for both end events (one array, so the page derives nothing twice). */
      let joined: { from: number; records: PairRecord[] } | null = null;
      const allRecords = () => {
        if (joined?.from !== batches.length) joined = { from: batches.length, records: batches.flat() };
        return joined.records;
      };
      worker.onmessage = (event: MessageEvent<FromSessionWorker>) => {
        if (over || moved) return;
        heard = true;
        const msg = event.data;
        if (msg.type === 'done') return died(building);
        if (msg.event.type === 'building') building = true;
        if (msg.event.type === 'records') batches.push(msg.event.records);
        emit(msg.batched ? withRecords(msg.event, allRecords()) : msg.event);
      };
      worker.onmessageerror = () => { if (!over && !moved) died(building); };
      worker.onerror = (event) => {
        event.preventDefault();
        if (over || moved) return;
        // The worker could not load (nothing was sent yet): the run goes on in this thread.
        if (!heard) fallBack();
        else died(building);
      };
      const start: ToSessionWorker = {
        type: 'start', plan, file: input.file,
        facts: { pairs: input.zip.pairs, skipped: input.zip.skipped, notices: input.zip.notices },
        journal: options.journal,
      };
      try {
        worker.postMessage(start);
      } catch {
        fallBack(); // not cloneable: should not happen with a plan of plain data
      }
      return {
        send(command) {
          if (moved) return moved.send(command);
          if (over) return;
          pending.push(command);
          try {
            worker.postMessage({ type: 'command', command } satisfies ToSessionWorker);
          } catch {
            // A command is plain data; nothing to do if the worker is gone.
          }
        },
        done,
      };
    },
  };
}
