import 'fake-indexeddb/auto';
import JSZip from 'jszip';
import { Image, encodePng } from 'image-js';
import { describe, expect, it } from 'vitest';
import type { CallFn } from '../core/run/job.ts';
import type { RunManifest } from '../core/archive/manifest.ts';
import { deepvue, kwikid } from '../core/contracts/contracts.ts';
import { zipFingerprint } from '../core/zip/fingerprint.ts';
import { Journal, journalSettings } from '../core/run/journal.ts';
import { createRecorder } from '../core/run/journal-run.ts';
import { buildResultsZip } from '../core/archive/report.ts';
import { openZip } from '../core/zip/zip.ts';
import { parseLabels } from '../core/pairing/labels.ts';
import { recordFromCall, type PairEntry } from '../core/run/records.ts';
import { bytesPart, type CallResult, type ImagePart } from '../core/request/request.ts';
import { PERTURBATIONS } from '../core/sweep/spec.ts';
import { ROBUSTNESS_COMPARE_COLUMNS } from '../core/sweep/robustness.ts';
import { inThreadMaker, sweepPairs, type VariantMaker } from '../core/sweep/variants.ts';
import type { OpenedZip } from '../core/zip/zip.ts';
import { idbJournalBackend } from '../lib/journal-idb.ts';
import { createBulkStore } from './bulk.ts';
import { createJournalStore } from './journal.ts';
import { inThreadHost } from '../core/run/host.ts';
import { createSettingsStore } from './settings.ts';
import { createEvaluationStore, evaluationLabels } from './evaluation.ts';
import { readWorkbookXml } from '../../test/xlsx-xml.ts';
import { robustnessFor } from './robustness.ts';
import { createSweepStore, readSweep, selectSweepBlocker, sweepCount } from './sweep.ts';

describe('sweep settings', () => {
  it('are off by default; on, they ask for a perturbation before Run', () => {
    const s = createSweepStore();
    expect(readSweep(s.getState())).toEqual({ settings: null, problems: [] });
    expect(sweepCount(100, s.getState())).toBeNull();
    s.getState().setOn(true);
    expect(selectSweepBlocker(s.getState())).toBe('The robustness sweep has no perturbation picked: tick at least one (for example JPEG quality), or turn the sweep off.');
  });

  it('start from core\'s default levels and state the calls a run sends', () => {
    const s = createSweepStore();
    s.getState().setOn(true);
    s.getState().pick('jpeg', true);
    s.getState().pick('rotation', true);
    expect(readSweep(s.getState()).settings).toEqual({
      steps: [{ perturbation: 'jpeg', levels: PERTURBATIONS.jpeg.defaults }, { perturbation: 'rotation', levels: PERTURBATIONS.rotation.defaults }],
      side: 'image2',
    });
    s.getState().setLevels('jpeg', '50, 15%');
    s.getState().setSide('both');
    expect(readSweep(s.getState()).settings).toEqual({ steps: [{ perturbation: 'jpeg', levels: [50, 15] }, { perturbation: 'rotation', levels: PERTURBATIONS.rotation.defaults }], side: 'both' });
    expect(sweepCount(100, s.getState())).toBe(`100 pairs × ${1 + 2 + PERTURBATIONS.rotation.defaults.length} variants = ${100 * (3 + PERTURBATIONS.rotation.defaults.length)} calls`);
    // An unpicked perturbation's text is not read.
    s.getState().setLevels('blur', 'nonsense');
    expect(selectSweepBlocker(s.getState())).toBeNull();
  });

  it('name the field and say what to write when a level is wrong', () => {
    const s = createSweepStore();
    s.getState().setOn(true);
    s.getState().pick('jpeg', true);
    s.getState().setLevels('jpeg', '90, 0');
    expect(readSweep(s.getState())).toEqual({
      settings: null,
      problems: [{ id: 'jpeg', sentence: '"0" is not a level of JPEG quality: give JPEG quality 1–100, separated by commas (e.g. 90, 70, 50, 30, 15).' }],
    });
    expect(sweepCount(10, s.getState())).toBeNull();
    expect(selectSweepBlocker(s.getState())).toMatch(/^"0" is not a level of JPEG quality/);
  });
});

function png(v: number): Uint8Array {
  const img = new Image(8, 8, { colorModel: 'RGB' });
  img.fill([v, 255 - v, v]);
  return encodePng(img);
}

