/**
 * A robustness sweep in the app (instant engine, two labelled LFW pairs, two perturbations × two
 * levels): the pre-flight states the call count, the run sends every pair and variant, the
 * finished panel shows a chart per perturbation with core's sentence, and the downloaded archive
 * has the Robustness sheet and results/<pair>~<perturbation>-<level>.json. The variants the
 * browser's worker made are the bytes Node makes from the same images (run.json's fingerprints).
 */
import { readFileSync } from 'node:fs';
import AxeBuilder from '@axe-core/playwright';
import JSZip from 'jszip';
import * as XLSX from 'xlsx';
import { expect, test } from './fixtures.ts';
import { FINISHED_TEXT, finishedPanel, openBulk, runAndDownload, runButton } from './helpers/app.ts';
import { downloadBytes, openArchive } from './helpers/archive.ts';
import { buildPairsZip } from './helpers/images.ts';
import { holdCalls } from './helpers/run-view.ts';
import { lfwPath, readPairsCsv, LFW_DIR } from '../test/faces.ts';
import { kwikid } from '../src/core/contracts/contracts.ts';
import { demoCredentials } from '../src/core/providers/credentials.ts';
import type { PairRecord } from '../src/core/run/records.ts';
import { robustnessOf } from '../src/core/sweep/robustness.ts';
import { inThreadMaker, variantFingerprint, type SweepManifest } from '../src/core/sweep/variants.ts';

test.use({ serverOptions: { engine: 'instant' } });

/** One same-person and one different-person pair of lfw-dev (small crops: quick to perturb). */
function chosenPairs() {
  const all = readPairsCsv(LFW_DIR);
  return [all.find((p) => p.same)!, all.find((p) => !p.same)!].map((p, i) => ({ ...p, id: `p${i + 1}` }));
}

