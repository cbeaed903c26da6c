/**
 * Where a run session runs. The Bulk store hands a host a RunPlan (plain, cloneable data) and the
 * run's input, reads the session's events and sends it commands; it never learns where the
 * session runs. Two hosts:
 *   - inThreadHost (here): the session in the caller's thread (the tests, the CLI, and the
 *     browser when a worker cannot start);
 *   - the browser's worker host (src/lib/session-worker-host.ts): the session in a dedicated Web
 *     Worker (src/workers/session.worker.ts), the page only rendering the batches it publishes.
 */
import type { Credentials } from '../request/request.ts';
import type { Journal } from './journal.ts';
import type { ZipCentralEntry } from '../zip/zip.ts';
import { startRunSession, type RunEvent, type RunHost, type RunPlan, type RunSource } from './session.ts';

/** What a host can be told while the session runs. */
export type SessionCommand =
  | { type: 'stop' }
  /** The answer to an auth pause: send again (with the credentials given, when any), or stop. */
  | { type: 'answer'; answer: 'retry' | 'stop'; credentials?: Credentials };

/**
 * The run's input as the page opened it. `file` is the ZIP itself (a Blob: posted to a worker,
 * which reads it; null when a test hands only an opened ZIP); `zip` is the page's opening of it
 * (its pairs, skipped files and notices are the ones the page shows and the plan's indices refer to).
 */
export interface SessionInput {
  file: Blob | null;
  zip: RunSource;
  /**
   * A robustness sweep's hooks (RunHost.sweep: fingerprints, run.json's section): `zip` is then the sweep's source (each
   * pair and its variants), made on the page, not the ZIP's pairs; a worker host runs it in this thread.
   */
  sweep?: RunHost['sweep'];
}

/** The pairs, skipped files, notices and entries of an input, as cloneable data (no readPair). */
export interface SourceFacts {
  pairs: RunSource['pairs'];
  skipped: RunSource['skipped'];
  notices: RunSource['notices'];
  entries: readonly ZipCentralEntry[];
}

export function sourceFacts(zip: RunSource): SourceFacts {
  return { pairs: zip.pairs, skipped: zip.skipped, notices: zip.notices, entries: zip.entries };
}

export interface HostedSession {
  send(command: SessionCommand): void;
  /** Resolves when the run is over (after its 'finished' or 'failed' event). */
  readonly done: Promise<void>;
}

export interface SessionHost {
  start(plan: RunPlan, input: SessionInput, onEvent: (event: RunEvent) => void): HostedSession;
}

/** Applies a command to a session in this thread. */
export function applyCommand(session: { stop(): void; answer(a: 'retry' | 'stop', c?: Credentials): void }, command: SessionCommand): void {
  if (command.type === 'stop') session.stop();
  else session.answer(command.answer, command.credentials);
}

/** What an in-thread host gives every session besides the input. */
export type InThreadOptions = Omit<RunHost, 'zip' | 'journal' | 'pageOrigin'> & {
  /** The run journal; a run is journalled only when its input is a file. */
  journal?: Journal;
  pageOrigin?: () => string | undefined;
};

/** The session in the caller's thread. */
export function inThreadHost(options: InThreadOptions = {}): SessionHost {
  const { journal, pageOrigin, ...rest } = options;
  return {
    start(plan, input, onEvent) {
      const origin = pageOrigin?.();
      const session = startRunSession(plan, {
        ...rest,
        zip: input.zip,
        ...(input.sweep ? { sweep: input.sweep } : {}),
        ...(journal && input.file ? { journal } : {}),
        ...(origin ? { pageOrigin: origin } : {}),
      }, onEvent);
      return { send: (command) => applyCommand(session, command), done: session.done };
    },
  };
}