function pngZip(n: number): OpenedZip {
  const pairs: PairEntry[] = Array.from({ length: n }, (_, i) => ({ pair_id: `p${i}`, image1_path: `p${i}_image1.png`, image2_path: `p${i}_image2.png` }));
  return {
    pairs, skipped: [], notices: [], entryCount: 2 * n,
    entries: pairs.flatMap((p) => [p.image1_path, p.image2_path].map((name) => ({ name, size: 3, crc32: 1, compressedSize: 3, method: 0, flags: 0, localHeaderOffset: 0 }))) as unknown as OpenedZip['entries'],
    readPair: async (p) => [bytesPart(p.image1_path, png(10), 'image/png'), bytesPart(p.image2_path, png(200), 'image/png')],
    readText: async () => '',
  };
}

const ok: CallResult = { ok: true, status: 200, timeMs: 2, attempts: 1, body: { facematch_result: 'True', confidence_score: 0.9 } };

describe('a bulk run with a sweep', () => {
  it('sends each pair and its variants through the run, leaves out an excluded pair\'s variants too, and writes run.json\'s sweep', async () => {
    const settings = createSettingsStore({ pageOrigin: 'http://127.0.0.1:8080', storage: () => undefined });
    const sent: [string, string][] = [];
    const call: CallFn = async (_s, [, two]) => { sent.push([two.name, two.type ?? '']); return ok; };
    const made: string[] = [];
    let closed = 0;
    const here = inThreadMaker();
    const make: VariantMaker = async (bytes, v) => { made.push(`${v.perturbation}-${v.level}`); return here(bytes, v); };
    const saved: Blob[] = [];
    const bulk = createBulkStore({
      settings: {
        snapshot: () => settings.getState().jobSnapshot(),
        excluded: async () => new Map([[1, 'Excluded in the pre-flight.']]),
        sweep: () => ({ steps: [{ perturbation: 'jpeg', levels: [50] }, { perturbation: 'blur', levels: [1] }], side: 'image2' }),
        variantMaker: () => ({ make, close: () => { closed++; } }),
      },
      host: inThreadHost({ call, publishMs: 0 }),
      openZip: async () => pngZip(3),
      download: { save: (blob) => saved.push(blob) },
    });
    await bulk.getState().loadFile(new File([new Uint8Array(10)], 'batch.zip'));
    bulk.setState({ labels: parseLabels('pair_id,expected,capture\np0,same,selfie\np1,same,selfie\np2,different,id_card\n', { source: 'labels.csv', pairIds: ['p0', 'p1', 'p2'] }) });
    await bulk.getState().run();

    const s = bulk.getState();
    expect(s.total).toBe(9);
    expect(s.records.map((r) => [r.pair_id, r.success ? 'ok' : r.error.type])).toEqual([
      ['p0', 'ok'], ['p0~jpeg-50', 'ok'], ['p0~blur-1', 'ok'],
      ['p1', 'not_run'], ['p1~jpeg-50', 'not_run'], ['p1~blur-1', 'not_run'],
      ['p2', 'ok'], ['p2~jpeg-50', 'ok'], ['p2~blur-1', 'ok'],
    ]);
    // The JPEG variant of a PNG is sent as a JPEG; the blurred PNG stays a PNG.
    expect(sent.filter(([name]) => name.startsWith('p0'))).toEqual([['p0_image2.png', 'image/png'], ['p0_image2.jpg', 'image/jpeg'], ['p0_image2.png', 'image/png']]);
    expect(made).toEqual(['jpeg-50', 'blur-1', 'jpeg-50', 'blur-1']);
    expect(closed).toBe(1);

    const zip = await JSZip.loadAsync(await saved[0]!.arrayBuffer());
    const manifest = JSON.parse(await zip.file('run.json')!.async('string')) as RunManifest;
    expect(manifest.sweep?.perturbations.map((p) => [p.name, p.levels])).toEqual([['jpeg', [50]], ['blur', [1]]]);
    expect(manifest.sweep?.variants.map((v) => v.pair_id)).toEqual(['p0~jpeg-50', 'p0~blur-1', 'p2~jpeg-50', 'p2~blur-1']);
    // Each variant's record carries its pair's labels.csv columns, as the pair's does (groups in the report card).
    const record = async (id: string) => JSON.parse(await zip.file(`results/${id}.json`)!.async('string')) as { expected?: string; label_columns?: Record<string, string> };
    expect(await record('p2~blur-1')).toMatchObject({ expected: 'different', label_columns: { capture: 'id_card' } });
    expect(await record('p0~jpeg-50')).toMatchObject({ expected: 'same', label_columns: { capture: 'selfie' } });

    // The app evaluates what the archive does: each variant labelled as its pair.
    expect(evaluationLabels(s)?.labels).toEqual(new Map(s.records.map((r) => [r.pair_id, r.pair_id.startsWith('p2') ? 'different' : 'same'])));
    const shown = robustnessFor(s);
    expect(shown?.labelled).toBe(true);
    expect(shown?.curves.map((c) => [c.perturbation, c.levels.map((l) => [l.level, l.pairs, l.notRun])])).toEqual([['jpeg', [[50, 3, 1]]], ['blur', [[1, 3, 1]]]]);
    // Reopened from the archive, the same curves.
    const again = createBulkStore({ host: inThreadHost(), settings: { snapshot: () => settings.getState().jobSnapshot() } });
    await again.getState().openResults(new File([saved[0]!], 'facematch-bulk-1.zip'));
    expect(robustnessFor(again.getState())).toEqual(shown);
  });
});