test('a sweep of 2 pairs × 2 perturbations × 2 levels: count, run, charts and the archive', async ({ page }) => {
  test.setTimeout(90_000);
  const pairs = chosenPairs();
  const zip = new JSZip();
  for (const p of pairs) {
    zip.file(`${p.id}_image1.jpg`, readFileSync(lfwPath(p.image1)));
    zip.file(`${p.id}_image2.jpg`, readFileSync(lfwPath(p.image2)));
  }
  zip.file('labels.csv', `pair_id,expected\n${pairs.map((p) => `${p.id},${p.same ? 'same' : 'different'}`).join('\n')}\n`);
  await openBulk(page, '/');
  await page.getByLabel('Choose ZIP').setInputFiles({ name: 'lfw2.zip', mimeType: 'application/zip', buffer: await zip.generateAsync({ type: 'nodebuffer' }) });
  await expect(page.getByRole('status').filter({ hasText: 'pair(s) loaded' })).toContainText('2 pair(s) loaded');

  // Turned on with nothing picked, Run says what to do.
  await page.getByRole('checkbox', { name: 'Robustness sweep' }).check();
  await expect(runButton(page)).toBeDisabled();
  await page.getByRole('checkbox', { name: 'JPEG quality' }).check();
  await page.getByRole('checkbox', { name: 'rotation' }).check();
  // A bad level names the field and what to write; Run waits for it.
  await page.getByLabel('JPEG quality levels').fill('50, abc');
  const bad = /^"abc" is not a level of JPEG quality: give JPEG quality 1–100, separated by commas/;
  await expect(page.getByLabel('JPEG quality levels')).toHaveAccessibleDescription(bad);
  await expect(page.getByLabel('JPEG quality levels')).toHaveAttribute('aria-invalid', 'true');
  await expect(runButton(page)).toBeDisabled();
  await expect(page.locator('#run-hint')).toHaveText(bad);
  // The settings, open with the problem shown, pass axe's serious and critical rules in both themes.
  for (const theme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: theme });
    const found = (await new AxeBuilder({ page }).include('[aria-labelledby="preflight-title"]').analyze()).violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${theme}: ${v.id} ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
    expect(found).toEqual([]);
  }
  await page.emulateMedia({ colorScheme: 'light' });
  await page.getByLabel('JPEG quality levels').fill('50, 15');
  await page.getByLabel('rotation levels').fill('15, 30');
  await expect(page.getByRole('status').filter({ hasText: 'Run sends' })).toHaveText('Run sends 2 pairs × 5 variants = 10 calls.');

  const download = await runAndDownload(page, 80_000);
  const archive = await openArchive(await downloadBytes(download));

  // Every pair and each of its variants got one record.
  const ids = pairs.flatMap((p) => [p.id, `${p.id}~jpeg-50`, `${p.id}~jpeg-15`, `${p.id}~rotation-15`, `${p.id}~rotation-30`]);
  expect(archive.records.map((r) => r.pair_id).sort()).toEqual([...ids].sort());
  for (const id of ids) expect(archive.names).toContain(`results/${id}.json`);
  await expect(finishedPanel(page).getByText('Succeeded', { exact: true }).locator('xpath=following-sibling::dd')).toHaveText('10');

  // The Robustness sheet: the baseline, then a row per level.
  const wb = XLSX.read(archive.entries.get('summary.xlsx')!, { type: 'buffer' });
  const rows = XLSX.utils.sheet_to_json<{ perturbation: string; level?: number; pairs: number }>(wb.Sheets.Robustness!);
  expect(rows.map((r) => [r.perturbation, r.level ?? null, r.pairs])).toEqual([
    ['baseline', null, 2], ['JPEG quality', 50, 2], ['JPEG quality', 15, 2], ['rotation', 15, 2], ['rotation', 30, 2],
  ]);

  // The app shows a chart per perturbation and core's sentence, computed here from the archive's records.
  const robustness = robustnessOf(archive.records as unknown as PairRecord[], kwikid)!;
  expect(robustness.labelled).toBe(true);
  const section = finishedPanel(page).getByRole('region', { name: 'Robustness' });
  for (const c of robustness.curves) {
    await expect(section.getByRole('listitem').filter({ hasText: `${c.label}:` })).toHaveText(`${c.label}: ${c.sentence}`);
    await expect(section.getByRole('img', { name: `Robustness: ${c.label}` })).toBeVisible();
  }

  // A variant's row detail shows its pair as loaded and says which variant was sent.
  await page.getByRole('grid', { name: 'Finished pairs' }).getByRole('row').filter({ has: page.getByText('p1~jpeg-15', { exact: true }) }).focus();
  await page.keyboard.press('Enter');
  const dialog = page.getByRole('dialog', { name: /^p1~jpeg-15: / });
  await expect(dialog).toContainText('The images of p1 as loaded; this call sent image2 at JPEG quality 15.');
  await expect(dialog.getByRole('img')).toHaveCount(2);
  await page.keyboard.press('Escape');

  // The browser's worker made the bytes Node makes: run.json's fingerprints, recomputed here.
  const manifest = JSON.parse(archive.entries.get('run.json')!.toString('utf8')) as { sweep: SweepManifest };
  expect(manifest.sweep.side).toBe('image2');
  expect(manifest.sweep.variants).toHaveLength(8);
  const make = inThreadMaker();
  for (const v of manifest.sweep.variants) {
    const p = pairs.find((x) => x.id === v.base_pair_id)!;
    const one = new Uint8Array(readFileSync(lfwPath(p.image1)));
    const two = await make(new Uint8Array(readFileSync(lfwPath(p.image2))), { perturbation: v.perturbation, level: v.level });
    expect(v.fingerprint, v.pair_id).toBe(variantFingerprint(one, two.bytes));
  }
});

