import { describe, expect, it } from 'vitest';
import JSZip from 'jszip';
import type { FacesReport } from '../core/faces/faces.ts';
import type { SniffedType } from '../core/zip/filetype.ts';
import type { CallFn } from '../core/run/job.ts';
import type { PairEntry } from '../core/run/records.ts';
import type { CallResult, ImagePart } from '../core/request/request.ts';
import { openZip, ZipError, type OpenedZip } from '../core/zip/zip.ts';
import { createBulkStore } from './bulk.ts';
import { inThreadHost } from '../core/run/host.ts';
import { createPreflightStore, selectContentChecking, selectFlaggedCount, type PreflightDeps } from './preflight.ts';
import { createSettingsStore } from './settings.ts';

/** A loaded ZIP of `n` pairs p0…; `types` says what an entry really is (default JPEG); `null` = unreadable. */
function fakeZip(n: number, types: Record<string, SniffedType | null> = {}, sniffed: string[] = []): OpenedZip {
  const pairs: PairEntry[] = Array.from({ length: n }, (_, i) => ({ pair_id: `p${i}`, image1_path: `set/p${i}_image1.jpg`, image2_path: `set/p${i}_image2.jpg` }));
  const part = (name: string): ImagePart => ({ name, data: new Blob([name]) });
  return {
    pairs, skipped: [], notices: [], entryCount: 2 * n, entries: [],
    readPair: async (p) => [part(p.image1_path.split('/').pop()!), part(p.image2_path.split('/').pop()!)],
    readText: async () => '',
    sniffEntry: async (path) => {
      sniffed.push(path);
      const t = types[path];
      if (t === null) throw new ZipError(`${path} in x.zip is password-protected.`);
      return t ?? 'jpeg';
    },
  };
}

const faces = (n: number): FacesReport => ({
  width: 100, height: 100, faces: Array.from({ length: n }, (_, i) => ({ box: { x: i * 40, y: 0, width: 30, height: 30 }, score: 0.9 })), used: n ? 0 : null,
});

/** A store whose batches run one after another without waiting for a timer, and whose yields are counted. */
function setup(over: PreflightDeps = {}) {
  const yields = { count: 0 };
  const store = createPreflightStore({
    batchSize: 2,
    yieldToPage: async () => { yields.count++; },
    ...over,
  });
  return { store, yields };
}

/** Resolves once the content check of the loaded ZIP is over. */
const settled = async (store: ReturnType<typeof setup>['store']) => {
  await store.getState().excludedForRun().catch(() => undefined);
  for (let i = 0; i < 50 && selectContentChecking(store.getState()); i++) await new Promise((r) => setTimeout(r, 0));
};