describe('a sweep resumed from the run journal', () => {
  it('keeps the journalled records and sends the rest of the same variant pairs, with the sweep in run.json', async () => {
    const journal = new Journal(idbJournalBackend('sweep-journal-1'));
    const zip = pngZip(2);
    const settings = createSettingsStore({ pageOrigin: 'http://127.0.0.1:8080', storage: () => undefined });
    const sweep = { steps: [{ perturbation: 'rotation' as const, levels: [15, 30] }], side: 'image2' as const };
    const page = (call: CallFn) => {
      const saved: Blob[] = [];
      const bulk = createBulkStore({
        settings: { snapshot: () => settings.getState().jobSnapshot(), sweep: () => sweep, variantMaker: () => ({ make: inThreadMaker() }) },
        host: inThreadHost({ call, journal, publishMs: 0 }),
        openZip: async () => zip,
        download: { journal, save: (b) => saved.push(b) },
      });
      return { bulk, saved };
    };
    const file = () => new File([new Uint8Array(10)], 'pairs.zip', { lastModified: 1 });
    // The first page dies while p1's first variant is in flight (the fifth call; one at a time).
    let calls = 0;
    const first = page(async () => (++calls === 5 ? new Promise<CallResult>(() => {}) : ok));
    await first.bulk.getState().loadFile(file());
    void first.bulk.getState().run();
    await expect.poll(async () => (await journal.banner())?.progress.done).toBe(4);
    const run = (await journal.banner())!;
    expect(run.sweep).toEqual(sweep);
    expect(run.pairs.map((p) => p.pair_id)).toEqual(['p0', 'p0~rotation-15', 'p0~rotation-30', 'p1', 'p1~rotation-15', 'p1~rotation-30']);

    // The next page resumes with the same ZIP: only the rest is sent, as the same variants.
    const sent: string[] = [];
    const second = page(async (_s, [, two]) => { sent.push(two.name); return ok; });
    const read = (await journal.read(run.id))!;
    await second.bulk.getState().resumeRun({ run: read.run, entries: read.entries, sent: read.sent, file: file(), zip, credentials: {} });
    const s = second.bulk.getState();
    expect(s.records.map((r) => [r.pair_id, r.success])).toEqual(run.pairs.map((p) => [p.pair_id, true]));
    expect(s.records.map((r) => r.resumed === true)).toEqual([false, false, false, false, true, false]);
    expect(sent).toEqual(['p1_image2.png', 'p1_image2.png']);
    const archive = await JSZip.loadAsync(await second.saved[0]!.arrayBuffer());
    const manifest = JSON.parse(await archive.file('run.json')!.async('string')) as RunManifest;
    expect(manifest.sweep?.perturbations).toEqual([{ name: 'rotation', label: 'rotation', levels: [15, 30] }]);
    // Every variant's fingerprint, those sent by the first page included (their journalled records carry them).
    expect(manifest.sweep?.variants.map((v) => v.pair_id)).toEqual(['p0~rotation-15', 'p0~rotation-30', 'p1~rotation-15', 'p1~rotation-30']);
    const recorded = await Promise.all(manifest.sweep!.variants.map(async (v) => (JSON.parse(await archive.file(`results/${v.pair_id}.json`)!.async('string')) as { fingerprint?: string }).fingerprint));
    expect(recorded).toEqual(manifest.sweep!.variants.map((v) => v.fingerprint));
    expect(recorded.every((f) => /^sha256-[0-9a-f]{64}$/.test(f ?? ''))).toBe(true);
  });
});

