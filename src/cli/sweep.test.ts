/**
 * `facematch run --sweep` against the reference server (in-process, real engine): the variant
 * records, run.json's sweep section, and a Robustness sheet that equals a recomputation from
 * results/*.json.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import JSZip from 'jszip';
import { strFromU8, unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../server/main.ts';
import { facePath, pairStem, readPairsCsv } from '../../test/faces.ts';
import { readArchive, runCli } from '../../test/cli.ts';
import { readWorkbookXml } from '../../test/xlsx-xml.ts';
import { kwikid } from '../core/contracts/contracts.ts';
import { robustnessOf, robustnessRows, ROBUSTNESS_COLUMNS } from '../core/sweep/robustness.ts';
import { perturbImage } from '../core/sweep/perturb.ts';
import { SWEEP_LIBRARIES, variantFingerprint, type SweepManifest } from '../core/sweep/variants.ts';

// Real face matches on a shared 2-core machine: a generous guard, not a speed check.
const REAL_RUN_TIMEOUT = 300_000;

let dir: string;
let server: RunningServer;
/** Two same-person and two different-person pairs from the fixtures. */
let chosen: { id: string; image1: string; image2: string; same: boolean }[];

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'facematch-sweep-'));
  const all = readPairsCsv().map((p, i) => ({ id: pairStem(i), image1: p.image1, image2: p.image2, same: p.same }));
  chosen = [...all.filter((p) => p.same).slice(0, 2), ...all.filter((p) => !p.same).slice(0, 2)];
  const zip = new JSZip();
  for (const p of chosen) {
    zip.file(`${p.id}_image1${path.extname(p.image1)}`, readFileSync(facePath(p.image1)));
    zip.file(`${p.id}_image2${path.extname(p.image2)}`, readFileSync(facePath(p.image2)));
  }
  zip.file('labels.csv', `pair_id,expected\n${chosen.map((p) => `${p.id},${p.same ? 'same' : 'different'}`).join('\n')}\n`);
  await writeFile(path.join(dir, 'pairs.zip'), await zip.generateAsync({ type: 'nodebuffer' }));
  server = await startServer({ port: 0, engine: 'real', workers: 1 });
  await server.engine.ready();
});

