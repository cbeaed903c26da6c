/**
 * `facematch run` end to end against the in-process reference server: the archive, the JUnit
 * report, the exit codes and Ctrl-C. Run in-process through main() except where a real process
 * is the point (SIGINT, the bin entry).
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { strFromU8, unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../server/main.ts';
import { buildFixturesZip, expectedVerdicts } from '../../test/faces.ts';
import type { PairRecord } from '../core/run/records.ts';
import { BIN, readArchive, runCli, type ArchiveContents } from '../../test/cli.ts';

function verdictOf(rec: PairRecord): string | undefined {
  return rec.success ? (rec.body as { facematch_result?: string }).facematch_result : undefined;
}

let dir: string;
let zipFile: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'facematch-cli-'));
  zipFile = path.join(dir, 'pairs.zip');
  await writeFile(zipFile, await buildFixturesZip());
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('facematch run on the fixture ZIP (real engine)', () => {
  // 16 real face matches on a shared 2-core machine: a generous guard, not a speed check.
  const REAL_RUN_TIMEOUT = 240_000;
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer({ port: 0, engine: 'real', workers: 1 });
    await server.engine.ready();
  });
  afterAll(async () => {
    await server?.close();
  });

  it('writes 16 records with the right verdicts, and a JUnit report with 16 testcases; exit code 0', async () => {
    const out = path.join(dir, 'real.zip');
    const junit = path.join(dir, 'real.xml');
    const expected = expectedVerdicts();
    await writeFile(path.join(dir, 'labels.csv'), `pair_id,expected\n${[...expected].map(([id, same]) => `${id},${same ? 'same' : 'different'}`).join('\n')}\n`);
    const got = await runCli(['run', 'pairs.zip', '--base-url', server.url, '--out', out, '--junit', junit, '--labels', 'labels.csv', '--fail-under-accuracy', '100%'], dir);
    expect(got.stderr).toBe('');
    expect(got.code).toBe(0);
    expect(got.stdout).toContain('16 records: 16 succeeded');
    expect(got.stdout).toContain('accuracy against labels.csv: 100.0 % (16 of 16 labelled pairs decided right)');

    const archive = await readArchive(out);
    expect(archive.names).toContain('summary.xlsx');
    expect(archive.records).toHaveLength(16);
    for (const rec of archive.records) {
      expect(rec.success, `${rec.pair_id}: ${JSON.stringify(rec)}`).toBe(true);
      expect(verdictOf(rec), rec.pair_id).toBe(expected.get(rec.pair_id) ? 'True' : 'False');
      expect(rec.expected, rec.pair_id).toBe(expected.get(rec.pair_id) ? 'same' : 'different');
      expect(rec.outcome, rec.pair_id).toBe(expected.get(rec.pair_id) ? 'TP' : 'TN');
    }
    expect(archive.records.map((r) => r.pair_id)).toEqual([...expected.keys()]);
    // The evaluation is in the archive as the browser writes it: report.html's tables and charts.
    const html = strFromU8(unzipSync(new Uint8Array(await readFile(out)), { filter: (f) => f.name === 'report.html' })['report.html']!);
    expect(html).toContain('16 labelled pair(s)');
    expect(html).toContain('aria-label="ROC curve"');

    const xml = await readFile(junit, 'utf8');
    const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(xml) as {
      testsuites: { tests: string; failures: string; testsuite: { testcase: { name: string; classname: string; failure?: unknown }[] } };
    };
    const cases = doc.testsuites.testsuite.testcase;
    expect(cases).toHaveLength(16);
    expect(cases.map((c) => c.name)).toEqual([...expected.keys()]);
    expect(cases.filter((c) => c.failure !== undefined)).toHaveLength(0);
    expect(doc.testsuites.failures).toBe('0');
  }, REAL_RUN_TIMEOUT);

  it('exits 1 under --fail-under-accuracy, and the JUnit report fails the wrongly decided pairs', async () => {
    const expected = [...expectedVerdicts()];
    // Two labels flipped: the API is right, so against these labels it is wrong twice (14/16 = 87.5 %).
    const flipped = new Set([expected[0]![0], expected[1]![0]]);
    await writeFile(path.join(dir, 'flipped.csv'), `pair_id,expected\n${expected.map(([id, same]) => `${id},${same !== flipped.has(id) ? 'same' : 'different'}`).join('\n')}\n`);
    const junit = path.join(dir, 'flipped.xml');
    const got = await runCli(['run', 'pairs.zip', '--base-url', server.url, '--out', 'flipped.zip', '--junit', junit, '--labels', 'flipped.csv', '--fail-under-accuracy', '0.95'], dir);
    expect(got.code).toBe(1);
    expect(got.stderr).toBe('facematch: accuracy is 87.5 %, under the required 95.0 % (--fail-under-accuracy).\n');
    const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(await readFile(junit, 'utf8')) as {
      testsuites: { testsuite: { testcase: { name: string; failure?: { type: string } }[] } };
    };
    const failed = doc.testsuites.testsuite.testcase.filter((c) => c.failure !== undefined);
    expect(failed.map((c) => c.name).sort()).toEqual([...flipped].sort());
    expect(failed.every((c) => c.failure!.type === 'wrong_verdict')).toBe(true);
  }, REAL_RUN_TIMEOUT);
});

describe('facematch run: exit codes and failures (instant engine)', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer({ port: 0, engine: 'instant' });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('exits 2 with a sentence for a missing ZIP, a file that is not a ZIP, and a bad flag, writing nothing', async () => {
    const missing = await runCli(['run', 'nope.zip', '--base-url', server.url], dir);
    expect(missing).toEqual({ code: 2, stdout: '', stderr: 'facematch: nope.zip does not exist. Check the path to the ZIP of pairs.\n' });

    await writeFile(path.join(dir, 'notes.zip'), 'just some text');
    const notZip = await runCli(['run', 'notes.zip', '--base-url', server.url], dir);
    expect(notZip.code).toBe(2);
    expect(notZip.stderr).toMatch(/^facematch: notes\.zip is not a ZIP archive \(.+\)\. Choose a \.zip file/);

    const badFlag = await runCli(['run', 'pairs.zip', '--retries', 'many'], dir);
    expect(badFlag.code).toBe(2);
    expect(badFlag.stderr).toBe('facematch: --retries must be a whole number from 0 to 10 (extra attempts after a transient failure), not "many".\n');
  });

  it('exits 1 when the token is rejected: the archive holds the 401 and not_run for the rest; the JUnit report fails them', async () => {
    const out = path.join(dir, 'rejected.zip');
    const junit = path.join(dir, 'rejected.xml');
    const got = await runCli(['run', 'pairs.zip', '--base-url', server.url, '--out', out, '--junit', junit], dir, { FACEMATCH_TOKEN: 'wrong-token' });
    expect(got.code).toBe(1);
    expect(got.stderr).toContain('Stopped after the credentials were rejected (HTTP 401) on pair pair01. The CLI reads the credentials from FACEMATCH_TOKEN: set it to valid values and run again.');
    expect(got.stderr).not.toContain('wrong-token');
    const { records } = await readArchive(out);
    expect(records).toHaveLength(16);
    expect(records[0]).toMatchObject({ success: false, http_status: 401, error: { type: 'http' } });
    expect(records.slice(1).every((r) => !r.success && r.error.type === 'not_run')).toBe(true);
    const xml = await readFile(junit, 'utf8');
    const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(xml) as { testsuites: { failures: string } };
    expect(doc.testsuites.failures).toBe('16');
  });

  it('uses the labels.csv inside the ZIP when --labels is not given, as the browser does, and keeps its group column in each record', async () => {
    const capture = (k: number) => (k % 3 ? 'selfie' : 'id_card');
    const labelsCsv = `pair_id,expected,capture\n${[...expectedVerdicts()].map(([id, same], k) => `${id},${same ? 'same' : 'different'},${capture(k)}`).join('\n')}\n`;
    await writeFile(path.join(dir, 'labelled.zip'), await buildFixturesZip({ extra: { 'labels.csv': labelsCsv } }));
    const got = await runCli(['run', 'labelled.zip', '--base-url', server.url, '--out', 'labelled-out.zip'], dir);
    expect(got.code).toBe(0);
    expect(got.stdout).toMatch(/accuracy against labels\.csv in labelled\.zip: .+ \(\d+ of 16 labelled pairs decided right\)/);
    const { records } = await readArchive(path.join(dir, 'labelled-out.zip'));
    expect(records.every((r) => r.expected === (expectedVerdicts().get(r.pair_id) ? 'same' : 'different'))).toBe(true);
    // A reopened or merged archive reads its groups back from here (label_columns).
    const ids = [...expectedVerdicts().keys()];
    expect(records.map((r) => r.label_columns)).toEqual(records.map((r) => ({ capture: capture(ids.indexOf(r.pair_id)) })));
  });

  it('lists the used labels.csv nowhere as skipped, and with --labels lists the ZIP\'s own as overridden', async () => {
    const labelsCsv = `pair_id,expected\n${[...expectedVerdicts()].map(([id, same]) => `${id},${same ? 'same' : 'different'}`).join('\n')}\n`;
    await writeFile(path.join(dir, 'own-labels.zip'), await buildFixturesZip({ extra: { 'labels.csv': labelsCsv, 'notes.txt': 'x' } }));
    await writeFile(path.join(dir, 'mine.csv'), labelsCsv);
    const skippedOf = async (out: string) => ((await readArchive(path.join(dir, out))).manifest as { skipped: { path: string; reason: string }[] }).skipped;

    expect((await runCli(['run', 'own-labels.zip', '--base-url', server.url, '--out', 'own-out.zip'], dir)).code).toBe(0);
    expect((await skippedOf('own-out.zip')).map((e) => e.path)).toEqual(['notes.txt']);

    expect((await runCli(['run', 'own-labels.zip', '--base-url', server.url, '--labels', 'mine.csv', '--out', 'mine-out.zip'], dir)).code).toBe(0);
    expect(await skippedOf('mine-out.zip')).toContainEqual({ path: 'labels.csv', reason: 'Labels: not used; overridden by --labels mine.csv.' });
  });

  it('refuses --fail-under-accuracy without labels, with a sentence', async () => {
    const got = await runCli(['run', 'pairs.zip', '--base-url', server.url, '--fail-under-accuracy', '0.9'], dir);
    expect(got).toEqual({ code: 2, stdout: '', stderr: 'facematch: --fail-under-accuracy needs labels: pairs.zip has no labels.csv, so give one with --labels, e.g. --labels labels.csv --fail-under-accuracy 0.95.\n' });
  });

  it('shards 1/3, 2/3 and 3/3, merged, give the records and totals of one run; overlapping or foreign archives are refused', async () => {
    const base = ['--base-url', server.url];
    expect((await runCli(['run', 'pairs.zip', ...base, '--out', 'whole.zip'], dir)).code).toBe(0);
    for (const i of [1, 2, 3]) {
      const got = await runCli(['run', 'pairs.zip', ...base, '--shard', `${i}/3`, '--out', `shard${i}.zip`], dir);
      expect(got.code, got.stderr).toBe(0);
    }
    const shards = await Promise.all([1, 2, 3].map(async (i) => (await readArchive(path.join(dir, `shard${i}.zip`))).records.map((r) => r.pair_id)));
    expect(shards.map((s) => s.length)).toEqual([6, 5, 5]);
    expect(new Set(shards.flat()).size).toBe(16);

    const merged = await runCli(['merge', 'shard3.zip', 'shard1.zip', 'shard2.zip', '--out', 'merged.zip'], dir);
    expect(merged.stderr).toBe('');
    expect(merged.code).toBe(0);
    const whole = await readArchive(path.join(dir, 'whole.zip'));
    const joined = await readArchive(path.join(dir, 'merged.zip'));
    const timeless = (a: ArchiveContents) => a.records.map(({ response_time_ms: _t, ...rest }) => rest);
    expect(timeless(joined)).toEqual(timeless(whole));
    expect(joined.names).toEqual(whole.names);
    const manifest = (a: ArchiveContents) => a.manifest as { counts: Record<string, number>; pair_ids: string[]; input: unknown };
    expect(manifest(joined).counts).toEqual(manifest(whole).counts);
    expect(manifest(joined).pair_ids).toEqual(manifest(whole).pair_ids);
    expect(manifest(joined).input).toEqual(manifest(whole).input);
    // Each shard's run.json states where its pairs are in the ZIP: what merge orders by.
    for (const i of [1, 2, 3]) {
      const shard = manifest(await readArchive(path.join(dir, `shard${i}.zip`))) as { pair_ids: string[]; input: { positions: number[] } };
      expect(shard.input.positions.map((p) => manifest(whole).pair_ids[p - 1])).toEqual(shard.pair_ids);
    }

    const overlap = await runCli(['merge', 'shard1.zip', 'whole.zip', '--out', 'bad.zip'], dir);
    expect(overlap.code).toBe(2);
    expect(overlap.stderr).toMatch(/^facematch: shard1\.zip and whole\.zip both hold a record for pair pair\d+: the archives overlap\. Merge each shard once/);
    const foreign = await runCli(['merge', 'shard1.zip', 'labelled-out.zip', '--out', 'bad.zip'], dir);
    expect(foreign.code).toBe(2);
    expect(foreign.stderr).toBe('facematch: labelled-out.zip was made from a different input ZIP (labelled.zip) than shard1.zip (pairs.zip). Merge only the shards of one ZIP.\n');
  });

  it('with --concurrency 4 still writes one record per pair, in input order', async () => {
    const got = await runCli(['run', 'pairs.zip', '--base-url', server.url, '--concurrency', '4', '--out', 'c4.zip'], dir);
    expect(got.code, got.stderr).toBe(0);
    const { records, manifest } = await readArchive(path.join(dir, 'c4.zip'));
    expect(records.map((r) => r.pair_id)).toEqual([...expectedVerdicts().keys()]);
    expect(records.every((r) => r.success)).toBe(true);
    expect((manifest as { settings: { concurrency: number } }).settings.concurrency).toBe(4);
  });

  it('runs Deepvue with the demo client credentials, fetching the token itself', async () => {
    const out = path.join(dir, 'deepvue.zip');
    const got = await runCli(['run', 'pairs.zip', '--provider', 'deepvue', '--base-url', server.url, '--out', out], dir);
    expect(got.code).toBe(0);
    const { records } = await readArchive(out);
    expect(records).toHaveLength(16);
    expect(records.every((r) => r.success)).toBe(true);
    // Each record counts the one 401 that fetched the token only on the first pair.
    expect(records[0]!.attempts).toBe(2);
    expect(records.slice(1).every((r) => r.attempts === 1)).toBe(true);
  });
});

describe('exit codes a CI job relies on', () => {
  /** A port on this machine that nothing listens on: every call is refused. */
  async function closedPortUrl(): Promise<string> {
    const srv = net.createServer();
    await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
    const { port } = srv.address() as net.AddressInfo;
    await new Promise<void>((resolve) => srv.close(() => resolve()));
    return `http://127.0.0.1:${port}`;
  }

  it('exits 1 when every call fails (nothing listens at --base-url), and 0 when --max-errors tolerates them', async () => {
    await writeFile(path.join(dir, 'ten.zip'), await buildFixturesZip({ count: 10 }));
    const base = ['run', 'ten.zip', '--base-url', await closedPortUrl(), '--retries', '0'];
    const failed = await runCli([...base, '--out', 'closed.zip'], dir);
    expect(failed.stdout).toContain('10 records: 0 succeeded (0 match, 0 no match), 10 failed, 0 not run.');
    expect(failed.stderr).toContain('facematch: 10 pairs failed (--max-errors N tolerates N failed pairs). The archive\'s records say why.');
    expect(failed.code).toBe(1);
    expect((await readArchive(path.join(dir, 'closed.zip'))).records).toHaveLength(10);

    const tolerated = await runCli([...base, '--out', 'tolerated.zip', '--max-errors', '10'], dir);
    expect(tolerated.stderr).toBe('');
    expect(tolerated.code).toBe(0);

    const over = await runCli([...base, '--out', 'over.zip', '--max-errors', '9'], dir);
    expect(over.stderr).toContain('facematch: 10 pairs failed, more than the 9 that --max-errors tolerates.');
    expect(over.code).toBe(1);
  });

  it('exits 2 and prints the usage when no command is given', async () => {
    const got = await runCli([], dir);
    expect(got.code).toBe(2);
    expect(got.stdout).toBe('');
    expect(got.stderr).toMatch(/^facematch needs a command\.\n\nUsage:\n {2}facematch run <pairs\.zip>/);
  });

  it('merge names the archive given twice instead of blaming its contents', async () => {
    const got = await runCli(['merge', 'closed.zip', 'closed.zip', '--out', 'twice.zip'], dir);
    expect(got).toEqual({ code: 2, stdout: '', stderr: 'facematch: closed.zip is given twice; give each archive once, e.g. facematch merge shard1.zip shard2.zip.\n' });
    const aliased = await runCli(['merge', 'closed.zip', './closed.zip'], dir);
    expect(aliased.stderr).toBe('facematch: closed.zip and ./closed.zip are the same file; give each archive once, e.g. facematch merge shard1.zip shard2.zip.\n');
  });
});

