/**
 * Browser-side entry points for the results archive, run in a module Web Worker
 * (src/workers/archive.worker.ts), or in this thread when Worker is unavailable (Node: tests, the
 * CLI) or the worker fails:
 *   - buildArchiveInWorker: the whole archive from a finished run's report input (report.ts);
 *   - startArchive: the archive written as the run goes (archive-stream.ts), records posted to
 *     the worker in batches, so that it is ready moments after the last answer.
 */
import type { ArchiveStream, ArchiveStreamBegin, ArchiveStreamEnd } from './archive-stream.ts';
import type { PairRecord } from '../run/records.ts';
import type { ReportInput } from './report.ts';

/** What the worker receives: the contract travels as the data it is (a custom definition is registered in this page only). */
export type ArchiveRequestInput = ReportInput;
export type ArchiveRequest =
  | { kind: 'build'; id: number; input: ArchiveRequestInput }
  | { kind: 'begin'; id: number; begin: ArchiveStreamBegin }
  | { kind: 'add'; id: number; records: PairRecord[] }
  | { kind: 'finish'; id: number; end: ArchiveStreamEnd };
export type ArchiveResponse =
  | { id: number; ok: true; bytes: ArrayBuffer; byteOffset: number; byteLength: number }
  | { id: number; ok: false; message: string };

/** `facematch-bulk-<ms>.zip`, as in the Playground document. */
export function archiveFileName(now: number = Date.now()): string {
  return `facematch-bulk-${Math.floor(now)}.zip`;
}

async function buildInThread(input: ReportInput): Promise<Uint8Array> {
  const { buildResultsZip } = await import('./report.ts');
  return buildResultsZip(input);
}

let nextId = 1;

/** A new archive worker; null when the platform has none (Node) or it cannot start. */
function archiveWorker(): Worker | null {
  if (typeof Worker === 'undefined') return null;
  try {
    return new Worker(new URL('../../workers/archive.worker.ts', import.meta.url), { type: 'module' });
  } catch {
    return null;
  }
}

/** Builds summary.xlsx + results/*.json as ZIP bytes, in a worker when the platform has one. */
export function buildArchiveInWorker(input: ReportInput): Promise<Uint8Array> {
  const worker = archiveWorker();
  if (!worker) return buildInThread(input);
  const id = nextId++;
  const request: ArchiveRequest = { kind: 'build', id, input };
  return new Promise<Uint8Array>((resolve, reject) => {
    let settled = false;
    const finish = () => {
      settled = true;
      worker.terminate();
    };
    worker.onmessage = (event: MessageEvent<ArchiveResponse>) => {
      const msg = event.data;
      if (settled || msg.id !== id) return;
      finish();
      if (msg.ok) resolve(new Uint8Array(msg.bytes, msg.byteOffset, msg.byteLength));
      else reject(new Error(`The results archive could not be built: ${msg.message}`));
    };
    // The worker could not load (e.g. a content-security policy): build here instead.
    worker.onerror = (event) => {
      if (settled) return;
      event.preventDefault();
      finish();
      buildInThread(input).then(resolve, reject);
    };
    try {
      worker.postMessage(request);
    } catch {
      // Not cloneable (should not happen with plain records): build here instead.
      finish();
      buildInThread(input).then(resolve, reject);
    }
  });
}

/** The archive of a run in progress: fed each final record in input order, finished once. */
export interface ArchiveSession {
  add(record: PairRecord, index: number): void;
  /** The archive for the finished run; `input.records` are the records added, in order. */
  finish(input: ReportInput): Promise<Uint8Array>;
  /** The run ended without an archive: frees the worker. */
  cancel(): void;
}

/** Records per message to the worker; fewer are sent after FLUSH_MS. */
const BATCH = 250;
const FLUSH_MS = 200;

/**
 * An archive session in this thread: the stream itself, fed in batches, its steps chained in order
 * (what a run session already off the page uses: it needs no worker of its own).
 */
export function startArchiveHere(begin: ArchiveStreamBegin): ArchiveSession {
  let chain: Promise<ArchiveStream> = import('./archive-stream.ts').then((m) => m.openArchiveStream(begin));
  const added: PairRecord[] = [];
  let pending: PairRecord[] = [];
  const send = () => {
    if (pending.length === 0) return;
    const batch = pending;
    pending = [];
    chain = chain.then((s) => { s.add(batch); return s; });
  };
  return {
    add(record) {
      added.push(record);
      pending.push(record);
      if (pending.length >= BATCH) send();
    },
    async finish(input) {
      send();
      const stream = await chain.catch(() => null);
      if (!stream || !sameRecords(added, input.records)) {
        const { buildResultsZip } = await import('./report.ts');
        return buildResultsZip(input);
      }
      const { records: _records, ...end } = input;
      return stream.finish(end);
    },
    cancel() {},
  };
}

const sameRecords = (added: readonly PairRecord[], records: readonly PairRecord[]) =>
  added.length === records.length && added.every((r, i) => r === records[i]);

/**
 * Starts the archive of a run (archive-stream.ts) in a worker. Whatever goes wrong in the worker,
 * finish() still answers with the archive: built whole, as buildArchiveInWorker does.
 */
export function startArchive(begin: ArchiveStreamBegin): ArchiveSession {
  const worker = archiveWorker();
  if (!worker) return startArchiveHere(begin);
  const id = nextId++;
  const added: PairRecord[] = [];
  let pending: PairRecord[] = [];
  let timer: ReturnType<typeof setTimeout> | null = null;
  let broken = false;
  let answer: ((msg: ArchiveResponse | null) => void) | null = null;
  const post = (msg: ArchiveRequest) => {
    if (broken) return;
    try {
      worker.postMessage(msg);
    } catch {
      broken = true;
    }
  };
  const send = () => {
    if (timer !== null) clearTimeout(timer);
    timer = null;
    if (pending.length === 0) return;
    post({ kind: 'add', id, records: pending });
    pending = [];
  };
  worker.onmessage = (event: MessageEvent<ArchiveResponse>) => {
    if (event.data.id !== id) return;
    if (!event.data.ok) broken = true;
    answer?.(event.data);
  };
  worker.onerror = (event) => {
    event.preventDefault();
    broken = true;
    answer?.(null);
  };
  post({ kind: 'begin', id, begin });
  return {
    add(record) {
      added.push(record);
      pending.push(record);
      if (pending.length >= BATCH) send();
      else timer ??= setTimeout(send, FLUSH_MS);
    },
    async finish(input) {
      send();
      const whole = () => {
        worker.terminate();
        return buildArchiveInWorker(input);
      };
      if (broken || !sameRecords(added, input.records)) return whole();
      const { records: _records, ...end } = input;
      const reply = new Promise<ArchiveResponse | null>((resolve) => { answer = resolve; });
      post({ kind: 'finish', id, end });
      if (broken) return whole();
      const msg = await reply;
      if (!msg || !msg.ok) return whole();
      worker.terminate();
      return new Uint8Array(msg.bytes, msg.byteOffset, msg.byteLength);
    },
    cancel() {
      if (timer !== null) clearTimeout(timer);
      worker.terminate();
    },
  };
}