describe('pre-flight: content flags', () => {
  it('sniffs every image in batches after the load and flags the pair whose file is not a JPEG or PNG, naming it', async () => {
    const sniffed: string[] = [];
    const { store, yields } = setup();
    store.getState().load(fakeZip(5, { 'set/p3_image2.jpg': 'text', 'set/p4_image1.jpg': 'png' }, sniffed));
    // The list is there at once; the check runs behind it.
    expect(store.getState().zip?.pairs).toHaveLength(5);
    expect(selectContentChecking(store.getState())).toBe(true);
    store.getState().setExclude(true);
    await settled(store);
    const s = store.getState();
    expect(s.contentDone).toBe(5);
    expect(sniffed).toHaveLength(10);
    expect(yields.count).toBe(2); // 5 pairs in batches of 2: two yields between three batches
    expect(selectFlaggedCount(s)).toBe(1);
    expect(s.flags.get(3)).toEqual([{ index: 3, pair_id: 'p3', source: 'content', reason: 'set/p3_image2.jpg is a text file, not a JPEG or PNG.' }]);
  });

  it('does not flag a pair whose entry cannot be read (the run records why), nor a ZIP without the sniffer', async () => {
    const { store } = setup();
    store.getState().load(fakeZip(2, { 'set/p0_image1.jpg': null, 'set/p0_image2.jpg': 'text' }));
    await settled(store);
    expect(store.getState().flags.size).toBe(0);
    expect([...store.getState().unreadable]).toEqual([0]);
    const { sniffEntry: _drop, ...bare } = fakeZip(2);
    store.getState().load(bare);
    expect(store.getState().contentDone).toBe(2);
  });

  it('excludes nothing unless "Exclude flagged pairs" is ticked; ticked, it waits for the content check and excludes every flagged pair', async () => {
    const { store } = setup();
    store.getState().load(fakeZip(6, { 'set/p5_image1.jpg': 'pdf' }));
    expect(await store.getState().excludedForRun()).toBeUndefined();
    store.getState().load(fakeZip(6, { 'set/p5_image1.jpg': 'pdf' }));
    store.getState().setExclude(true);
    // Asked before the last batch was sniffed: the flag of the last pair is not missed.
    const excluded = await store.getState().excludedForRun();
    expect([...(excluded ?? [])]).toEqual([[5, 'Not sent: excluded before the run (Exclude flagged pairs). set/p5_image1.jpg is a PDF document, not a JPEG or PNG.']]);
  });

  it('resets when a new ZIP loads: flags, the checkbox and the face check go, the old ZIP\'s late results are dropped', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => { release = r; });
    const { store } = setup({ yieldToPage: () => gate });
    store.getState().load(fakeZip(4, { 'set/p3_image1.jpg': 'text' }));
    store.getState().setExclude(true);
    store.getState().load(fakeZip(3));
    expect(store.getState()).toMatchObject({ exclude: false, contentDone: 0, faceCheck: { status: 'idle' } });
    release();
    await settled(store);
    expect(store.getState().zip?.pairs).toHaveLength(3);
    expect(store.getState().flags.size).toBe(0);
    store.getState().load(null);
    expect(store.getState().zip).toBeNull();
  });
});

describe('pre-flight: held during a run', () => {
  it('stops between batches while held and finishes every pair once let go', async () => {
    const sniffed: string[] = [];
    const { store } = setup();
    store.getState().hold(true);
    store.getState().load(fakeZip(6, { 'set/p5_image2.jpg': 'text' }, sniffed));
    for (let i = 0; i < 20; i++) await new Promise((r) => setTimeout(r, 0));
    // Held from the start: no batch is checked.
    expect(store.getState().contentDone).toBe(0);
    expect(sniffed).toEqual([]);
    store.getState().hold(false);
    await settled(store);
    expect(store.getState().contentDone).toBe(6);
    expect(new Set(sniffed).size).toBe(12);
    expect([...store.getState().flags.keys()]).toEqual([5]);
  });
});

describe('pre-flight: Check faces', () => {
  it('is not offered when the reference detector is not at the page origin, and then does nothing', async () => {
    let detected = 0;
    const { store } = setup({ facesAvailable: async () => false, detect: async () => { detected++; return faces(1); } });
    store.getState().load(fakeZip(2));
    await settled(store);
    expect(store.getState().facesAvailable).toBe(false);
    await store.getState().checkFaces();
    expect(detected).toBe(0);
    expect(store.getState().faceCheck.status).toBe('idle');
  });

  it('checks every image with progress, flags 0 or >1 faces, and joins the content flags in one excluded map', async () => {
    const counts: Record<string, number | null> = { 'p1_image2.jpg': 0, 'p2_image1.jpg': 2, 'p3_image1.jpg': null };
    const progress: number[] = [];
    const { store } = setup({
      facesAvailable: async () => true,
      detect: async (part) => { const n = counts[part.name]; return n === null ? null : faces(n ?? 1); },
    });
    store.subscribe((s) => { if (s.faceCheck.status === 'checking' && progress.at(-1) !== s.faceCheck.done) progress.push(s.faceCheck.done); });
    store.getState().load(fakeZip(4, { 'set/p1_image1.jpg': 'text' }));
    await settled(store);
    expect(store.getState().facesAvailable).toBe(true);
    await store.getState().checkFaces();
    const s = store.getState();
    expect(s.faceCheck).toEqual({ status: 'done', done: 4, total: 4, unknown: 1 });
    expect(progress).toEqual([0, 1, 2, 3, 4]);
    expect(selectFlaggedCount(s)).toBe(2);
    expect(s.flags.get(1)!.map((f) => f.source)).toEqual(['content', 'faces']);
    store.getState().setExclude(true);
    expect([...(await store.getState().excludedForRun())!]).toEqual([
      [1, 'Not sent: excluded before the run (Exclude flagged pairs). set/p1_image1.jpg is a text file, not a JPEG or PNG. No face found in p1_image2.jpg.'],
      [2, 'Not sent: excluded before the run (Exclude flagged pairs). 2 faces found in p2_image1.jpg.'],
    ]);
    // Checking again replaces the face flags, never doubles them.
    await store.getState().checkFaces();
    expect(store.getState().flags.get(1)).toHaveLength(2);
  });

  it('Stop ends the check between pairs and keeps the flags found so far', async () => {
    const { store } = setup({
      facesAvailable: async () => true,
      detect: async (part, signal) => {
        if (part.name === 'p1_image1.jpg') store.getState().stopFaces();
        if (signal.aborted) throw new DOMException('aborted', 'AbortError');
        return faces(part.name === 'p0_image2.jpg' ? 0 : 1);
      },
    });
    store.getState().load(fakeZip(5));
    await settled(store);
    await store.getState().checkFaces();
    const s = store.getState();
    expect(s.faceCheck.status).toBe('stopped');
    expect(s.faceCheck.done).toBe(1);
    expect([...s.flags.keys()]).toEqual([0]);
  });
});

