/**
 * The bad-input corpus (test/corpus.ts) through the core modules, no server and no browser:
 * openZip → a ZipError sentence naming the file and saying what to do, or the expected pairs /
 * skipped files / notices with nothing silently lost; readPair → a ZipError naming the entry for the
 * bombs and damaged entries; buildResultsZip → safe entry names for every pair_id.
 * The same cases against a running reference server (runJob, HTTP statuses) are in server/corpus.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { archiveNameProblems, corpus, storedEntryNames, zipCases, type ZipCase } from '../../../test/corpus.ts';
import { kwikid } from '../contracts/contracts.ts';
import { recordForUnreadablePair, type PairRecord } from '../run/records.ts';
import { buildResultsZip } from '../archive/report.ts';
import { openZip, ZipError, type OpenedZip } from './zip.ts';

function checkOpened(c: ZipCase, z: OpenedZip): void {
  const e = c.expect;
  const ids = z.pairs.map((p) => p.pair_id);
  expect(new Set(ids).size, 'pair_ids are unique').toBe(ids.length);
  if (e.pairIds) expect([...ids].sort()).toEqual([...e.pairIds].sort());
  if (e.flagged) expect(z.pairs.filter((p) => p.flag).map((p) => p.pair_id).sort()).toEqual([...e.flagged].sort());
  if (e.skippedCount !== undefined) expect(z.skipped.length, 'skipped entries').toBe(e.skippedCount);
  for (const want of e.skipped ?? []) {
    const got = z.skipped.find((s) => s.path === want.path);
    expect(got, `${want.path} is listed as skipped`).toBeDefined();
    expect(got!.reason).toMatch(want.reason);
  }
  for (const s of z.skipped) expect(s.reason.trim().length, `a reason for ${s.path}`).toBeGreaterThan(10);
  for (const pattern of e.notices ?? []) {
    expect(z.notices.some((n) => pattern.test(n)), `a notice matching ${pattern} in ${JSON.stringify(z.notices)}`).toBe(true);
  }
  // Nothing silently lost: every entry is either in a pair or skipped with a reason.
  const used = new Set(z.pairs.flatMap((p) => [p.image1_path, p.image2_path]));
  expect(used.size + z.skipped.length, 'entries = paired files + skipped').toBe(z.entryCount);
}

describe('bad-input corpus: opening the ZIP', () => {
  it('has at least 25 named cases with unique ids', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(25);
    expect(new Set(corpus.map((c) => c.id)).size).toBe(corpus.length);
  });

  for (const c of zipCases) {
    const run = c.expect.knownBug ? it.fails : it;
    run(`${c.id}: ${c.title}`, async () => {
      const file = await c.build();
      expect(file.bytes.length, 'the built file stays small').toBeLessThan(40 * 1024 * 1024);
      if (c.expect.zipError) {
        const err = await openZip(new Uint8Array(file.bytes), file.name).then(() => null, (e: unknown) => e);
        expect(err, 'openZip rejects').toBeInstanceOf(ZipError);
        const message = (err as ZipError).message;
        expect(message, 'names the file').toContain(file.name);
        for (const pattern of c.expect.zipError) expect(message).toMatch(pattern);
        return;
      }
      const z = await openZip(new Uint8Array(file.bytes), file.name);
      checkOpened(c, z);
      if (z.pairs.length === 0) {
        expect(z.notices[0], 'a notice names the file and says there is no pair').toMatch(new RegExp(`${file.name.replace(/\./g, '\\.')}.*no image pairs`));
        return;
      }

      // Pairs the runner cannot read must reject with a ZipError naming the entry, never throw anything else.
      for (const pair of z.pairs) {
        const want = c.expect.records?.[pair.pair_id];
        const got = await z.readPair(pair).then((images) => ({ ok: true as const, images }), (err: unknown) => ({ ok: false as const, err }));
        if (want?.errorType === 'not_run') {
          expect(got.ok, `${pair.pair_id} cannot be read`).toBe(false);
          if (!got.ok) {
            expect(got.err).toBeInstanceOf(ZipError);
            if (want.message) expect((got.err as Error).message).toMatch(want.message);
          }
        } else {
          expect(got.ok, `${pair.pair_id} is readable (${got.ok ? '' : String(got.err)})`).toBe(true);
          if (got.ok) expect(got.images.map((i) => i.name)).toEqual([pair.image1_path, pair.image2_path].map((p) => p.replace(/\\/g, '/').split('/').pop()));
        }
      }

      // The results archive for these pair_ids: one safely named JSON per pair.
      const records: PairRecord[] = z.pairs.map((p) => recordForUnreadablePair(p, 'Not sent in this test.'));
      const bytes = await buildResultsZip({
        records, skipped: z.skipped, notices: z.notices, contract: kwikid,
        endpoint: 'http://127.0.0.1:8080/facematch', startedAt: new Date().toISOString(), finishedAt: new Date().toISOString(),
      });
      const names = storedEntryNames(bytes);
      expect(archiveNameProblems(names)).toEqual([]);
      expect(names.filter((n) => /^results\/.+\.json$/.test(n)).length, 'one results/*.json per pair').toBe(z.pairs.length);
    }, c.slow ? 120_000 : 60_000);
  }
});