afterAll(async () => {
  await server?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('facematch run --sweep', () => {
  it('sends 4 labelled pairs × (baseline + 3 levels) = 16 records, named and counted as specified, with a Robustness sheet equal to a recomputation', async () => {
    const out = path.join(dir, 'sweep.zip');
    const got = await runCli(['run', 'pairs.zip', '--base-url', server.url, '--out', out, '--sweep', 'jpeg=50,10', '--sweep', 'rotation=30', '--sweep-side', 'image2'], dir);
    expect(got.stderr).toBe('');
    expect(got.code).toBe(0);
    expect(got.stdout).toContain('sweep of 4 pairs × 4 variants = 16 calls (image2 perturbed)');
    expect(got.stdout).toMatch(/facematch: JPEG quality: (No rate leaves|\w+ leaves the baseline from JPEG quality)/);

    const archive = await readArchive(out);
    expect(archive.records).toHaveLength(16);
    const ids = chosen.flatMap((p) => [p.id, `${p.id}~jpeg-50`, `${p.id}~jpeg-10`, `${p.id}~rotation-30`]);
    expect(archive.records.map((r) => r.pair_id).sort()).toEqual([...ids].sort());
    for (const rec of archive.records) {
      const r = rec as typeof rec & { base_pair_id: string; perturbation: { name: string; level: number; side: string } | null };
      const base = rec.pair_id.split('~')[0]!;
      expect(r.base_pair_id, rec.pair_id).toBe(base);
      expect(r.perturbation, rec.pair_id).toEqual(rec.pair_id.includes('~')
        ? { name: rec.pair_id.includes('jpeg') ? 'jpeg' : 'rotation', level: Number(rec.pair_id.split('-').pop()), side: 'image2' }
        : null);
      // Each variant is labelled as its pair is.
      expect(rec.expected, rec.pair_id).toBe(chosen.find((p) => p.id === base)!.same ? 'same' : 'different');
    }

    // run.json: the sweep, the libraries, and each variant's fingerprint (the bytes it sent).
    const sweep = (archive.manifest as { sweep: SweepManifest }).sweep;
    expect(sweep.side).toBe('image2');
    expect(sweep.perturbations).toEqual([{ name: 'jpeg', label: 'JPEG quality', levels: [50, 10] }, { name: 'rotation', label: 'rotation', levels: [30] }]);
    expect(sweep.libraries).toEqual(SWEEP_LIBRARIES);
    expect(sweep.variants).toHaveLength(12);
    const p0 = chosen[0]!;
    const one = new Uint8Array(readFileSync(facePath(p0.image1)));
    const two = perturbImage(new Uint8Array(readFileSync(facePath(p0.image2))), 'jpeg', 10).bytes;
    expect(sweep.variants.find((v) => v.pair_id === `${p0.id}~jpeg-10`)).toEqual({
      pair_id: `${p0.id}~jpeg-10`, base_pair_id: p0.id, perturbation: 'jpeg', level: 10, fingerprint: variantFingerprint(one, two),
    });

    // The Robustness sheet: baseline + 3 levels, each row what results/*.json give when recomputed.
    const files = unzipSync(new Uint8Array(await readFile(out)));
    const sheet = readWorkbookXml(files['summary.xlsx']!).get('Robustness')!;
    expect(sheet.header).toEqual([...ROBUSTNESS_COLUMNS]);
    const recomputed = robustnessRows(robustnessOf(archive.records, kwikid)!);
    const rows = sheet.rows();
    expect(rows).toHaveLength(4);
    expect(rows.map((r) => r.get('perturbation')?.text)).toEqual(['baseline', 'JPEG quality', 'JPEG quality', 'rotation']);
    rows.forEach((row, k) => {
      ROBUSTNESS_COLUMNS.forEach((col, c) => {
        const want = recomputed[k]![c];
        const cell = row.get(col);
        if (want === null) expect(cell, `${col} row ${k}`).toBeUndefined();
        else if (typeof want === 'number') expect(Number(cell?.text), `${col} row ${k}`).toBeCloseTo(want, 10);
        else expect(cell?.text, `${col} row ${k}`).toBe(want);
      });
      // 4 pairs per level, each decided or failed to acquire, none left unsent.
      expect(Number(row.get('pairs')!.text)).toBe(4);
      expect(Number(row.get('decided')!.text) + Number(row.get('failures_to_acquire')!.text)).toBe(4);
      expect(row.get('fnmr_n') ?? row.get('fmr_n')).toBeDefined();
    });
    expect(sheet.column('fnmr')[0]?.numFmt).toBe('0.00%');

    const html = strFromU8(files['report.html']!);
    expect(html).toContain('<h2 id="robustness">Robustness</h2>');
    expect(html).toContain('aria-label="Robustness: JPEG quality"');
    expect(html).toContain('aria-label="Robustness: rotation"');
  }, REAL_RUN_TIMEOUT);

  it('refuses a wrong --sweep or --sweep-side with a sentence, and --sweep-side alone', async () => {
    const bad = await runCli(['run', 'pairs.zip', '--sweep', 'sharpen=2'], dir);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('"sharpen" is not a perturbation. Use one of jpeg, size, blur, brightness, contrast, rotation, noise');
    const level = await runCli(['run', 'pairs.zip', '--sweep', 'jpeg=101'], dir);
    expect(level.stderr).toContain('"101" is not a level of jpeg: give JPEG quality 1–100');
    const side = await runCli(['run', 'pairs.zip', '--sweep', 'jpeg', '--sweep-side', 'selfie'], dir);
    expect(side.stderr).toContain('"selfie" is not an image to perturb');
    const alone = await runCli(['run', 'pairs.zip', '--sweep-side', 'image1'], dir);
    expect(alone.stderr).toContain('--sweep-side picks the image a sweep perturbs, so it needs --sweep too');
  });
});
