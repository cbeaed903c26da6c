import JSZip from 'jszip';
import { describe, expect, it, vi } from 'vitest';
import { deepvue, kwikid } from '../core/contracts/contracts.ts';
import type { CallFn } from '../core/run/job.ts';
import type { RunManifest } from '../core/archive/manifest.ts';
import type { PairEntry } from '../core/run/records.ts';
import type { CallResult, ImagePart } from '../core/request/request.ts';
import type { OpenedZip } from '../core/zip/zip.ts';
import { createBulkStore, selectBulkBusy, type BulkDeps } from './bulk.ts';
import { inThreadHost, type InThreadOptions } from '../core/run/host.ts';
import { createSettingsStore } from './settings.ts';

const ORIGIN = 'http://127.0.0.1:8080';

function fakeZip(n: number): OpenedZip {
  const pairs: PairEntry[] = Array.from({ length: n }, (_, i) => ({ pair_id: `p${i}`, image1_path: `p${i}_image1.jpg`, image2_path: `p${i}_image2.jpg` }));
  const part = (name: string): ImagePart => ({ name, data: new Blob([new Uint8Array([0xff, 0xd8, 0xff])], { type: 'image/jpeg' }) });
  return {
    pairs, skipped: [], notices: [], entryCount: 2 * n,
    entries: pairs.flatMap((p) => [p.image1_path, p.image2_path].map((name) => ({ name, size: 3, crc32: 1, compressedSize: 3, method: 0, flags: 0, localHeaderOffset: 0 }))) as unknown as OpenedZip['entries'],
    readPair: async (p) => [part(`${p.pair_id}_image1.jpg`), part(`${p.pair_id}_image2.jpg`)],
    readText: async () => '',
  };
}

const ok: CallResult = { ok: true, status: 200, timeMs: 2, attempts: 1, body: { facematch_result: 'True', confidence_score: 0.9 } };
const rejected: CallResult = { ok: false, status: 401, timeMs: 2, attempts: 1, error: { type: 'http', message: 'The token was rejected (HTTP 401).' } };

/** A settings store and a Bulk store wired the way the app wires them, with a fake API and a spy download. */
function setup(n: number, call: CallFn, over: Partial<BulkDeps> & { startArchive?: InThreadOptions['startArchive'] } = {}) {
  const { startArchive, ...rest } = over;
  const settings = createSettingsStore({ pageOrigin: ORIGIN, storage: () => undefined });
  const saved: { blob: Blob; fileName: string }[] = [];
  const guard = { armed: 0, disarmed: 0 };
  const bulk = createBulkStore({
    settings: {
      snapshot: () => settings.getState().jobSnapshot(),
      lock: (lock) => settings.getState().setLock(lock),
      renewed: (c) => { if (c.token) settings.getState().renewToken(c.token); },
      credentials: () => settings.getState().callSettings().credentials,
    },
    host: inThreadHost({ call, publishMs: 0, ...(startArchive ? { startArchive } : {}) }),
    openZip: async () => fakeZip(n),
    download: {
      save: (blob, fileName) => saved.push({ blob, fileName }),
      guard: { arm: () => guard.armed++, disarm: () => guard.disarmed++ },
    },
    ...rest,
  });
  return { settings, bulk, saved, guard };
}

const file = (name = 'batch.zip') => new File([new Uint8Array(10)], name, { type: 'application/zip' });

async function archiveOf(blob: Blob) {
  const zip = await JSZip.loadAsync(await blob.arrayBuffer());
  return JSON.parse(await zip.file('run.json')!.async('string')) as RunManifest;
}

