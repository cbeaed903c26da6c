/**
 * The CLI and the browser write the same archive: one fixture ZIP, one reference server, a Bulk
 * run in the page and `facematch run` as a process; the entry names, the JSON records (keys in
 * order), run.json and the summary.xlsx sheets must be equal, times aside.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { buildFixturesZip, expect, test } from './fixtures.ts';
import { loadZip, openBulk, runAndDownload } from './helpers/app.ts';
import { downloadBytes, openArchive, type OpenedArchive } from './helpers/archive.ts';
import { runBin } from '../test/cli.ts';

test.use({ serverOptions: { engine: 'instant' } });

/** Run sheet rows that are times or durations. */
const TIMES = /^(started|finished|duration|mean response time|p50 response time|p95 response time)\b/;

/** run.json without its two timestamps. */
function manifestWithoutTimes(a: OpenedArchive): unknown {
  const raw = a.entries.get('run.json');
  if (!raw) return null;
  const { started_at: _s, finished_at: _f, ...rest } = JSON.parse(raw.toString('utf8')) as Record<string, unknown>;
  return rest;
}

/** Everything a user compares, without the figures that are times. */
function comparable(a: OpenedArchive) {
  return {
    names: a.names,
    sheets: a.sheetNames,
    records: a.records.map(({ response_time_ms: _t, ...rest }) => ({ keys: Object.keys(rest), ...rest })),
    summary: a.summary.map(({ response_time_ms: _t, ...rest }) => rest),
    run: [...a.run].filter(([field]) => !TIMES.test(field)),
    manifest: manifestWithoutTimes(a),
  };
}

test('facematch run writes the archive the browser writes for the same ZIP and server', async ({ page, server }) => {
  const zip = await buildFixturesZip();
  await openBulk(page, '/');
  await loadZip(page, 'pairs.zip', zip, 16);
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
    expect(comparable(fromCli)).toEqual(comparable(inBrowser));
    expect(fromCli.names).toContain('run.json');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
