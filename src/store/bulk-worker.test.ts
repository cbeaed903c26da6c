/**
 * The Bulk run hosted in a worker, as the page sees it: the store, the worker host, and the session
 * worker's code (session-worker-main.ts) joined by a stand-in for postMessage that structured-clones
 * every message both ways, as a browser does (a plan or an event that cannot be cloned fails here).
 * The API is a fake call inside the "worker"; a real ZIP is read there from the posted Blob.
 */
import 'fake-indexeddb/auto';
import JSZip from 'jszip';
import { describe, expect, it } from 'vitest';
import type { CallFn } from '../core/run/job.ts';
import { Journal } from '../core/run/journal.ts';
import type { CallResult } from '../core/request/request.ts';
import { inThreadHost, type SessionHost } from '../core/run/host.ts';
import { readResultsArchive } from '../core/archive/archive-read.ts';
import { createBulkStore } from './bulk.ts';
import { createSettingsStore } from './settings.ts';
import { idbJournalBackend } from '../lib/journal-idb.ts';
import type { FromSessionWorker, ToSessionWorker } from '../lib/session-messages.ts';
import { serveRunSession, type ServeOptions } from '../lib/session-worker-main.ts';
import { workerSessionHost } from '../lib/session-worker-host.ts';

const ORIGIN = 'http://127.0.0.1:8080';
const ok: CallResult = { ok: true, status: 200, timeMs: 2, attempts: 1, body: { facematch_result: 'True', confidence_score: 0.9 } };
const rejected: CallResult = { ok: false, status: 401, timeMs: 2, attempts: 1, error: { type: 'http', message: 'The token was rejected (HTTP 401).' } };
const serverError: CallResult = { ok: false, status: 500, timeMs: 2, attempts: 1, error: { type: 'http', message: 'HTTP 500.' } };
const JPEG = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 16, 0x4a, 0x46, 0x49, 0x46, 0, 1, 0xff, 0xd9]);

async function zipFile(n: number, name = 'batch.zip'): Promise<File> {
  const zip = new JSZip();
  for (let i = 0; i < n; i++) {
    zip.file(`p${i}_image1.jpg`, JPEG);
    zip.file(`p${i}_image2.jpg`, JPEG);
  }
  return new File([await zip.generateAsync({ type: 'uint8array' }) as Uint8Array<ArrayBuffer>], name, { type: 'application/zip' });
}

/** A worker whose inside is session-worker-main.ts, every message structured-cloned on its way. */
function workerWith(options: ServeOptions, log: { toWorker: ToSessionWorker[]; fromWorker: FromSessionWorker[]; terminated: boolean }): Worker {
  const worker = {
    onmessage: null as ((e: MessageEvent<FromSessionWorker>) => void) | null,
    onerror: null as ((e: ErrorEvent) => void) | null,
    onmessageerror: null,
    postMessage(msg: ToSessionWorker) {
      const data = structuredClone(msg);
      log.toWorker.push(data);
      setTimeout(() => scope.onmessage?.({ data }), 0);
    },
    terminate() { ended = true; log.terminated = true; },
  };
  let ended = false;
  const scope = {
    onmessage: null as ((e: { data: ToSessionWorker }) => void) | null,
    postMessage(msg: FromSessionWorker, transfer?: Transferable[]) {
      const data = structuredClone(msg, transfer ? { transfer } : undefined);
      log.fromWorker.push(data);
      setTimeout(() => { if (!ended) worker.onmessage?.({ data } as MessageEvent<FromSessionWorker>); }, 0);
    },
    location: { origin: ORIGIN },
  };
  serveRunSession(scope, { publishMs: 0, ...options });
  return worker as unknown as Worker;
}

function setup(call: CallFn, opts: { journal?: Journal; fails?: boolean } = {}) {
  const settings = createSettingsStore({ pageOrigin: ORIGIN, storage: () => undefined });
  settings.getState().setCredential('token', 'first-token');
  const log = { toWorker: [] as ToSessionWorker[], fromWorker: [] as FromSessionWorker[], terminated: false };
  let fallbackRuns = 0;
  const inThread = inThreadHost({ call, publishMs: 0 });
  const fallback: SessionHost = { start: (...a) => { fallbackRuns++; return inThread.start(...a); } };
  const saved: Blob[] = [];
  const bulk = createBulkStore({
    host: workerSessionHost({
      fallback,
      journal: !!opts.journal,
      createWorker: () => {
        if (!opts.fails) return workerWith({ call, ...(opts.journal ? { journal: () => opts.journal! } : {}) }, log);
        // A worker that cannot load: an error before it ever speaks.
        const w = { onmessage: null, onmessageerror: null, onerror: null as ((e: { preventDefault(): void }) => void) | null, postMessage() { setTimeout(() => w.onerror?.({ preventDefault() {} }), 0); }, terminate() { log.terminated = true; } };
        return w as unknown as Worker;
      },
    }),
    settings: {
      snapshot: () => settings.getState().jobSnapshot(),
      credentials: () => settings.getState().callSettings().credentials,
    },
    download: { save: (blob) => saved.push(blob) },
  });
  return { settings, bulk, log, saved, fallbackRuns: () => fallbackRuns };
}