describe('Ctrl-C (SIGINT) mid-run', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer({ port: 0, engine: 'instant', latencyMs: 150 });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('stops cleanly: exit code 1, a partial archive with a record for every pair, the unsent ones not_run', async () => {
    const out = path.join(dir, 'interrupted.zip');
    const child = spawn(process.execPath, [BIN, 'run', 'pairs.zip', '--base-url', server.url, '--out', out], {
      cwd: dir, env: { PATH: process.env.PATH ?? '' }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let sent = false;
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      if (!sent && /facematch: 3\/16 pairs/.test(stdout)) {
        sent = true;
        child.kill('SIGINT');
      }
    });
    const code = await exited;
    expect(sent, stdout + stderr).toBe(true);
    expect(code, stderr).toBe(1);
    expect(stderr).toContain('SIGINT: stopping');
    expect(stderr).toMatch(/Stopped by the user/);
    const { records } = await readArchive(out);
    expect(records).toHaveLength(16);
    const done = records.filter((r) => r.success).length;
    const notRun = records.filter((r) => !r.success && r.error.type === 'not_run').length;
    expect(done).toBeGreaterThanOrEqual(3);
    expect(notRun).toBeGreaterThan(0);
    // Every record is a success, the one cancelled call, or not_run.
    expect(records.every((r) => r.success || r.error.type === 'not_run' || r.error.type === 'aborted')).toBe(true);
  });
});
