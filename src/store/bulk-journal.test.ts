import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import type { CallFn } from '../core/run/job.ts';
import { Journal } from '../core/run/journal.ts';
import type { PairEntry } from '../core/run/records.ts';
import type { CallResult, ImagePart } from '../core/request/request.ts';
import type { OpenedZip } from '../core/zip/zip.ts';
import { idbJournalBackend } from '../lib/journal-idb.ts';
import { createBulkStore } from './bulk.ts';
import { inThreadHost } from '../core/run/host.ts';
import { createSettingsStore } from './settings.ts';

const ORIGIN = 'http://127.0.0.1:8080';
const TOKEN = 'bulk-journal-secret-token';

function fakeZip(n: number): OpenedZip {
  const pairs: PairEntry[] = Array.from({ length: n }, (_, i) => ({ pair_id: `p${i}`, image1_path: `p${i}_image1.jpg`, image2_path: `p${i}_image2.jpg` }));
  const part = (name: string): ImagePart => ({ name, data: new Blob([new Uint8Array([0xff, 0xd8, 0xff])], { type: 'image/jpeg' }) });
  return {
    pairs, skipped: [], notices: [], entryCount: 2 * n,
    entries: pairs.flatMap((p, i) => [p.image1_path, p.image2_path].map((name) => ({ name, size: 3, crc32: i, compressedSize: 3, method: 0, flags: 0, localHeaderOffset: 0 }))) as unknown as OpenedZip['entries'],
    readPair: async (p) => [part(`${p.pair_id}_image1.jpg`), part(`${p.pair_id}_image2.jpg`)],
    readText: async () => '',
  } as OpenedZip;
}

const ok: CallResult = { ok: true, status: 200, timeMs: 2, attempts: 1, body: { facematch_result: 'True', confidence_score: 0.9 } };
const fail500: CallResult = { ok: false, status: 500, timeMs: 2, attempts: 1, error: { type: 'http', message: 'The server failed (HTTP 500).' } };
const indexOf = (images: readonly [ImagePart, ImagePart]) => Number(/^p(\d+)_/.exec(images[0].name)![1]);
const file = () => new File([new Uint8Array(10)], 'regress.zip', { type: 'application/zip', lastModified: 1 });

let n = 0;
function setup(call: CallFn, journal: Journal, zip: OpenedZip) {
  const settings = createSettingsStore({ pageOrigin: ORIGIN, storage: () => undefined });
  settings.getState().setCredential('token', TOKEN);
  const saved: Blob[] = [];
  const bulk = createBulkStore({
    settings: { snapshot: () => settings.getState().jobSnapshot(), remember: () => false },
    host: inThreadHost({ call, journal, publishMs: 0 }),
    openZip: async () => zip,
    download: { save: (blob) => saved.push(blob), journal },
  });
  return { bulk, saved };
}

describe('Bulk store with the run journal', () => {
  it('a run that dies mid-call resumes from the journal: kept records stay, the pair in flight is sent again with resumed: true, no secret stored', async () => {
    const journal = new Journal(idbJournalBackend(`bulk-journal-${++n}`));
    const zip = fakeZip(5);
    // The first page: pair 2's call never answers (the page dies while it is in flight).
    const first = setup(async (_s, images) => (indexOf(images) === 2 ? new Promise<CallResult>(() => {}) : ok), journal, zip);
    await first.bulk.getState().loadFile(file());
    void first.bulk.getState().run();
    await expect.poll(async () => (await journal.banner())?.progress.done).toBe(2);
    await expect.poll(async () => (await journal.read((await journal.banner())!.id))!.sent).toContain(2);

    const run = (await journal.banner())!;
    const read = (await journal.read(run.id))!;
    expect(JSON.stringify(read)).not.toContain(TOKEN);
    expect(run.settings.credentials.token).toBeUndefined();

    // The next page: Resume with the same ZIP and the token typed again.
    const sent: number[] = [];
    const second = setup(async (_s, images) => { sent.push(indexOf(images)); return ok; }, journal, zip);
    await second.bulk.getState().resumeRun({ run: read.run, entries: read.entries, sent: read.sent, file: file(), zip, credentials: { token: TOKEN } });
    const s = second.bulk.getState();
    expect(sent).toEqual([2, 3, 4]);
    expect(s.records).toHaveLength(5);
    expect(s.records.every((r) => r.success)).toBe(true);
    expect(s.records.map((r) => r.resumed === true)).toEqual([false, false, true, false, false]);
    expect(second.saved).toHaveLength(1);
    expect((await journal.banner())).toBeNull(); // finished and downloaded
  });

  it('Re-run failed sends only the failed pairs with the run\'s snapshot: records replaced in place, attempts keep counting, previous_error added', async () => {
    const journal = new Journal(idbJournalBackend(`bulk-journal-${++n}`));
    const zip = fakeZip(4);
    let round = 0;
    const sent: number[] = [];
    const { bulk } = setup(async (s, images) => {
      const i = indexOf(images);
      sent.push(i);
      expect(s.credentials.token).toBe(TOKEN);
      return round === 0 && (i === 1 || i === 3) ? fail500 : ok;
    }, journal, zip);
    await bulk.getState().loadFile(file());
    await bulk.getState().run();
    expect(bulk.getState().canRerun).toBe(true);
    round = 1;
    sent.length = 0;
    await bulk.getState().rerun('failed');
    const s = bulk.getState();
    expect(sent.sort()).toEqual([1, 3]);
    expect(s.records.map((r) => r.success)).toEqual([true, true, true, true]);
    expect(s.records[1]).toMatchObject({ attempts: 2, previous_error: { type: 'http', http_status: 500 } });
    expect(s.records[0]!.previous_error).toBeUndefined();
    const stored = (await journal.read((await journal.list())[0]!.id))!;
    expect(stored.entries.find((e) => e.index === 1)!.record).toMatchObject({ success: true, previous_error: { type: 'http' } });
  });
});