describe('the Bulk run in a worker', () => {
  it('the worker reads the posted ZIP and makes every call; the page gets every record and the archive, and the worker is ended', async () => {
    const sent: string[] = [];
    const { bulk, log, saved, fallbackRuns } = setup(async (_s, images) => { sent.push(images[0].name); return ok; });
    await bulk.getState().loadFile(await zipFile(5));
    await bulk.getState().run();
    const s = bulk.getState();
    expect(s.phase).toBe('finished');
    expect(s.runError).toBeNull();
    expect(s.records.map((r) => r.pair_id)).toEqual(['p0', 'p1', 'p2', 'p3', 'p4']);
    expect(s.records.every((r) => r.success)).toBe(true);
    expect(sent).toHaveLength(5);
    expect(fallbackRuns()).toBe(0);
    expect(log.toWorker[0]).toMatchObject({ type: 'start', plan: { kind: 'run', input: { name: 'batch.zip' } } });
    expect(log.terminated).toBe(true);
    // The archive came back from the worker whole.
    expect(saved).toHaveLength(1);
    const reopened = await readResultsArchive(saved[0]!, 'facematch-bulk-1.zip');
    expect(reopened.records.map((r) => r.pair_id)).toEqual(['p0', 'p1', 'p2', 'p3', 'p4']);
  });

  it('the end events come back without the records the page already has; the page and the archive still hold every record, a re-run included', async () => {
    let fails = true;
    const { bulk, saved, log } = setup(async (_s, images) => (fails && images[0].name === 'p2_image1.jpg' ? serverError : ok));
    await bulk.getState().loadFile(await zipFile(4));
    await bulk.getState().run();
    expect(bulk.getState().records.map((r) => r.success)).toEqual([true, true, false, true]);
    const ends = log.fromWorker.filter((m) => m.type === 'event' && (m.event.type === 'building' || m.event.type === 'finished'));
    expect(ends).toHaveLength(2);
    for (const m of ends) {
      if (m.type !== 'event') continue;
      const posted = m.event.type === 'building' ? m.event.input.records : m.event.type === 'finished' ? m.event.summary.records : null;
      expect(posted).toEqual([]);
    }
    expect(bulk.getState().archiveInput?.records.map((r) => r.pair_id)).toEqual(['p0', 'p1', 'p2', 'p3']);
    // Both end events hand the page one array: nothing derived from the records is computed twice.
    expect(bulk.getState().records).toBe(bulk.getState().archiveInput?.records);
    fails = false;
    await bulk.getState().rerun('failed');
    const s = bulk.getState();
    expect(s.records.map((r) => [r.pair_id, r.success])).toEqual([['p0', true], ['p1', true], ['p2', true], ['p3', true]]);
    expect(s.archiveInput?.records).toEqual(s.records);
    const reopened = await readResultsArchive(saved.at(-1)!, 'facematch-bulk-2.zip');
    expect(reopened.records.map((r) => [r.pair_id, r.success])).toEqual(s.records.map((r) => [r.pair_id, r.success]));
  });

  it('Stop goes in by message: the call in flight is cancelled and the pairs not sent are not_run', async () => {
    let calls = 0;
    const { bulk } = setup(async (_s, _images, signal) => {
      if (++calls < 3) return ok;
      // The third call hangs until Stop reaches the worker.
      await new Promise<void>((resolve) => signal?.addEventListener('abort', () => resolve(), { once: true }));
      return { ok: false, status: null, timeMs: 1, attempts: 1, error: { type: 'aborted', message: 'Cancelled.' } };
    });
    await bulk.getState().loadFile(await zipFile(6));
    const running = bulk.getState().run();
    await expect.poll(() => bulk.getState().inFlight?.oldest).toBe('p2');
    bulk.getState().stop();
    await running;
    const s = bulk.getState();
    expect(s.phase).toBe('finished');
    expect(s.result?.stopped).toBe(true);
    expect(s.records.slice(0, 2).every((r) => r.success)).toBe(true);
    expect(s.records.slice(3).every((r) => !r.success && r.error.type === 'not_run')).toBe(true);
    expect(calls).toBe(3);
  });

  it('an auth pause is asked across the worker; Resume sends the credentials typed on the page and the pair goes again with them', async () => {
    const tokens: string[] = [];
    const { settings, bulk } = setup(async (s) => {
      tokens.push(s.credentials.token ?? '');
      return s.credentials.token === 'first-token' && tokens.length >= 2 ? rejected : ok;
    });
    await bulk.getState().loadFile(await zipFile(3));
    const running = bulk.getState().run();
    await expect.poll(() => bulk.getState().authPause).toEqual({ pairNumber: 2, total: 3 });
    settings.getState().setCredential('token', 'second-token');
    bulk.getState().resume();
    await running;
    const s = bulk.getState();
    expect(s.records.map((r) => r.success)).toEqual([true, true, true]);
    expect(tokens).toEqual(['first-token', 'first-token', 'second-token', 'second-token']);
    expect(s.snapshot?.credentials.token).toBe('second-token');
  });

  it('the worker journals the run (IndexedDB, from the worker) so that the page can resume it', async () => {
    const journal = new Journal(idbJournalBackend(`worker-host-${Date.now()}`, undefined, null));
    const { bulk } = setup(async () => ok, { journal });
    await bulk.getState().loadFile(await zipFile(4));
    await bulk.getState().run();
    const [run] = await journal.list();
    expect(run).toMatchObject({ status: 'finished', input: { name: 'batch.zip' }, progress: { done: 4 } });
    const read = await journal.read(run!.id);
    expect(read?.entries.map((e) => e.index)).toEqual([0, 1, 2, 3]);
  });

  it('a worker that cannot load: the run goes on in this thread before any call, nothing lost', async () => {
    let calls = 0;
    const { bulk, fallbackRuns } = setup(async () => { calls++; return ok; }, { fails: true });
    await bulk.getState().loadFile(await zipFile(4));
    await bulk.getState().run();
    expect(fallbackRuns()).toBe(1);
    expect(calls).toBe(4);
    expect(bulk.getState().records).toHaveLength(4);
    expect(bulk.getState().result?.stopped).toBe(false);
  });
});