describe('pre-flight with the Bulk store', () => {
  const ok: CallResult = { ok: true, status: 200, timeMs: 2, attempts: 1, body: { facematch_result: 'True', confidence_score: 0.9 } };

  it('a run with "Exclude flagged pairs" ticked sends only the clean pairs; the flagged one gets one not_run record with the reason', async () => {
    // A real ZIP whose p2_image2.jpg is a text file.
    const jpeg = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 0x4a, 0x46, 0x49, 0x46]);
    const src = new JSZip();
    for (const id of ['p1', 'p2', 'p3']) {
      src.file(`batch/${id}_image1.jpg`, jpeg);
      src.file(`batch/${id}_image2.jpg`, id === 'p2' ? 'this is not a photo\n' : jpeg);
    }
    const bytes = await src.generateAsync({ type: 'uint8array', compression: 'DEFLATE' });
    const preflight = createPreflightStore({ yieldToPage: async () => undefined });
    const settings = createSettingsStore({ pageOrigin: 'http://127.0.0.1:8080', storage: () => undefined });
    const sent: string[] = [];
    const call: CallFn = async (_s, images) => { sent.push(images[0].name); return ok; };
    const bulk = createBulkStore({
      settings: { snapshot: () => settings.getState().jobSnapshot(), excluded: () => preflight.getState().excludedForRun() },
      host: inThreadHost({ call, publishMs: 0, startArchive: () => ({ add() {}, finish: async () => new Uint8Array([1]), cancel() {} }) }),
      openZip: (f) => openZip(f, f.name),
    });
    bulk.subscribe((s, prev) => { if (s.zip !== prev.zip) preflight.getState().load(s.zip); });

    await bulk.getState().loadFile(new File([bytes as Uint8Array<ArrayBuffer>], 'batch.zip'));
    expect(preflight.getState().zip).toBe(bulk.getState().zip);
    preflight.getState().setExclude(true);
    await bulk.getState().run();

    expect(sent).toEqual(['p1_image1.jpg', 'p3_image1.jpg']);
    const records = bulk.getState().records;
    expect(records.map((r) => r.pair_id)).toEqual(['p1', 'p2', 'p3']);
    expect(records[1]).toMatchObject({
      success: false,
      error: { type: 'not_run', message: 'Not sent: excluded before the run (Exclude flagged pairs). batch/p2_image2.jpg is a text file, not a JPEG or PNG.' },
    });

    // Unticked, the flagged pair is sent like the others.
    preflight.getState().setExclude(false);
    sent.length = 0;
    await bulk.getState().run();
    expect(sent).toEqual(['p1_image1.jpg', 'p2_image1.jpg', 'p3_image1.jpg']);
  });
});
