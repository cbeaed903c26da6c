/**
 * The run session of a Bulk run, off the page (core/run/session.ts): this worker reads the input
 * ZIP, makes the calls, writes the run journal (IndexedDB, and its crash register in the origin
 * private file system: lib/journal-opfs.ts) and the results archive, and posts the session's events
 * to the page, which only renders them. Commands (Stop, the answer to an auth pause) come in by
 * message. One worker per run: the page terminates it when the run is over.
 */
import { serveRunSession, type SessionWorkerScope } from '../lib/session-worker-main.ts';

serveRunSession(self as unknown as SessionWorkerScope);
