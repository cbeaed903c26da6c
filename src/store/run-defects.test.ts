/**
 * The run session's defects of issue #21, each driven as a user would with a fake call:
 * Stop → Run remaining → reload → Resume sends every pair left; labels.csv survives Resume; a token
 * renewed mid-run never reaches the journal.
 */
import 'fake-indexeddb/auto';
import JSZip from 'jszip';
import { describe, expect, it } from 'vitest';
import type { CallFn } from '../core/run/job.ts';
import { Journal } from '../core/run/journal.ts';
import type { CallResult, ImagePart } from '../core/request/request.ts';
import { idbJournalBackend } from '../lib/journal-idb.ts';
import { createBulkStore } from './bulk.ts';
import { inThreadHost } from '../core/run/host.ts';
import { createJournalStore } from './journal.ts';
import { createSettingsStore } from './settings.ts';

const ORIGIN = 'http://127.0.0.1:8080';
const TOKEN = 'first-secret-token';
const RENEWED = 'renewed-secret-token';

const png = (seed: number) => Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, seed]);
async function zipFile(n: number, withLabels: boolean): Promise<File> {
  const zip = new JSZip();
  for (let i = 0; i < n; i++) {
    zip.file(`p${i}_image1.png`, png(i));
    zip.file(`p${i}_image2.png`, png(i + 100));
  }
  if (withLabels) zip.file('labels.csv', `pair_id,expected\n${Array.from({ length: n }, (_, i) => `p${i},${i % 2 ? 'different' : 'same'}`).join('\n')}\n`);
  return new File([await zip.generateAsync({ type: 'uint8array' }) as Uint8Array<ArrayBuffer>], 'regress.zip', { lastModified: 1 });
}

const indexOf = (images: readonly [ImagePart, ImagePart]) => Number(/^p(\d+)_/.exec(images[0].name)![1]);
const answer = (token: string | undefined): CallResult => ({ ok: true, status: 200, timeMs: 2, attempts: 1, body: { facematch_result: 'True', confidence_score: 0.9, echo: `token ${token}` } });
const aborted: CallResult = { ok: false, status: null, timeMs: 2, attempts: 1, error: { type: 'aborted', message: 'Cancelled.' } };
const rejected: CallResult = { ok: false, status: 401, timeMs: 2, attempts: 1, error: { type: 'http', message: 'HTTP 401.' } };
/** Answers at once, except `hang` pairs, which wait until the run is stopped (or forever). */
const callHanging = (hang: (i: number) => boolean, sent: number[] = []): CallFn => async (s, images, signal) => {
  const i = indexOf(images);
  sent.push(i);
  if (!hang(i)) return answer(s.credentials.token);
  return new Promise<CallResult>((resolve) => signal?.addEventListener('abort', () => resolve(aborted), { once: true }));
};

let n = 0;
function page(journal: Journal, call: CallFn, readToken?: () => string) {
  const settings = createSettingsStore({ pageOrigin: ORIGIN, storage: () => undefined });
  settings.getState().setCredential('token', TOKEN);
  const saved: Blob[] = [];
  const bulk = createBulkStore({
    settings: {
      snapshot: () => settings.getState().jobSnapshot(),
      remember: () => false,
      ...(readToken ? { credentials: () => ({ token: readToken() }) } : {}),
    },
    host: inThreadHost({ call, journal, publishMs: 0 }),
    download: { save: (blob) => saved.push(blob), journal },
  });
  const journalStore = createJournalStore({ journal, buildArchive: async () => new Uint8Array(), save: () => {} });
  return { settings, bulk, saved, journalStore };
}

/** The next page: the banner's Resume, the same ZIP chosen again, the token typed again. */
async function resumeOnNextPage(journal: Journal, zipFileOf: () => Promise<File>, call: CallFn) {
  const next = page(journal, call);
  await next.journalStore.getState().refresh();
  await next.journalStore.getState().startResume();
  await next.journalStore.getState().chooseResumeFile(await zipFileOf());
  const r = next.journalStore.getState().resume!;
  expect(r.error).toBeNull();
  await next.bulk.getState().resumeRun({ run: r.run, entries: r.entries, sent: r.sent, file: r.file!, zip: r.zip!, labels: r.labels, credentials: { token: TOKEN } });
  return next;
}

