import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import JSZip from 'jszip';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { kwikid } from './contracts.ts';
import type { PairEntry, PairRecord } from './records.ts';
import type { CallSettings, ImagePart } from './request.ts';
import { runBulk, type AuthFailureInfo } from './runner.ts';
import { buildResultsZip } from './report.ts';
import { openZip, ZipError } from './zip.ts';

/** A local face-match API: counts concurrent requests, answers after `delayMs`, 401 unless the token is accepted. */
const api = {
  inFlight: 0,
  maxInFlight: 0,
  requests: 0,
  tokens: [] as string[],
  bodies: [] as string[],
  delayMs: 30,
  acceptedToken: 'good',
};
let server: Server;
let baseUrl: string;

function handle(req: IncomingMessage, res: ServerResponse): void {
  api.inFlight++;
  api.maxInFlight = Math.max(api.maxInFlight, api.inFlight);
  api.requests++;
  const auth = req.headers.authorization ?? '';
  api.tokens.push(auth);
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    api.bodies.push(Buffer.concat(chunks).toString('latin1'));
    setTimeout(() => {
      api.inFlight--;
      if (res.destroyed) return;
      res.setHeader('content-type', 'application/json');
      if (auth !== `Bearer ${api.acceptedToken}`) {
        res.statusCode = 401;
        res.end(JSON.stringify({ msg: 'Invalid token' }));
        return;
      }
      res.end(JSON.stringify({ facematch_result: 'True', confidence_score: 0.91, credits_consumed: 2 }));
    }, api.delayMs);
  });
}

beforeAll(async () => {
  server = createServer(handle);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});
beforeEach(() => {
  Object.assign(api, { inFlight: 0, maxInFlight: 0, requests: 0, tokens: [], bodies: [], delayMs: 30, acceptedToken: 'good' });
});

const pairs = (n: number): PairEntry[] => Array.from({ length: n }, (_, i) => ({
  pair_id: `p${i}`, image1_path: `set/p${i}_image1.jpg`, image2_path: `set/p${i}_image2.jpg`,
}));
const jpeg = (name: string): ImagePart => ({ name, data: new Blob([new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3])], { type: 'image/jpeg' }) });
const readPair = async (p: PairEntry): Promise<[ImagePart, ImagePart]> => [jpeg(`${p.pair_id}_image1.jpg`), jpeg(`${p.pair_id}_image2.jpg`)];
let token = 'good';
const settings = (): CallSettings => ({ contract: kwikid, baseUrl, credentials: { token }, timeoutMs: 5000, retries: 0 });
beforeEach(() => { token = 'good'; });

