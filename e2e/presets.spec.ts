/**
 * Every vendor preset, Single and Bulk, in the browser against this server's emulator of it
 * (instant engine); KwikID and Deepvue have their own specs, and Deepvue's CLI archive is compared
 * here too (KwikID's is in cli-parity.spec.ts).
 * Each preset: the Base URL follows the server to /emulate/<id> with the demo credentials filled,
 * Single's verdict is the engine's decision for the pair, and a two-pair Bulk archive has one
 * successful record per pair, the engine's verdicts, the vendor's own score in raw_score (when it
 * sends one), and the
 * preset named in run.json without any credential value; `facematch run --provider <id>` on the
 * same ZIP writes the same archive, times aside.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createEngine } from '../server/engine/index.ts';
import { credentialEnvName, demoCredentials } from '../src/core/providers/credentials.ts';
import { runBin } from '../test/cli.ts';
import { VENDOR_PRESETS } from '../src/core/providers/vendor-presets.ts';
import { buildFixturesZip, expect, facePath, readPairsCsv, test } from './fixtures.ts';
import { loadZip, openBulk, runAndDownload, runButton } from './helpers/app.ts';
import { downloadBytes, openArchive, type OpenedArchive } from './helpers/archive.ts';
import { comparable } from './helpers/parity.ts';

test.use({ serverOptions: { engine: 'instant' } });

/** The engine's own decision for a pair of fixture files: what every emulated vendor must say. */
async function engineSays(image1: string, image2: string): Promise<boolean> {
  const engine = createEngine({ mode: 'instant', workers: 1 } as Parameters<typeof createEngine>[0]);
  try {
    const out = await engine.match(readFileSync(facePath(image1)), readFileSync(facePath(image2)));
    if (out.kind !== 'compared') throw new Error(`The instant engine did not compare ${image1} and ${image2}.`);
    return out.match;
  } finally {
    await engine.close();
  }
}

/** The Summary columns every provider has (the vendor's own columns hold per-call ids). */
const NORMALISED = ['input_order', 'pair_id', 'image1_path', 'image2_path', 'success', 'http_status', 'facematch_result', 'confidence_score', 'raw_score', 'threshold', 'error_type', 'error_message', 'attempts'];

/** What two runs of the same pairs share: the vendor's answers carry ids and times of their own call, so records are compared without their body. */
function sameRun(a: OpenedArchive) {
  const c = comparable(a, false);
  return {
    ...c,
    records: c.records.map(({ body: _body, ...rest }) => rest),
    summary: c.summary.map((row) => Object.fromEntries(NORMALISED.map((k) => [k, row[k]]))),
  };
}

for (const preset of VENDOR_PRESETS) {
  test(`${preset.label}: Single and a two-pair Bulk run against its emulator, and the CLI's archive equals the browser's`, async ({ page, baseURL, server }) => {
    const [first, second] = readPairsCsv();
    await page.goto('/');
    await page.getByLabel('Provider').selectOption({ label: preset.label });
    await expect(page.getByLabel('Base URL')).toHaveValue(`${new URL(baseURL!).origin}/emulate/${preset.id}`);

    await page.getByLabel(`Choose ${preset.imageFields[0]}`).setInputFiles(facePath(first!.image1));
    await page.getByLabel(`Choose ${preset.imageFields[1]}`).setInputFiles(facePath(first!.image2));
    const sent = page.waitForRequest((r) => r.method() === 'POST' && new URL(r.url()).pathname.startsWith(`/emulate/${preset.id}/`));
    await runButton(page).click();
    await sent;
    await expect(page.getByTestId('verdict')).toHaveText(await engineSays(first!.image1, first!.image2) ? 'MATCH' : 'NO MATCH');

    await openBulk(page);
    const zip = await buildFixturesZip({ count: 2 });
    await loadZip(page, 'two.zip', zip, 2);
    const archive = await openArchive(await downloadBytes(await runAndDownload(page)));
    expect(archive.records.map((r) => r.success)).toEqual([true, true]);
    const expected = [await engineSays(first!.image1, first!.image2), await engineSays(second!.image1, second!.image2)];
    expect(archive.summary.map((row) => row.facematch_result)).toEqual(expected);
    // A vendor that sends a score has it in raw_score as sent and on 0–1 in confidence_score (HyperVerge sends none).
    for (const row of archive.summary) expect(typeof row.raw_score).toBe(preset.confidence ? 'number' : 'undefined');
    for (const row of archive.summary) expect(typeof row.confidence_score).toBe(preset.confidence ? 'number' : 'undefined');
    const runJson = archive.entries.get('run.json')!.toString('utf8');
    expect(JSON.parse(runJson)).toMatchObject({ settings: { provider: preset.id, provider_label: preset.label } });
    for (const [key, value] of Object.entries(demoCredentials(preset))) {
      if (preset.credentials.find((c) => c.key === key)?.secret) expect(runJson, `run.json holds the ${key}`).not.toContain(value);
    }

    const dir = await mkdtemp(path.join(os.tmpdir(), 'facematch-preset-'));
    try {
      await writeFile(path.join(dir, 'two.zip'), zip);
      const env = Object.fromEntries(Object.entries(demoCredentials(preset)).map(([key, value]) => [credentialEnvName(key), value]));
      const got = await runBin(['run', 'two.zip', '--provider', preset.id, '--base-url', `${server.url}/emulate/${preset.id}`, '--out', 'cli.zip'], dir, env);
      expect(got.code, got.stderr).toBe(0);
      const fromCli = await openArchive(await readFile(path.join(dir, 'cli.zip')));
      expect(sameRun(fromCli)).toEqual(sameRun(archive));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
}

test('Deepvue: a Bulk run that fetches its own token writes the archive `facematch run --provider deepvue` writes', async ({ page, server }) => {
  const zip = await buildFixturesZip({ count: 3 });
  await page.goto('/');
  await page.getByLabel('Provider').selectOption({ label: 'Deepvue' });
  // No Get token first: the run's first call is refused and the token is fetched, as the CLI does.
  await expect(page.getByLabel('Bearer token', { exact: true })).toHaveValue('');
  await openBulk(page);
  await loadZip(page, 'three.zip', zip, 3);
  const inBrowser = await openArchive(await downloadBytes(await runAndDownload(page)));
  expect(inBrowser.records.map((r) => r.success)).toEqual([true, true, true]);

  const dir = await mkdtemp(path.join(os.tmpdir(), 'facematch-preset-'));
  try {
    await writeFile(path.join(dir, 'three.zip'), zip);
    const got = await runBin(['run', 'three.zip', '--provider', 'deepvue', '--base-url', server.url, '--out', 'cli.zip'], dir);
    expect(got.code, got.stderr).toBe(0);
    const fromCli = await openArchive(await readFile(path.join(dir, 'cli.zip')));
    expect(sameRun(fromCli)).toEqual(sameRun(inBrowser));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