describe('the run session (issue #21 defects)', () => {
  it('Stop → Run remaining → reload → Resume sends every pair left: not_run is never done, and the run is finished, not stopped', async () => {
    const journal = new Journal(idbJournalBackend(`run-defects-${++n}`));
    const file = await zipFile(12, false);
    // First page: Stop while pair 3 is in flight.
    let hangAt = 3;
    const first = page(journal, callHanging((i) => i === hangAt));
    await first.bulk.getState().loadFile(file);
    const running = first.bulk.getState().run();
    await expect.poll(() => first.bulk.getState().inFlight?.oldest).toBe('p3');
    first.bulk.getState().stop();
    await running;
    expect(first.bulk.getState().result?.stopped).toBe(true);
    // "Run remaining (9)"; the page is reloaded while pair 6 is in flight.
    hangAt = 6;
    void first.bulk.getState().rerun('remaining');
    await expect.poll(() => first.bulk.getState().inFlight?.oldest).toBe('p6');
    await expect.poll(async () => (await journal.banner())?.progress.done).toBe(6);

    // Next page: the banner counts only the pairs answered, and Resume sends every other one.
    const banner = (await journal.banner())!;
    expect(banner.progress.done).toBeLessThan(12);
    const sent: number[] = [];
    const next = await resumeOnNextPage(journal, () => zipFile(12, false), callHanging(() => false, sent));
    const s = next.bulk.getState();
    expect(s.records).toHaveLength(12);
    expect(s.records.filter((r) => !r.success)).toEqual([]);
    expect(sent.length).toBeGreaterThan(0);
    expect(sent).toContain(11);
    expect(s.result?.stopped).toBe(false);
    const runJson = JSON.parse(await (await JSZip.loadAsync(await next.saved[0]!.arrayBuffer())).file('run.json')!.async('string')) as { stopped: boolean; counts: { not_run: number } };
    expect(runJson).toMatchObject({ stopped: false, counts: { not_run: 0 } });
  });

  it('a run of kept not_run pairs that sends none of them is reported stopped (Re-run failed on a stopped run)', async () => {
    const journal = new Journal(idbJournalBackend(`run-defects-${++n}`));
    let failFirst = true;
    const p = page(journal, async (s, images, signal) => {
      const i = indexOf(images);
      if (i === 0 && failFirst) { failFirst = false; return { ok: false, status: 500, timeMs: 1, attempts: 1, error: { type: 'http', message: 'HTTP 500.' } }; }
      return callHanging((k) => k === 2)(s, images, signal);
    });
    await p.bulk.getState().loadFile(await zipFile(4, false));
    const running = p.bulk.getState().run();
    await expect.poll(() => p.bulk.getState().inFlight?.oldest).toBe('p2');
    p.bulk.getState().stop();
    await running;
    await p.bulk.getState().rerun('failed');
    const s = p.bulk.getState();
    expect(s.records[0]!.success).toBe(true);
    expect(s.result?.stopped).toBe(true);
    expect(s.stopReason).toMatch(/not sent in this run/);
  });

  it('labels.csv inside the ZIP survives Resume: not listed as skipped, and the archive has the Evaluation and expected/outcome', async () => {
    const journal = new Journal(idbJournalBackend(`run-defects-${++n}`));
    const first = page(journal, callHanging((i) => i === 2));
    await first.bulk.getState().loadFile(await zipFile(4, true));
    expect(first.bulk.getState().labels?.labels.size).toBe(4);
    void first.bulk.getState().run();
    await expect.poll(async () => (await journal.banner())?.progress.done).toBe(2);

    const next = await resumeOnNextPage(journal, () => zipFile(4, true), callHanging(() => false));
    const s = next.bulk.getState();
    expect(s.labels?.labels.size).toBe(4);
    // Never skipped as a file that breaks the pairing rule (it is the labels, used or not listed).
    expect(s.zip!.skipped.filter((e) => e.path === 'labels.csv' && !e.reason.startsWith('Labels: used'))).toEqual([]);
    expect(s.archiveInput?.evaluation?.labels).toHaveLength(4);
    const archive = await JSZip.loadAsync(await next.saved[0]!.arrayBuffer());
    const p1 = JSON.parse(await archive.file('results/p1.json')!.async('string')) as { expected?: string; outcome?: string };
    expect(p1.expected).toBe('different');
    expect(p1.outcome).toBe('FP');
  });

  it('a token renewed mid-run is redacted in the journal too, as in the archive', async () => {
    const journal = new Journal(idbJournalBackend(`run-defects-${++n}`));
    const p = page(journal, async (s) => (s.credentials.token === RENEWED ? answer(RENEWED) : rejected), () => RENEWED);
    await p.bulk.getState().loadFile(await zipFile(3, false));
    const running = p.bulk.getState().run();
    await expect.poll(() => p.bulk.getState().authPause).not.toBeNull();
    p.bulk.getState().resume();
    await running;
    const all = await Promise.all((await journal.list()).map((r) => journal.read(r.id)));
    const text = JSON.stringify(all);
    expect(text).toContain('[redacted]');
    expect(text).not.toContain(RENEWED);
    expect(text).not.toContain(TOKEN);
    const archive = JSON.stringify(await Promise.all(Object.values((await JSZip.loadAsync(await p.saved[0]!.arrayBuffer())).files).map((f) => f.async('string'))));
    expect(archive).not.toContain(RENEWED);
  });
});