describe('runBulk', () => {
  it('sends every pair once, in order, never two at a time, and prefetches at most one pair ahead', async () => {
    const events: string[] = [];
    const seen: number[] = [];
    const list = pairs(8);
    const summary = await runBulk({
      pairs: list,
      readPair: async (p) => { events.push(`read ${p.pair_id}`); return readPair(p); },
      settings,
      onPairStart: (p) => events.push(`send ${p.pair_id}`),
      onRecord: (rec, i) => { seen.push(i); events.push(`record ${rec.pair_id}`); },
    });
    expect(api.maxInFlight).toBe(1);
    expect(api.requests).toBe(8);
    expect(summary.records.map((r) => r.pair_id)).toEqual(list.map((p) => p.pair_id));
    expect(summary.records.every((r) => r.success)).toBe(true);
    expect(seen).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(summary.stopped).toBe(false);
    expect(summary.stopReason).toBeUndefined();
    expect(Date.parse(summary.finishedAt)).toBeGreaterThanOrEqual(Date.parse(summary.startedAt));
    // Prefetch: p1 is read while p0 is in flight, and never p2 before p0's record.
    expect(events.indexOf('read p1')).toBeLessThan(events.indexOf('record p0'));
    expect(events.indexOf('read p2')).toBeGreaterThan(events.indexOf('record p0'));
    for (let i = 0; i < 8; i++) {
      const reads = events.slice(0, events.indexOf(`record p${i}`)).filter((e) => e.startsWith('read')).length;
      expect(reads).toBeLessThanOrEqual(i + 2);
    }
  });

  it('Stop mid-run: the call in flight is aborted, the rest are not_run, one record per pair', async () => {
    api.delayMs = 300;
    const controller = new AbortController();
    const list = pairs(6);
    const summary = await runBulk({
      pairs: list, readPair, settings, signal: controller.signal,
      onPairStart: (_p, i) => { if (i === 2) setTimeout(() => controller.abort(), 50); },
    });
    expect(summary.records).toHaveLength(list.length);
    expect(summary.records.map((r) => (r.success ? 'ok' : r.error.type))).toEqual(['ok', 'ok', 'aborted', 'not_run', 'not_run', 'not_run']);
    expect(summary.stopped).toBe(true);
    expect(summary.stopReason).toMatch(/Stopped by the user while pair 3 of 6 \(p2\) was in flight/);
    expect(api.requests).toBe(3);
    expect(api.maxInFlight).toBe(1);
    const last = summary.records[5]!;
    expect(!last.success && last.error.message).toBe('The run was stopped before this pair was sent.');
  });

  it('a signal already aborted sends nothing and still gives one not_run record per pair', async () => {
    const controller = new AbortController();
    controller.abort();
    const summary = await runBulk({ pairs: pairs(3), readPair, settings, signal: controller.signal });
    expect(summary.records.map((r) => (r.success ? 'ok' : r.error.type))).toEqual(['not_run', 'not_run', 'not_run']);
    expect(api.requests).toBe(0);
  });

  it('a pair that cannot be read becomes one not_run record with the reason, and the run goes on', async () => {
    const summary = await runBulk({
      pairs: pairs(4), settings,
      readPair: async (p) => {
        if (p.pair_id === 'p1') throw new ZipError('p1_image1.png declares 2048.0 MB uncompressed, over the 50.0 MB limit for one image.');
        if (p.pair_id === 'p2') throw new TypeError('boom');
        return readPair(p);
      },
    });
    expect(summary.records.map((r) => (r.success ? 'ok' : r.error.type))).toEqual(['ok', 'not_run', 'not_run', 'ok']);
    const [, r1, r2] = summary.records as [PairRecord, PairRecord, PairRecord];
    expect(!r1.success && r1.error.message).toMatch(/^p1_image1\.png declares 2048\.0 MB/);
    expect(!r2.success && r2.error.message).toMatch(/^Pair p2 could not be read from the ZIP \(boom\); it was not sent\.$/);
    expect(api.requests).toBe(2);
    expect(summary.stopped).toBe(false);
  });

  it('401 → retry with a refreshed token: the same pair is sent again and its attempts add up', async () => {
    token = 'expired';
    const calls: AuthFailureInfo[] = [];
    const summary = await runBulk({
      pairs: pairs(3), readPair, settings,
      onAuthFailure: async (rec, info) => {
        calls.push(info);
        expect(rec.http_status).toBe(401);
        token = 'good'; // the UI fetched a new token; settings() is read fresh before the retry
        return 'retry';
      },
    });
    expect(calls).toEqual([{ refreshed: false, authRetries: 0, index: 0 }]);
    expect(summary.records).toHaveLength(3);
    expect(summary.records.every((r) => r.success)).toBe(true);
    expect(summary.records[0]!.attempts).toBe(2);
    expect(summary.records[1]!.attempts).toBe(1);
    expect(api.tokens).toEqual(['Bearer expired', 'Bearer good', 'Bearer good', 'Bearer good']);
    expect(api.maxInFlight).toBe(1);
  });

  it('401 again after a refresh: refreshed is true, and "stop" keeps the 401 and marks the rest not_run', async () => {
    token = 'bad';
    const calls: AuthFailureInfo[] = [];
    const summary = await runBulk({
      pairs: pairs(4), readPair, settings,
      onAuthFailure: async (_rec, info) => { calls.push(info); return info.refreshed ? 'stop' : 'retry'; },
    });
    expect(calls.map((c) => c.refreshed)).toEqual([false, true]);
    expect(summary.records).toHaveLength(4);
    const first = summary.records[0]!;
    expect(first.success).toBe(false);
    expect(first.http_status).toBe(401);
    expect(first.attempts).toBe(2);
    expect(!first.success && first.error.message).toMatch(/rejected \(HTTP 401\).*Invalid token/);
    expect(summary.records.slice(1).map((r) => (r.success ? 'ok' : r.error.type))).toEqual(['not_run', 'not_run', 'not_run']);
    const rest = summary.records[3]!;
    expect(!rest.success && rest.error.message).toMatch(/stopped after the credentials were rejected \(HTTP 401\) on pair p0/);
    expect(summary.stopped).toBe(true);
    expect(summary.stopReason).toMatch(/HTTP 401/);
    expect(api.requests).toBe(2);
  });

  it('401 while paused (KwikID): Stop during the pause ends the run with the 401 and not_run records', async () => {
    token = 'bad';
    const controller = new AbortController();
    const summary = await runBulk({
      pairs: pairs(3), readPair, settings, signal: controller.signal,
      onAuthFailure: () => {
        setTimeout(() => controller.abort(), 20);
        return new Promise(() => { /* the banner waits for Resume; the user presses Stop instead */ });
      },
    });
    expect(summary.records.map((r) => r.http_status)).toEqual([401, null, null]);
    expect(summary.records.map((r) => (r.success ? 'ok' : r.error.type))).toEqual(['http', 'not_run', 'not_run']);
    expect(summary.stopped).toBe(true);
  });

  it('401 while paused (KwikID): Resume after the token is updated sends the pair again with the new token', async () => {
    token = 'bad';
    const summary = await runBulk({
      pairs: pairs(2), readPair, settings,
      onAuthFailure: () => new Promise((resolve) => setTimeout(() => { token = 'good'; resolve('retry'); }, 20)),
    });
    expect(summary.records.map((r) => r.success)).toEqual([true, true]);
    expect(api.tokens).toEqual(['Bearer bad', 'Bearer good', 'Bearer good']);
  });

  it('without onAuthFailure a 401 is recorded and the run continues', async () => {
    token = 'bad';
    const summary = await runBulk({ pairs: pairs(2), readPair, settings });
    expect(summary.records.map((r) => r.http_status)).toEqual([401, 401]);
    expect(summary.stopped).toBe(false);
  });

  it('end to end: ZIP in, one record per pair (a zip-bomb pair included), results ZIP out', async () => {
    const faces = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../shared/fixtures/faces');
    const input = new JSZip();
    input.file('batch/obama_image1.jpg', readFileSync(path.join(faces, 'obama-1.jpg')));
    input.file('batch/obama_image2.png', readFileSync(path.join(faces, 'obama-5-rgba.png')));
    input.file('batch/biden_IMAGE1.JPG', readFileSync(path.join(faces, 'biden-1.jpg')));
    input.file('batch/biden_image2.jpg', readFileSync(path.join(faces, 'biden-2.jpg')));
    input.file('batch/bomb_image1.jpg', 'x'.repeat(2_000_000)); // compresses to a few KB
    input.file('batch/bomb_image2.jpg', 'y');
    input.file('__MACOSX/batch/._obama_image1.jpg', 'meta');
    const bytes = await input.generateAsync({ type: 'uint8array', compression: 'DEFLATE' });
    const opened = await openZip(bytes, 'batch.zip', { maxImageBytes: 1024 * 1024 });
    expect(opened.pairs.map((p) => p.pair_id)).toEqual(['biden', 'bomb', 'obama']);

    const summary = await runBulk({ pairs: opened.pairs, readPair: opened.readPair, settings });
    expect(summary.records.map((r) => (r.success ? 'ok' : r.error.type))).toEqual(['ok', 'not_run', 'ok']);
    const bomb = summary.records[1]!;
    expect(!bomb.success && bomb.error.message).toMatch(/^batch\/bomb_image1\.jpg declares 1\.9 MB uncompressed, over the 1\.0 MB limit for one image; it was not decompressed/);
    expect(api.requests).toBe(2);
    expect(api.maxInFlight).toBe(1);
    // Multipart parts carry the base file name and the sniffed type.
    expect(api.bodies[0]).toMatch(/name="image1"; filename="biden_IMAGE1.JPG"\r\nContent-Type: image\/jpeg/);
    expect(api.bodies[1]).toMatch(/name="image2"; filename="obama_image2.png"\r\nContent-Type: image\/png/);

    const out = await JSZip.loadAsync(await buildResultsZip({
      records: summary.records, skipped: opened.skipped, notices: opened.notices, contract: kwikid,
      endpoint: `${baseUrl}/facematch`, startedAt: summary.startedAt, finishedAt: summary.finishedAt, secrets: [token],
    }));
    const names = Object.values(out.files).filter((f) => !f.dir).map((f) => f.name).sort();
    expect(names).toEqual(['report.html', 'results/biden.json', 'results/bomb.json', 'results/obama.json', 'summary.xlsx']);
    const obama = JSON.parse(await out.file('results/obama.json')!.async('string'));
    expect(obama).toMatchObject({ pair_id: 'obama', image1_path: 'batch/obama_image1.jpg', image2_path: 'batch/obama_image2.png', success: true, http_status: 200 });
  });
});