describe('createBulkStore', () => {
  it('locks the settings for the run: a provider switch mid-run is refused, and the archive states the snapshot used', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => { release = r; });
    const urls: string[] = [];
    const call: CallFn = async (s) => { urls.push(`${s.baseUrl} ${s.contract.id}`); await gate; return ok; };
    const { settings, bulk, saved, guard } = setup(5, call);
    settings.getState().setConcurrency(2);
    settings.getState().setRatePerSecond(40);
    await bulk.getState().loadFile(file());
    const running = bulk.getState().run();

    expect(selectBulkBusy(bulk.getState())).toBe(true);
    expect(settings.getState().lock).toBe('run');
    expect(guard.armed).toBe(1);
    settings.getState().setProvider(deepvue.id);
    settings.getState().setBaseUrl('https://elsewhere.example');
    settings.getState().setConcurrency(9);
    settings.getState().setCredential('token', 'typed-mid-run');
    expect(settings.getState().providerId).toBe(kwikid.id);
    expect(settings.getState().baseUrl).toBe(ORIGIN);
    expect(settings.getState().concurrency).toBe(2);
    expect(settings.getState().credentials.token).not.toBe('typed-mid-run');

    release();
    await running;
    const s = bulk.getState();
    expect(s.phase).toBe('finished');
    expect(s.records.map((r) => r.pair_id)).toEqual(['p0', 'p1', 'p2', 'p3', 'p4']);
    expect(s.result?.stats.succeeded).toBe(5);
    expect(new Set(urls)).toEqual(new Set([`${ORIGIN} kwikid`]));
    expect(settings.getState().lock).toBeNull();
    expect(guard.disarmed).toBe(1);
    // After the run the settings can be changed again.
    settings.getState().setProvider(deepvue.id);
    expect(settings.getState().providerId).toBe(deepvue.id);

    expect(saved).toHaveLength(1);
    expect(saved[0]!.fileName).toMatch(/^facematch-bulk-\d+\.zip$/);
    const manifest = await archiveOf(saved[0]!.blob);
    expect(manifest.settings).toMatchObject({ provider: 'kwikid', endpoint: `${ORIGIN}/facematch`, concurrency: 2, max_requests_per_second: 40 });
    expect(manifest.input).toMatchObject({ name: 'batch.zip', size: 10, fingerprint: expect.stringMatching(/^fm1-/) });
    expect(JSON.stringify(manifest)).not.toContain('demo-token');
  });

  it('publishes the calls in flight with the records: how many, and the pair sent first; none once the run ends', async () => {
    const gates = new Map<string, () => void>();
    const call: CallFn = async (_s, images) => {
      await new Promise<void>((r) => gates.set(images[0].name.split('_')[0]!, r));
      return ok;
    };
    const { settings, bulk } = setup(5, call);
    settings.getState().setConcurrency(3);
    await bulk.getState().loadFile(file());
    const running = bulk.getState().run();
    await vi.waitFor(() => expect(bulk.getState().inFlight).toEqual({ count: 3, oldest: 'p0' }));
    // p1 answers first: p3 is sent; p1's record waits for p0's, so p0 is still the oldest in flight.
    gates.get('p1')!();
    await vi.waitFor(() => expect(gates.has('p3')).toBe(true));
    await vi.waitFor(() => expect(bulk.getState().inFlight).toEqual({ count: 3, oldest: 'p0' }));
    expect(bulk.getState().records).toHaveLength(0);
    gates.get('p0')!();
    await vi.waitFor(() => expect(bulk.getState().inFlight).toEqual({ count: 3, oldest: 'p2' }));
    await vi.waitFor(() => expect(bulk.getState().records.map((r) => r.pair_id)).toEqual(['p0', 'p1']));
    for (const id of ['p2', 'p3', 'p4']) gates.get(id)!();
    await running;
    expect(bulk.getState().phase).toBe('finished');
    expect(bulk.getState().inFlight).toBeNull();
  });

  it('a 401 it cannot refresh pauses the run; only the credentials can change; Resume sends the pair again with the new token', async () => {
    const tokens: (string | undefined)[] = [];
    const call: CallFn = async (s) => { tokens.push(s.credentials.token); return s.credentials.token === 'fixed-token' ? ok : rejected; };
    const { settings, bulk, saved } = setup(3, call);
    settings.getState().setCredential('token', 'stale-token');
    await bulk.getState().loadFile(file());
    const running = bulk.getState().run();
    await expect.poll(() => bulk.getState().authPause).toEqual({ pairNumber: 1, total: 3 });
    expect(settings.getState().lock).toBe('auth-pause');
    settings.getState().setProvider(deepvue.id);
    expect(settings.getState().providerId).toBe(kwikid.id);
    settings.getState().setCredential('token', 'fixed-token');
    bulk.getState().resume();
    await running;

    const s = bulk.getState();
    expect(s.authPause).toBeNull();
    expect(s.records.every((r) => r.success)).toBe(true);
    expect(s.records[0]!.attempts).toBe(2);
    expect(tokens).toEqual(['stale-token', 'fixed-token', 'fixed-token', 'fixed-token']);
    expect(s.snapshot?.credentials.token).toBe('fixed-token');
    // Neither token reaches the archive's manifest.
    const text = JSON.stringify(await archiveOf(saved[0]!.blob));
    expect(text).not.toContain('fixed-token');
    expect(text).not.toContain('stale-token');
  });

  it('Stop during a pause: the 401 is kept, the rest not_run, the reason says where it stopped', async () => {
    const { bulk } = setup(4, async () => rejected);
    await bulk.getState().loadFile(file());
    const running = bulk.getState().run();
    await expect.poll(() => bulk.getState().authPause).not.toBeNull();
    bulk.getState().stop();
    await running;
    const s = bulk.getState();
    expect(s.records.map((r) => (r.success ? 'ok' : r.error.type))).toEqual(['http', 'not_run', 'not_run', 'not_run']);
    expect(s.stopReason).toBe('The run was stopped after the API rejected the token (HTTP 401) at pair 1 of 4.');
    expect(s.result?.stopped).toBe(true);
  });

  it('re-run failed: the chosen pairs are sent again and the kept records stay in place', async () => {
    const sent: string[] = [];
    const { bulk } = setup(4, async (_s, images) => { sent.push(images[0].name); return ok; });
    await bulk.getState().loadFile(file());
    const zip = bulk.getState().zip!;
    const kept = new Map(zip.pairs.map((p, i) => [i, { ...p, success: false as const, http_status: 503, response_time_ms: 1, error: { type: 'http' as const, message: 'down' }, attempts: 3 }]));
    kept.set(0, { ...zip.pairs[0]!, success: true, http_status: 200, response_time_ms: 1, body: { facematch_result: 'True' }, attempts: 1 } as never);
    await bulk.getState().run({ existing: kept, only: [1, 3] });
    const s = bulk.getState();
    expect(sent.sort()).toEqual(['p1_image1.jpg', 'p3_image1.jpg']);
    expect(s.records.map((r) => r.http_status)).toEqual([200, 200, 503, 200]);
  });

  it('an archive that cannot be built ends the run with a sentence naming the ZIP; the settings unlock and the page may be left', async () => {
    const startArchive = () => ({ add: () => {}, finish: async () => { throw new Error('disk full'); }, cancel: () => {} });
    const { settings, bulk, saved, guard } = setup(3, async () => ok, { startArchive });
    await bulk.getState().loadFile(file('batch.zip'));
    await bulk.getState().run();
    const s = bulk.getState();
    expect(s.phase).toBe('finished');
    expect(s.runError).toBe('The results archive for batch.zip could not be built. Run it again; if it keeps failing, try a smaller batch.');
    expect(s.records.map((r) => r.pair_id)).toEqual(['p0', 'p1', 'p2']);
    expect(saved).toHaveLength(0);
    expect(settings.getState().lock).toBeNull();
    expect([guard.armed, guard.disarmed]).toEqual([1, 1]);
  });

  it('a ZIP without pairs gets a sentence naming it, and Run does nothing', async () => {
    const { bulk } = setup(0, async () => ok);
    await bulk.getState().loadFile(file('empty.zip'));
    expect(bulk.getState().loadError).toMatch(/^No image pair was found in empty\.zip\./);
    await bulk.getState().run();
    expect(bulk.getState().phase).toBe('idle');
  });
});