describe('the journal banner with a sweep', () => {
  it('accepts the same ZIP for Resume (its pairs made a sweep again) and downloads the results so far with the Robustness sheet', async () => {
    const journal = new Journal(idbJournalBackend('sweep-journal-2'));
    const sweep = { steps: [{ perturbation: 'jpeg' as const, levels: [30] }], side: 'image2' as const };
    const z = new JSZip();
    for (const id of ['a', 'b']) { z.file(`${id}_image1.png`, png(1)); z.file(`${id}_image2.png`, png(2)); }
    const file = new File([await z.generateAsync({ type: 'uint8array' }) as Uint8Array<ArrayBuffer>], 'pairs.zip', { lastModified: 1 });
    const zip = await openZip(file, file.name);
    const run = await journal.start({
      id: journal.newId(),
      input: { name: file.name, size: file.size, lastModified: 1, fingerprint: zipFingerprint(zip.entries) },
      pairs: sweepPairs(zip.pairs, sweep), skipped: [], notices: [], sweep,
      settings: journalSettings({ contract: kwikid, baseUrl: 'http://127.0.0.1:1', credentials: {}, timeoutMs: 1000, retries: 0 }, false),
      startedAt: '2026-01-01T00:00:00.000Z',
    });
    const rec = createRecorder(journal, run);
    rec.record(recordFromCall(run.pairs[0]!, { ok: true, status: 200, timeMs: 5, attempts: 1, body: { facematch_result: 'True', confidence_score: 0.9 } }), 0);
    await rec.flush();
    const saved: Blob[] = [];
    const store = createJournalStore({ journal, buildArchive: (input) => buildResultsZip(input), save: (blob) => saved.push(blob) });
    await store.getState().refresh();
    await store.getState().startResume();
    await store.getState().chooseResumeFile(file);
    expect(store.getState().resume?.error).toBeNull();
    expect(store.getState().resume?.run.pairs.map((p) => p.pair_id)).toEqual(['a', 'a~jpeg-30', 'b', 'b~jpeg-30']);

    await store.getState().downloadSoFar();
    const archive = await JSZip.loadAsync(await saved[0]!.arrayBuffer());
    const workbook = await (await JSZip.loadAsync(await archive.file('summary.xlsx')!.async('uint8array'))).file('xl/workbook.xml')!.async('string');
    expect(workbook).toContain('name="Robustness"');
  });
});

