/**
 * The in-page half of the core-module benchmarks (zip-open, archive). Built by Vite from this
 * folder with the app's own config, so it imports the very modules the app ships.
 */
import type JSZipType from 'jszip';
import { kwikid } from '../../src/core/contracts/contracts.ts';
import type { PairRecord } from '../../src/core/run/records.ts';
import { openZip } from '../../src/core/zip/zip.ts';
import { buildArchiveInWorker } from '../../src/core/archive/archive-client.ts';
import type { ArchiveTiming, BenchApi, ZipOpenTiming } from './api.ts';

let zipBytes: Uint8Array | null = null;
let JSZip: typeof JSZipType | null = null;

function bytes(): Uint8Array {
  if (!zipBytes) throw new Error('Call loadZip() first.');
  return zipBytes;
}

function records(n: number): PairRecord[] {
  const out: PairRecord[] = [];
  const width = Math.max(4, String(n).length);
  for (let i = 0; i < n; i++) {
    const stem = `pair${String(i + 1).padStart(width, '0')}`;
    const head = { pair_id: stem, image1_path: `batch/${stem}_image1.jpg`, image2_path: `batch/${stem}_image2.jpg` };
    if (i % 20 === 19) {
      out.push({
        ...head, success: false, http_status: 422, response_time_ms: 3.5 + (i % 7),
        error: { type: 'http', message: 'The API could not use an image (HTTP 422). The server said: "No face found in image2".' },
        error_body: { detail: { image: 'image2' }, message: 'No face found in image2' },
        attempts: 1,
      });
    } else {
      const match = i % 3 !== 0;
      out.push({
        ...head, success: true, http_status: 200, response_time_ms: 2.25 + (i % 11),
        body: { confidence_score: match ? 0.9731 : 0.1284, facematch_result: match ? 'True' : 'False', credits_consumed: 1 },
        attempts: 1,
      });
    }
  }
  return out;
}

const api: BenchApi = {
  async loadZip(url) {
    const res = await fetch(url);
    if (!res.ok) throw new Error(`GET ${url}: HTTP ${res.status}`);
    zipBytes = new Uint8Array(await res.arrayBuffer());
    // The same chunk openZip() loads on demand; loaded here once so neither side times the import.
    JSZip = (await import('jszip')).default;
    return zipBytes.length;
  },

  async openZipOnce(): Promise<ZipOpenTiming> {
    const data = bytes();
    const t0 = performance.now();
    const opened = await openZip(data, 'bench.zip');
    const ms = performance.now() - t0;
    return { ms, count: opened.pairs.length };
  },

  async jszipOnce(): Promise<ZipOpenTiming> {
    const data = bytes();
    if (!JSZip) throw new Error('Call loadZip() first.');
    const t0 = performance.now();
    const zip = await JSZip.loadAsync(data);
    const ms = performance.now() - t0;
    return { ms, count: Object.keys(zip.files).length };
  },

  async variantsInWorker(images, runs) {
    const { workerMaker } = await import('../../src/lib/variant-worker.ts');
    const { PERTURBATION_IDS, PERTURBATIONS } = await import('../../src/core/sweep/spec.ts');
    const maker = workerMaker();
    const inputs = images.map((i) => Uint8Array.from(i));
    try {
      // Warm-up (worker start, image-js load, JIT), not counted.
      for (const id of PERTURBATION_IDS) await maker.make(inputs[0]!, { perturbation: id, level: PERTURBATIONS[id].defaults[0]! });
      const times: number[] = [];
      for (let r = 0; r < runs; r++) {
        for (const id of PERTURBATION_IDS) {
          for (const level of PERTURBATIONS[id].defaults) {
            const t0 = performance.now();
            await maker.make(inputs[r % inputs.length]!, { perturbation: id, level });
            times.push(performance.now() - t0);
          }
        }
      }
      return times;
    } finally {
      maker.close();
    }
  },

  async probeLongTask() {
    const seen: number[] = [];
    const observer = new PerformanceObserver((list) => { for (const e of list.getEntries()) seen.push(e.duration); });
    observer.observe({ type: 'longtask' });
    await new Promise((r) => setTimeout(r, 20));
    const end = performance.now() + 120;
    while (performance.now() < end) { /* a deliberate 120 ms task */ }
    await new Promise((r) => setTimeout(r, 200));
    for (const e of observer.takeRecords()) seen.push(e.duration);
    observer.disconnect();
    return seen.reduce((m, d) => Math.max(m, d), 0);
  },

  async archiveOnce(n): Promise<ArchiveTiming> {
    const recs = records(n);
    const started = new Date().toISOString();
    const tasks: PerformanceEntry[] = [];
    const observer = new PerformanceObserver((list) => { tasks.push(...list.getEntries()); });
    observer.observe({ type: 'longtask' });
    // Let the record generation above settle before the clock starts.
    await new Promise((r) => setTimeout(r, 50));
    const t0 = performance.now();
    const out = await buildArchiveInWorker({
      records: recs,
      skipped: [{ path: 'batch/readme.txt', reason: 'not an image pair' }],
      notices: [],
      contract: kwikid,
      endpoint: `${location.origin}${kwikid.path}`,
      startedAt: started,
      finishedAt: new Date().toISOString(),
      secrets: ['demo-token'],
    });
    const t1 = performance.now();
    // Long-task entries are delivered asynchronously: give them a moment, then collect.
    await new Promise((r) => setTimeout(r, 200));
    tasks.push(...observer.takeRecords());
    observer.disconnect();
    const during = tasks.filter((t) => t.startTime < t1 && t.startTime + t.duration > t0);
    return {
      ms: t1 - t0,
      bytes: out.length,
      longestTaskMs: during.reduce((m, t) => Math.max(m, t.duration), 0),
      longTasks: during.length,
    };
  },
};

window.benchApi = api;
document.getElementById('status')!.textContent = 'ready';
