import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import JSZip from 'jszip';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { kwikid } from '../contracts/contracts.ts';
import type { JobSnapshot } from './job.ts';
import { runJob } from './job.ts';
import { buildResultsZip } from '../archive/report.ts';
import { openZip } from '../zip/zip.ts';

/**
 * The bulk job against a real HTTP API: a ZIP in (a zip-bomb pair included), one record per pair,
 * the calls one at a time, the multipart parts named after the files, the results ZIP out.
 */

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

let token = 'good';
const settings = (): JobSnapshot => ({ contract: kwikid, baseUrl, credentials: { token }, timeoutMs: 5000, retries: 0, concurrency: 1, ratePerSecond: null });
beforeEach(() => { token = 'good'; });

describe('the bulk job over HTTP', () => {
  it('end to end: ZIP in, one record per pair (a zip-bomb pair included), results ZIP out', async () => {
    const faces = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../shared/fixtures/faces');
    const input = new JSZip();
    input.file('batch/biden_IMAGE1.JPG', readFileSync(path.join(faces, 'biden-1.jpg')));
    input.file('batch/biden_image2.jpg', readFileSync(path.join(faces, 'biden-2.jpg')));
    input.file('batch/bomb_image1.jpg', 'x'.repeat(2_000_000)); // compresses to a few KB
    input.file('batch/bomb_image2.jpg', 'y');
    input.file('batch/obama_image1.jpg', readFileSync(path.join(faces, 'obama-1.jpg')));
    input.file('batch/obama_image2.png', readFileSync(path.join(faces, 'obama-5-rgba.png')));
    input.file('__MACOSX/batch/._obama_image1.jpg', 'meta');
    const bytes = await input.generateAsync({ type: 'uint8array', compression: 'DEFLATE' });
    const opened = await openZip(bytes, 'batch.zip', { maxImageBytes: 1024 * 1024 });
    expect(opened.pairs.map((p) => p.pair_id)).toEqual(['biden', 'bomb', 'obama']);

    const summary = await runJob({ pairs: opened.pairs, readPair: opened.readPair, snapshot: settings() });
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
