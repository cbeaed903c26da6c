/**
 * Every preset, end to end through the CLI: `facematch run --provider <id>` against the reference
 * server's emulator of that vendor (instant engine), with the emulator's demo credentials given as
 * the CLI reads them (FACEMATCH_CRED_<KEY>), on a two-pair ZIP built here. Each pair must succeed
 * with the verdict the emulator gave; a preset whose paths, auth or success rule disagree with its
 * emulator fails here.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../server/main.ts';
import { instantDistance } from '../../server/engine/instant.ts';
import { facePath } from '../../test/faces.ts';
import { readArchive } from '../../test/cli.ts';
import { deepvue, kwikid, readTransactionId, type ProviderContract } from '../core/contracts/contracts.ts';
import { PRESET_IDS } from '../core/providers/emulation.ts';
import { credentialEnvName, demoCredentials } from '../core/providers/credentials.ts';
import { VENDOR_PRESETS } from '../core/providers/vendor-presets.ts';
import { recordVerdict } from '../core/run/records.ts';
import { runCli } from '../../test/cli.ts';

const PRESETS: readonly ProviderContract[] = [kwikid, deepvue, ...VENDOR_PRESETS];

let server: RunningServer;
let dir: string;
/** pair_id → the verdict the instant engine gives that pair. */
const expected = new Map<string, boolean>();

beforeAll(async () => {
  server = await startServer({ port: 0, engine: 'instant' });
  dir = await mkdtemp(path.join(os.tmpdir(), 'facematch-presets-'));
  const threshold = server.engine.info().threshold;
  const faces = await Promise.all(['obama-1.jpg', 'obama-2.jpg', 'biden-1.jpg', 'biden-2.jpg'].map(async (n) => new Uint8Array(await readFile(facePath(n)))));
  // pair01: the same bytes twice (distance 0, a match); pair02: the first two different photos the
  // instant engine calls a non-match, so every preset must read both verdicts.
  const same = faces[0]!;
  const different = faces.flatMap((a, i) => faces.slice(i + 1).map((b) => [a, b] as const)).find(([a, b]) => instantDistance(a, b) >= threshold);
  if (!different) throw new Error('No fixture pair is a non-match for the instant engine; add a photo to the list above.');
  expected.set('pair01', true).set('pair02', false);
  await writeFile(path.join(dir, 'two.zip'), zipSync({
    'pair01_image1.jpg': same, 'pair01_image2.jpg': same,
    'pair02_image1.jpg': different[0], 'pair02_image2.jpg': different[1],
  }));
});

afterAll(async () => {
  await server?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('facematch run --provider <preset> against its emulator', () => {
  it('lists every preset', () => {
    expect(PRESETS.map((c) => c.id).sort()).toEqual([...PRESET_IDS].sort());
  });

  it.each(PRESET_IDS.map((id) => [id] as const))('%s: both pairs succeed with the emulator\'s verdicts; run.json names the provider and records its definition', async (id) => {
    const contract = PRESETS.find((c) => c.id === id)!;
    const env = Object.fromEntries(Object.entries(demoCredentials(contract)).map(([key, value]) => [credentialEnvName(key), value]));
    const out = path.join(dir, `${id}.zip`);
    const got = await runCli(['run', 'two.zip', '--provider', id, '--base-url', `${server.url}${contract.demoBasePath ?? ''}`, '--out', out], dir, env);
    expect(got.stderr).toBe('');
    expect(got.code).toBe(0);
    const archive = await readArchive(out);
    expect(archive.records.map((r) => r.pair_id)).toEqual(['pair01', 'pair02']);
    for (const rec of archive.records) {
      expect(rec.success, `${rec.pair_id}: ${rec.success ? '' : rec.error.message}`).toBe(true);
      const verdict = recordVerdict(contract, rec);
      expect(verdict?.match, rec.pair_id).toBe(expected.get(rec.pair_id));
      // A preset with a score reads one on 0–1; one with a transaction id finds it where the vendor puts it.
      if (contract.confidence) expect(verdict?.confidence, `${rec.pair_id} score`).toEqual(expect.any(Number));
      if (contract.transactionIdPath && rec.success) expect(readTransactionId(contract, rec.body), `${rec.pair_id} transaction id`).toEqual(expect.any(String));
    }
    expect(archive.manifest).toMatchObject({ settings: { provider: id, provider_label: contract.label } });
    // The definition the run called is recorded as data: the archive says which request shape made it.
    expect((archive.manifest as { settings: { provider_definition: unknown } }).settings.provider_definition).toEqual(JSON.parse(JSON.stringify(contract)));
    // The credentials' names are recorded, never their values.
    const runJson = JSON.stringify(archive.manifest);
    for (const [key, value] of Object.entries(demoCredentials(contract))) {
      if (contract.credentials.find((c) => c.key === key)?.secret) expect(runJson).not.toContain(value);
    }
  });
});

describe('facematch run --provider-file <definition> against an emulator', () => {
  // Karza's contract written as a user's own definition.
  const definition = {
    id: 'my-karza', label: 'My Karza', path: '/v3/facesimilarity',
    request: { encoding: 'json', json: { image1B64: '{{image1.base64}}', image2B64: '{{image2.base64}}' } },
    credentials: [{ key: 'api_key', label: 'Karza key', secret: true }],
    headers: [{ name: 'x-karza-key', from: 'api_key' }],
    success: { path: ['statusCode'], equals: '101' },
    verdict: { path: ['result', 'match'], matchValue: true },
  };

  it('runs the definition, reads its verdicts and records it in run.json', async () => {
    await writeFile(path.join(dir, 'my-karza.json'), JSON.stringify(definition));
    const out = path.join(dir, 'my-karza.zip');
    const got = await runCli(['run', 'two.zip', '--provider-file', 'my-karza.json', '--base-url', `${server.url}/emulate/karza`, '--out', out], dir, { FACEMATCH_CRED_API_KEY: 'demo-karza-key' });
    expect(got.stderr).toBe('');
    expect(got.code).toBe(0);
    const archive = await readArchive(out);
    expect(archive.records.map((r) => r.success)).toEqual([true, true]);
    expect(archive.manifest).toMatchObject({ settings: { provider: 'my-karza', provider_definition: { ...definition, version: 1 } } });
    expect(JSON.stringify(archive.manifest)).not.toContain('demo-karza-key');
  });

  it('refuses a definition with a key written into it, naming the field, before any call', async () => {
    const leaky = { ...definition, request: { ...definition.request, headers: [{ name: 'x-karza-key', value: 'demo-karza-key' }] } };
    await writeFile(path.join(dir, 'leaky.json'), JSON.stringify(leaky));
    const got = await runCli(['run', 'two.zip', '--provider-file', 'leaky.json', '--base-url', `${server.url}/emulate/karza`, '--out', path.join(dir, 'leaky.zip')], dir, {});
    expect(got.code).not.toBe(0);
    expect(got.stderr).toContain('leaky.json: "request.headers[0].value" holds a value for "x-karza-key" written out: a definition never holds a secret');
  });
});
