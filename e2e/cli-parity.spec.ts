/**
 * The CLI and the browser write the same archive: one labelled fixture ZIP (labels.csv with
 * `expected` and a `capture` grouping column), one reference server, a Bulk run in the page and
 * `facematch run` as a process; the entry names, the JSON records (keys in order, label_columns
 * included), run.json and the summary.xlsx sheets must be equal, times aside, and the Evaluation
 * and Groups sheets cell for cell as written: type, value and number format.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { buildFixturesZip, expect, expectedVerdicts, test } from './fixtures.ts';
import { openBulk, runAndDownload, runButton } from './helpers/app.ts';
import { downloadBytes, openArchive, type OpenedArchive } from './helpers/archive.ts';
import { comparable } from './helpers/parity.ts';
import { runBin } from '../test/cli.ts';
import { readWorkbookXml, type XmlCell } from '../test/xlsx-xml.ts';

test.use({ serverOptions: { engine: 'instant' } });

/** The capture of each fixture pair: every third an ID card, the rest selfies. */
const captureOf = (i: number) => (i % 3 === 0 ? 'id_card' : 'selfie');

/** labels.csv for the fixture pairs: the expected verdict and a grouping column. */
function labelsCsv(): string {
  const rows = [...expectedVerdicts()].map(([id, same], i) => `${id},${same ? 'same' : 'different'},${captureOf(i)}`);
  return `pair_id,expected,capture\n${rows.join('\n')}\n`;
}

/** The cell of `sheet` in the column headed `column`, on the row whose first cell reads `first`. */
function cellAt(a: OpenedArchive, sheet: string, first: string, column: string): XmlCell | undefined {
  const s = readWorkbookXml(a.entries.get('summary.xlsx')!).get(sheet)!;
  return s.rows().find((r) => [...r.values()][0]?.text === first)?.get(column);
}

test('facematch run writes the archive the browser writes for the same ZIP and server', async ({ page, server }) => {
  // A Bulk run in the page, then the CLI as its own process: two runs end to end.
  test.setTimeout(180_000);
  const zip = await buildFixturesZip({ extra: { 'labels.csv': labelsCsv() } });
  await openBulk(page, '/');
  await page.getByLabel('Choose ZIP').setInputFiles({ name: 'pairs.zip', mimeType: 'application/zip', buffer: zip });
  await expect(page.getByRole('status').filter({ hasText: 'pair(s) loaded' })).toContainText('16 labelled');
  await expect(runButton(page)).toBeEnabled();
  const inBrowser = await openArchive(await downloadBytes(await runAndDownload(page)));

  const dir = await mkdtemp(path.join(os.tmpdir(), 'facematch-parity-'));
  try {
    await writeFile(path.join(dir, 'pairs.zip'), zip);
    const got = await runBin(['run', 'pairs.zip', '--base-url', server.url, '--out', 'cli.zip'], dir);
    expect(got.stderr).toBe('');
    expect(got.code).toBe(0);
    const fromCli = await openArchive(await readFile(path.join(dir, 'cli.zip')));

    expect(fromCli.records).toHaveLength(16);
    expect(fromCli.records.every((r) => r.success)).toBe(true);
    // Each record carries its pair's grouping cell, what a reopened archive reads its groups from.
    const stems = [...expectedVerdicts().keys()];
    expect(fromCli.records.map((r) => [r.pair_id, r.label_columns]))
      .toEqual(stems.map((id, i) => [id, { capture: captureOf(i) }]));
    // Figures are numeric cells with a number format, not text: FMR a percentage, pairs an integer.
    for (const a of [fromCli, inBrowser]) {
      expect(cellAt(a, 'Evaluation', 'FMR', 'value')).toMatchObject({ t: 'n', numFmt: expect.stringContaining('%') });
      expect(cellAt(a, 'Evaluation', 'TP', 'value')).toMatchObject({ t: 'n' });
      const groups = readWorkbookXml(a.entries.get('summary.xlsx')!).get('Groups')!;
      const selfie = groups.rows().find((r) => r.get('group')?.text === 'selfie');
      expect(selfie?.get('grouping')?.text).toBe('capture');
      expect(selfie?.get('pairs')).toMatchObject({ t: 'n', text: String(stems.filter((_, i) => captureOf(i) === 'selfie').length) });
      expect(selfie?.get('FNMR')).toMatchObject({ t: 'n', numFmt: expect.stringContaining('%') });
    }
    expect(comparable(fromCli)).toEqual(comparable(inBrowser));
    expect(fromCli.names).toContain('run.json');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('two CLI shards merged write the archive one browser run writes for the same labelled ZIP', async ({ page, server }) => {
  test.setTimeout(180_000);
  const zip = await buildFixturesZip({ count: 6, extra: { 'labels.csv': labelsCsv() } });
  await openBulk(page, '/');
  await page.getByLabel('Choose ZIP').setInputFiles({ name: 'pairs.zip', mimeType: 'application/zip', buffer: zip });
  await expect(page.getByRole('status').filter({ hasText: 'pair(s) loaded' })).toContainText('6 labelled');
  const inBrowser = await openArchive(await downloadBytes(await runAndDownload(page)));

  const dir = await mkdtemp(path.join(os.tmpdir(), 'facematch-parity-'));
  try {
    await writeFile(path.join(dir, 'pairs.zip'), zip);
    for (const shard of ['1/2', '2/2']) {
      const got = await runBin(['run', 'pairs.zip', '--base-url', server.url, '--shard', shard, '--out', `shard-${shard[0]}.zip`], dir);
      expect(got.code, got.stderr).toBe(0);
    }
    const merged = await runBin(['merge', 'shard-2.zip', 'shard-1.zip', '--out', 'merged.zip'], dir);
    expect(merged.code, merged.stderr).toBe(0);
    const fromCli = await openArchive(await readFile(path.join(dir, 'merged.zip')));
    expect(fromCli.records.map((r) => r.pair_id)).toEqual(inBrowser.records.map((r) => r.pair_id));
    expect(comparable(fromCli)).toEqual(comparable(inBrowser));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