test('a sweep reloaded mid-run and resumed with the same ZIP: every variant once, none not_run, run.json and the Robustness sheet', async ({ page }) => {
  test.setTimeout(90_000);
  // Three labelled pairs of small images, one perturbation × two levels: 9 calls.
  const { buffer: pairsZip, stems } = await buildPairsZip(3);
  const zip = await JSZip.loadAsync(pairsZip);
  zip.file('labels.csv', `pair_id,expected\n${stems.map((s, i) => `${s},${i % 2 ? 'same' : 'different'}`).join('\n')}\n`);
  const buffer = await zip.generateAsync({ type: 'nodebuffer' });
  // Every call of the second pair (its baseline first) is held: the page is reloaded while it is in flight.
  const calls = await holdCalls(page, (stem) => stem === stems[1]);

  await openBulk(page, '/');
  await page.getByLabel('Choose ZIP').setInputFiles({ name: 'sweep.zip', mimeType: 'application/zip', buffer });
  await expect(page.getByRole('status').filter({ hasText: 'pair(s) loaded' })).toContainText('3 labelled');
  await page.getByRole('checkbox', { name: 'Robustness sweep' }).check();
  await page.getByRole('checkbox', { name: 'JPEG quality' }).check();
  await page.getByLabel('JPEG quality levels').fill('50, 15');
  await expect(page.getByRole('status').filter({ hasText: 'Run sends' })).toHaveText('Run sends 3 pairs × 3 variants = 9 calls.');
  await runButton(page).click();
  await calls.arrived(stems[1]!);
  page.once('dialog', (d) => void d.accept()); // the leave-page prompt: confirm
  await page.reload();
  calls.releaseAll();

  // The first pair and its two variants were answered before the reload.
  const banner = page.getByRole('region', { name: 'Unfinished run' });
  await expect(banner).toContainText(/^Unfinished run of sweep\.zip: 3 of 9 pairs done\./);
  await banner.getByRole('button', { name: 'Resume' }).click();
  await page.getByLabel('Choose sweep.zip to resume').setInputFiles({ name: 'sweep.zip', mimeType: 'application/zip', buffer });
  const token = page.getByRole('region', { name: 'Resume run' }).getByLabel('Bearer token');
  if (await token.count() && !(await token.inputValue())) await token.fill(demoCredentials(kwikid).token!);
  const downloadPromise = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Resume run' }).click();
  const archive = await openArchive(await downloadBytes(await downloadPromise));
  await expect(page.getByText(FINISHED_TEXT, { exact: true })).toBeVisible();

  const variants = ['jpeg-50', 'jpeg-15'];
  const ids = stems.flatMap((s) => [s, ...variants.map((v) => `${s}~${v}`)]);
  expect(archive.records.map((r) => r.pair_id)).toEqual(ids);
  expect(archive.records.filter((r) => !r.success).map((r) => [r.pair_id, r.error?.type])).toEqual([]);
  const manifest = JSON.parse(archive.entries.get('run.json')!.toString('utf8')) as { stopped: boolean; counts: { not_run: number }; sweep: SweepManifest };
  expect(manifest).toMatchObject({ stopped: false, counts: { not_run: 0 } });
  expect(manifest.sweep.perturbations).toEqual([{ name: 'jpeg', label: 'JPEG quality', levels: [50, 15] }]);
  // Each variant's fingerprint once, those made before the reload included.
  expect(manifest.sweep.variants.map((v) => v.pair_id)).toEqual(ids.filter((id) => id.includes('~')));
  const rows = XLSX.utils.sheet_to_json<{ perturbation: string; level?: number; pairs: number }>(XLSX.read(archive.entries.get('summary.xlsx')!, { type: 'buffer' }).Sheets.Robustness!);
  expect(rows.map((r) => [r.perturbation, r.level ?? null, r.pairs])).toEqual([['baseline', null, 3], ['JPEG quality', 50, 3], ['JPEG quality', 15, 3]]);
  await expect(finishedPanel(page).getByRole('region', { name: 'Robustness' })).toBeVisible();
});