describe('two sweeps of the same ZIP compared', () => {
  it('join by variant id (each pair and each variant once): a verdict flipped on one variant and a variant newly failing on the other vendor are listed as such, and Download has them in the Compare sheet', async () => {
    const sweep = { steps: [{ perturbation: 'jpeg' as const, levels: [50, 15] }], side: 'image2' as const };
    const labels = 'pair_id,expected\np0,same\np1,same\np2,different\n';
    /** A sweep run of pngZip(3) against `call`, its archive downloaded; the Bulk store and the evaluation beside it. */
    const sweepRun = async (provider: string, call: CallFn) => {
      const settings = createSettingsStore({ pageOrigin: 'http://127.0.0.1:8080', storage: () => undefined });
      await settings.getState().setProvider(provider);
      const saved: Blob[] = [];
      const bulk = createBulkStore({
        settings: { snapshot: () => settings.getState().jobSnapshot(), sweep: () => sweep, variantMaker: () => ({ make: inThreadMaker() }) },
        host: inThreadHost({ call, publishMs: 0 }),
        openZip: async () => pngZip(3),
        download: { save: (b) => saved.push(b) },
      });
      const built: Blob[] = [];
      const evaluation = createEvaluationStore({ bulk, buildArchive: async (input) => { const bytes = await buildResultsZip(input); built.push(new Blob([bytes as Uint8Array<ArrayBuffer>])); return bytes; } });
      await bulk.getState().loadFile(new File([new Uint8Array(10)], 'pairs.zip'));
      bulk.setState({ labels: parseLabels(labels, { source: 'labels.csv', pairIds: ['p0', 'p1', 'p2'] }) });
      await bulk.getState().run();
      return { bulk, evaluation, archive: saved[0]!, built };
    };
    const idOf = (parts: readonly [ImagePart, ImagePart]) => /^(p\d)_/.exec(parts[0].name)![1]!;
    // KwikID before: every pair and variant decided, p2 (different people) rejected.
    const before = await sweepRun(kwikid.id, async (_s, parts) => {
      const same = idOf(parts) !== 'p2';
      return { ok: true, status: 200, timeMs: 2, attempts: 1, body: { facematch_result: same ? 'True' : 'False', confidence_score: same ? 0.9 : 0.1 } };
    });
    // Deepvue after: rejects p1 at JPEG quality 15 (a flip), finds no face in p0 at JPEG quality 15.
    let k = 0;
    const after = await sweepRun(deepvue.id, async (_s, parts) => {
      const id = idOf(parts);
      const variant = ['', 'jpeg-50', 'jpeg-15'][k++ % 3];
      if (id === 'p0' && variant === 'jpeg-15') return { ok: false, status: 422, timeMs: 2, attempts: 1, error: { type: 'http', message: 'HTTP 422: no face.' } };
      const match = id !== 'p2' && !(id === 'p1' && variant === 'jpeg-15');
      return { ok: true, status: 200, timeMs: 2, attempts: 1, body: { data: { match, confidence: match ? 80 : 20 } } };
    });
    const ids = ['p0', 'p1', 'p2'].flatMap((p) => [p, `${p}~jpeg-50`, `${p}~jpeg-15`]);
    expect(after.bulk.getState().records.map((r) => r.pair_id)).toEqual(ids);

    await after.evaluation.getState().compareWith(new File([before.archive], 'facematch-bulk-kwikid.zip'));
    const c = after.evaluation.getState().comparison!;
    expect(after.evaluation.getState().compareError).toBeNull();
    expect(c.pairs.map((p) => p.pair_id)).toEqual(ids);
    expect([c.onlyBefore, c.onlyAfter]).toEqual([[], []]);
    expect(c.flips.map((p) => p.pair_id)).toEqual(['p1~jpeg-15']);
    expect(c.newlyFailing.map((p) => [p.pair_id, p.after.errorKind])).toEqual([['p0~jpeg-15', 'http 422']]);
    expect(c.recovered).toEqual([]);
    // Each side read through its own contract: KwikID's 0.9 against Deepvue's 80 (0.8 on the same 0–1 scale).
    expect(c.deltas.n).toBe(8);
    expect(c.pairs.find((p) => p.pair_id === 'p0')!.delta).toBeCloseTo(-0.1, 12);

    await after.evaluation.getState().download();
    const zip = await JSZip.loadAsync(await after.built.at(-1)!.arrayBuffer());
    const sheets = readWorkbookXml(await zip.file('summary.xlsx')!.async('uint8array'));
    const compare = sheets.get('Compare')!.rows().map((r) => [r.get('pair_id')?.text, r.get('change')?.text]);
    expect(compare.slice(0, 9)).toEqual([
      ['p1~jpeg-15', 'flip'], ['p0~jpeg-15', 'newly_failing'],
      ...ids.filter((id) => id !== 'p1~jpeg-15' && id !== 'p0~jpeg-15').map((id) => [id, 'same_verdict']),
    ]);
    expect(sheets.has('Robustness')).toBe(true);
    // Both are sweeps: each level's FNMR, FMR and FTA in both runs, side by side, rates as percentages.
    const sheet = sheets.get('Compare')!;
    const cells = sheet.rows().map((r) => sheet.header.map((h) => r.get(h)));
    const at = cells.findIndex((r) => r[0]?.text === 'perturbation level');
    expect(cells[at]!.map((c) => c?.text)).toEqual([...ROBUSTNESS_COMPARE_COLUMNS, undefined, undefined, undefined, undefined]);
    expect(cells.slice(at + 1, at + 4).map((r) => r.slice(0, 7).map((c) => (c?.t === 'n' ? Number(Number(c.text).toFixed(4)) : c?.text)))).toEqual([
      ['baseline', 0, 0, 0, 0, 0, 0],
      ['JPEG quality 50', 0, 0, 0, 0, 0, 0],
      ['JPEG quality 15', 0, 1, 0, 0, 0, 0.3333],
    ]);
    expect(cells[at + 3]![2]!.numFmt).toMatch(/%/);
    expect(await zip.file('report.html')!.async('string')).toMatch(/<caption>Robustness of both sweeps, per perturbation level<\/caption>[\s\S]*JPEG quality 15/);
  });
});
