/**
 * cli-overhead: `facematch run` on 1,000 pairs against the in-process reference server (instant
 * engine), wall time of main() from argv to the archive written, against a bare Node fetch loop in
 * the same process sending the same 1,000 multipart requests, built before the clock starts.
 */
import { rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { buildHeaders, kwikid } from '../src/core/contracts/contracts.ts';
import { DEFAULT_TOKEN } from '../src/core/contracts/defaults.ts';
import { endpointUrl } from '../src/core/request/request.ts';
import { main } from '../src/cli/main.ts';
import type { BenchRow } from './types.ts';
import type { BenchEnv } from './lib/env.ts';
import { buildPairZip, noiseJpegs } from './lib/inputs.ts';
import { fmt, round, summarise } from './lib/stats.ts';

const PAIRS = 1_000;
const BUDGET = 1.05;

export async function benchCliOverhead(env: BenchEnv, runs: number): Promise<BenchRow[]> {
  const dir = await env.tempDir();
  const images = await noiseJpegs(16, 96, 96, 85, 7);
  const zip = await buildPairZip(dir, 'cli-overhead.zip', PAIRS, images, 'deflate');
  env.log(`  input: ${PAIRS} pairs, ${(zip.bytes / 1024 / 1024).toFixed(2)} MB (Deflate)`);
  const { startServer } = await import('../server/main.ts');
  const server = await startServer({ port: 0, engine: 'instant' });
  const endpoint = endpointUrl(kwikid, server.url);
  const headers = buildHeaders(kwikid, { token: DEFAULT_TOKEN });
  const blobs = images.map((b) => new Blob([b as Uint8Array<ArrayBuffer>], { type: 'image/jpeg' }));
  const [f1, f2] = kwikid.imageFields;

  const baselineOnce = async (): Promise<number> => {
    const bodies = zip.layout.map((p) => {
      const fd = new FormData();
      fd.append(f1, blobs[p.img1]!, p.name1);
      fd.append(f2, blobs[p.img2]!, p.name2);
      return fd;
    });
    let bad = 0;
    const t0 = performance.now();
    for (const body of bodies) {
      const res = await fetch(endpoint, { method: 'POST', headers, body });
      JSON.parse(await res.text());
      if (!res.ok) bad++;
    }
    const ms = performance.now() - t0;
    if (bad) throw new Error(`${bad} of the baseline's ${PAIRS} calls failed.`);
    return ms;
  };

  const sink = { write: () => true, isTTY: false };
  const cliOnce = async (): Promise<number> => {
    const out = path.join(dir, 'cli-out.zip');
    const t0 = performance.now();
    const code = await main(['run', zip.file, '--base-url', server.url, '--out', out], { stdout: sink, stderr: { write: (s: string) => { process.stderr.write(s); return true; } }, env: {}, cwd: dir });
    const ms = performance.now() - t0;
    if (code !== 0) throw new Error(`facematch run exited with ${code}.`);
    await rm(out, { force: true });
    return ms;
  };

  try {
    const warmBase = await baselineOnce();
    const warmCli = await cliOnce();
    const cli: number[] = [];
    const base: number[] = [];
    for (let i = 0; i < runs; i++) {
      if (i % 2 === 0) {
        base.push(await baselineOnce());
        cli.push(await cliOnce());
      } else {
        cli.push(await cliOnce());
        base.push(await baselineOnce());
      }
    }
    const c = summarise(cli);
    const b = summarise(base);
    const ratio = summarise(cli.map((x, i) => x / base[i]!)).median;
    return [{
      name: 'cli-overhead',
      figure: `facematch run on ${PAIRS.toLocaleString('en')} pairs (main() from argv to the archive written), instant engine, in-process server`,
      value: round(c.median, 0), unit: 'ms',
      baseline: round(b.median, 0), baselineLabel: `${PAIRS.toLocaleString('en')} sequential fetch() of the same prebuilt multipart requests, same process`,
      ratio: round(ratio, 3), budget: `ratio ≤ ${BUDGET}`, pass: ratio <= BUDGET,
      runs: { median: round(c.median, 0), min: round(c.min, 0), max: round(c.max, 0), n: c.n },
      notes: `baseline median/min/max ${fmt(b.median, 0)}/${fmt(b.min, 0)}/${fmt(b.max, 0)} ms (n=${b.n}); ratio = median of paired ratios ${cli.map((x, i) => fmt(x / base[i]!, 3)).join(', ')}; warm-up (not counted) CLI ${fmt(warmCli, 0)} ms, loop ${fmt(warmBase, 0)} ms; load average ${os.loadavg().map((l) => l.toFixed(2)).join(' / ')} at the end`,
    }];
  } finally {
    await server.close();
  }
}
