/**
 * Real decisions through the HTTP contracts: the real engine (loaded once for this file) on the
 * shared labelled fixture pairs, a generated no-face image, and /health while a match is in flight.
 */
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deepvue, kwikid, readVerdict } from '../src/core/contracts/contracts.ts';
import { createServerApp, type ServerApp } from './app.ts';
import { face, form, readPairsCsv, testConfig } from './testkit.ts';

let server: ServerApp;
let jwt: string;
const [F1, F2] = kwikid.imageFields;
const [FA, FB] = deepvue.imageFields;

beforeAll(async () => {
  server = createServerApp(testConfig({ engine: 'real', workers: 2 }));
  await server.engine.ready();
  const tok = await server.app.request(deepvue.tokenEndpoint!.path, { method: 'POST', body: new URLSearchParams({ client_id: 'dv-client', client_secret: 'dv-secret' }) });
  jwt = ((await tok.json()) as { access_token: string }).access_token;
}, 180_000);
afterAll(async () => { await server?.close(); });

function kwikidCall(a: Uint8Array, b: Uint8Array) {
  return server.app.request(kwikid.path, { method: 'POST', headers: { Authorization: 'Bearer test-token' }, body: form({ [F1]: a, [F2]: b }) });
}

function deepvueCall(a: Uint8Array, b: Uint8Array) {
  return server.app.request(deepvue.path, { method: 'POST', headers: { Authorization: `Bearer ${jwt}`, 'x-api-key': 'dv-secret' }, body: form({ [FA]: a, [FB]: b }) });
}

describe('real engine behind the contracts', () => {
  it('KwikID: same person → "True", different → "False", confidence in 0..1 with 4 decimals', async () => {
    const same = await kwikidCall(face('obama-1.jpg'), face('obama-2.jpg'));
    expect(same.status).toBe(200);
    expect(same.headers.get('x-facematch-engine')).toBe('real');
    const s = await same.json() as { confidence_score: number; facematch_result: string; credits_consumed: number };
    expect(s.facematch_result).toBe('True');
    expect(s.credits_consumed).toBe(1);
    expect(s.confidence_score).toBeGreaterThan(0.5);
    expect(s.confidence_score).toBeLessThanOrEqual(1);
    expect(Math.round(s.confidence_score * 1e4) / 1e4).toBe(s.confidence_score);

    const diff = await kwikidCall(face('obama-1.jpg'), face('biden-1.jpg'));
    const d = await diff.json() as { confidence_score: number; facematch_result: string };
    expect(d.facematch_result).toBe('False');
    expect(d.confidence_score).toBeLessThan(0.5);
    expect(d.confidence_score).toBeGreaterThanOrEqual(0);
  });

  it('Deepvue: the verdict on every labelled fixture pair matches its label', async () => {
    const wrong: string[] = [];
    for (const p of readPairsCsv()) {
      const res = await deepvueCall(face(p.image1), face(p.image2));
      expect(res.status).toBe(200);
      const body = await res.json();
      const v = readVerdict(deepvue, body);
      expect(v).not.toBeNull();
      expect(v!.rawConfidence).toBeGreaterThanOrEqual(0);
      expect(v!.rawConfidence).toBeLessThanOrEqual(100);
      if (v!.match !== p.same) wrong.push(`${p.image1} vs ${p.image2}: expected ${p.same}, got ${v!.match} (${v!.rawConfidence})`);
    }
    expect(wrong).toEqual([]);
  });

  it('422 "No face found" naming the part, for a generated image without a face', async () => {
    const blank = new Uint8Array(await sharp({ create: { width: 320, height: 240, channels: 3, background: { r: 120, g: 160, b: 200 } } }).jpeg().toBuffer());
    const k = await kwikidCall(face('biden-2.jpg'), blank);
    expect(k.status).toBe(422);
    expect(await k.json()).toEqual({ detail: { image: F2 }, message: 'No face found in image2' });
    const d = await deepvueCall(blank, face('biden-2.jpg'));
    expect(d.status).toBe(422);
    expect(await d.json()).toEqual({ detail: 'No face found in file_a' });
  });

  it('400 naming the part for a JPEG header on garbage bytes', async () => {
    const junk = new Uint8Array(4096);
    junk.set([0xff, 0xd8, 0xff, 0xe0]);
    const res = await kwikidCall(junk, face('biden-2.jpg'));
    expect(res.status).toBe(400);
    const body = await res.json() as { detail: { image: string }; message: string };
    expect(body.detail.image).toBe(F1);
    expect(body.message).toMatch(/^image1 could not be decoded/);
  });

  it('/health answers while real matches are in flight', async () => {
    // Four matches on two engine workers: the last two queue behind the first two, so some match is
    // pending until at least two match-times have passed. /health answering while one is still
    // pending means it never waited for the engine.
    let settled = 0;
    const inFlight = Array.from({ length: 4 }, async () => { const r = await kwikidCall(face('obama-1.jpg'), face('obama-3.jpg')); settled++; return r; });
    for (let i = 0; i < 5; i++) {
      const res = await server.app.request('/health');
      expect(res.status).toBe(200);
      expect(((await res.json()) as { engine: { state: string } }).engine.state).toBe('ready');
      expect(settled, 'a match was still in flight when /health answered').toBeLessThan(inFlight.length);
    }
    const results = await Promise.all(inFlight);
    for (const r of results) expect(r.status).toBe(200);
  });
});

describe('POST /faces with the real engine', () => {
  const facesCall = (bytes: Uint8Array) => server.app.request('/faces', { method: 'POST', headers: { Authorization: 'Bearer test-token' }, body: form({ image: bytes }) });

  it('an image without a face → 200, faces: [], used: null, with its size', async () => {
    const plain = new Uint8Array(await sharp({ create: { width: 320, height: 200, channels: 3, background: '#7f8c99' } }).jpeg().toBuffer());
    const res = await facesCall(plain);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ width: 320, height: 200, faces: [], used: null });
  });

  it('two-people.jpg → two boxes inside the image, left to right, the larger used', async () => {
    const res = await facesCall(face('two-people.jpg'));
    expect(res.status).toBe(200);
    const body = await res.json() as { width: number; height: number; faces: { box: { x: number; y: number; width: number; height: number }; score: number }[]; used: number };
    expect({ width: body.width, height: body.height }).toEqual({ width: 1126, height: 661 });
    expect(body.faces).toHaveLength(2);
    const [a, b] = body.faces as [typeof body.faces[0], typeof body.faces[0]];
    expect(a.box.x).toBeLessThan(b.box.x);
    for (const f of body.faces) {
      expect(Object.keys(f.box)).toEqual(['x', 'y', 'width', 'height']);
      expect(f.box.x + f.box.width).toBeLessThanOrEqual(body.width);
      expect(f.box.y + f.box.height).toBeLessThanOrEqual(body.height);
      expect(f.score).toBeGreaterThan(0.5);
      expect(f.score).toBeLessThanOrEqual(1);
    }
    expect(body.used).toBe(a.box.width * a.box.height > b.box.width * b.box.height ? 0 : 1);
  });
});
