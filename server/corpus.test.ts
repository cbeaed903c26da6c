/**
 * The bad-input corpus (test/corpus.ts) against a running reference server:
 *  - every ZIP case with pairs: openZip → runJob → one record per pair, unique pair_ids, the expected
 *    status / error type per pair (400 WebP-as-.jpg, text-as-.png, zero-byte; 413 for 30 MB; 422 no face;
 *    not_run for the bombs), and a results archive with safe entry names;
 *  - the Single cases straight against POST /facematch (missing part, text file, WebP named .jpg).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { kwikid } from '../src/core/contracts/contracts.ts';
import { DEFAULT_TOKEN } from '../src/core/contracts/defaults.ts';
import type { PairRecord } from '../src/core/run/records.ts';
import { buildResultsZip } from '../src/core/archive/report.ts';
import type { CallSettings } from '../src/core/request/request.ts';
import { runJob } from '../src/core/run/job.ts';
import { openZip, type OpenedZip } from '../src/core/zip/zip.ts';
import { archiveNameProblems, face, paddedJpeg, singleCases, storedEntryNames, zipCases, type BuiltFile, type ZipCase } from '../test/corpus.ts';
import { startServer, type RunningServer } from './main.ts';

const servers: Partial<Record<'instant' | 'real', Promise<RunningServer>>> = {};

/** One server per engine, started on first use; the real one is awaited until its models are loaded. */
function server(engine: 'instant' | 'real'): Promise<RunningServer> {
  servers[engine] ??= startServer({ port: 0, engine, workers: 1 }).then(async (s) => {
    await s.engine.ready();
    return s;
  });
  return servers[engine]!;
}

afterAll(async () => {
  await Promise.all(Object.values(servers).map(async (p) => (await p).close()));
});

function settingsFor(baseUrl: string): CallSettings {
  // One retry, as the app does by default: building a large case blocks this process's event loop
  // for seconds, and the first call can then land on a keep-alive socket the in-process server has
  // just closed ("fetch failed"). The cases expect no retryable status, so records are unchanged.
  return { contract: kwikid, baseUrl, credentials: { token: DEFAULT_TOKEN }, timeoutMs: 60_000, retries: 1 };
}

function checkRecords(c: ZipCase, z: OpenedZip, records: PairRecord[]): void {
  expect(records.length, 'one record per loaded pair').toBe(z.pairs.length);
  expect(records.map((r) => r.pair_id), 'records in pair order').toEqual(z.pairs.map((p) => p.pair_id));
  expect(new Set(records.map((r) => r.pair_id)).size, 'unique pair_ids').toBe(records.length);
  for (const rec of records) {
    const want = c.expect.records?.[rec.pair_id] ?? { success: true, status: 200 };
    const detail = JSON.stringify(rec.success ? { status: rec.http_status } : { status: rec.http_status, ...rec.error });
    expect(rec.success, `${rec.pair_id} success (${detail})`).toBe(want.success);
    if (want.status !== undefined) expect(rec.http_status, `${rec.pair_id} status (${detail})`).toBe(want.status);
    if (!rec.success) {
      if (want.errorType) expect(rec.error.type, `${rec.pair_id} error type (${detail})`).toBe(want.errorType);
      if (want.message) expect(rec.error.message).toMatch(want.message);
      expect(rec.error.message.length, 'a sentence, not a code').toBeGreaterThan(20);
    }
  }
}

describe('bad-input corpus: bulk runs against the reference server', () => {
  const runnable = zipCases.filter((c) => !c.expect.zipError && (c.expect.pairIds?.length ?? 0) > 0);
  for (const c of runnable) {
    const run = c.expect.knownBug ? it.fails : it;
    run(`${c.id}: ${c.title}`, async () => {
      const file = await c.build();
      const z = await openZip(new Uint8Array(file.bytes), file.name);
      expect(z.pairs.length).toBe(c.expect.pairIds!.length);
      const s = await server(c.expect.engine ?? 'instant');
      const summary = await runJob({ pairs: z.pairs, readPair: (p) => z.readPair(p), snapshot: { ...settingsFor(s.url), concurrency: 1, ratePerSecond: null } });
      expect(summary.stopped).toBe(false);
      checkRecords(c, z, summary.records);

      const bytes = await buildResultsZip({
        records: summary.records, skipped: z.skipped, notices: z.notices, contract: kwikid,
        endpoint: `${s.url}/facematch`, startedAt: summary.startedAt, finishedAt: summary.finishedAt,
        secrets: [DEFAULT_TOKEN],
      });
      const names = storedEntryNames(bytes);
      expect(archiveNameProblems(names)).toEqual([]);
      expect(names.filter((n) => /^results\/.+\.json$/.test(n)).length, 'one results/*.json per record').toBe(summary.records.length);
    }, c.expect.engine === 'real' ? 240_000 : 120_000);
  }
});

async function post(parts: Partial<Record<'image1' | 'image2', BuiltFile>>): Promise<{ status: number; body: { message?: string } }> {
  const s = await server('instant');
  const fd = new FormData();
  for (const [field, f] of Object.entries(parts)) {
    if (f) fd.append(field, new Blob([new Uint8Array(f.bytes)], { type: f.mimeType }), f.name);
  }
  const res = await fetch(`${s.url}/facematch`, { method: 'POST', headers: { Authorization: `Bearer ${DEFAULT_TOKEN}` }, body: fd });
  return { status: res.status, body: (await res.json()) as { message?: string } };
}

describe('bad-input corpus: Single inputs against POST /facematch', () => {
  for (const c of singleCases) {
    it(`${c.id}: ${c.title}`, async () => {
      const { status, body } = await post(await c.build());
      if (c.expect.missing) {
        expect(status).toBe(400);
        expect(body.message).toMatch(new RegExp(`${c.expect.missing} is missing`));
        return;
      }
      expect(status).toBe(c.expect.status ?? 200);
      if (c.expect.warning) expect(body.message).toMatch(new RegExp(`^${c.expect.warning.slot} is`));
    });
  }

  it('a zero-byte image is a 400 that says the file is empty', async () => {
    const { status, body } = await post({
      image1: { name: 'blank.jpg', bytes: Buffer.alloc(0), mimeType: 'image/jpeg' },
      image2: { name: 'b.jpg', bytes: face('b'), mimeType: 'image/jpeg' },
    });
    expect(status).toBe(400);
    expect(body.message).toMatch(/image1 is an empty file/);
  });

  it('a 30 MB image is a 413 that gives the limit', async () => {
    const { status, body } = await post({
      image1: { name: 'big.jpg', bytes: paddedJpeg(30 * 1024 * 1024), mimeType: 'image/jpeg' },
      image2: { name: 'b.jpg', bytes: face('b'), mimeType: 'image/jpeg' },
    });
    expect(status).toBe(413);
    expect(body.message).toMatch(/15(\.0)? MB/);
  });
});
