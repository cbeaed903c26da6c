/**
 * Every emulator with the real engine (loaded once for this file): a same-person and a
 * different-person fixture pair read as the vendor's document says, a generated image without a
 * face gives that vendor's no-face answer, a wrong key its auth error. And with the instant engine,
 * the same pair always gets the same score (benches rely on it).
 */
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PRESET_DEMO_CREDENTIALS } from '../../../src/core/providers/emulation.ts';
import { createServerApp, type ServerApp } from '../../app.ts';
import { face, readPairsCsv, testConfig } from '../../testkit.ts';
import { CLIENTS, wrongCredentials } from './testkit.ts';

let real: ServerApp;
let instant: ServerApp;
let blank: Uint8Array;
const same = readPairsCsv().find((p) => p.same && p.image1 === 'obama-1.jpg')!;
const different = readPairsCsv().find((p) => !p.same && p.image1 === 'obama-1.jpg')!;

beforeAll(async () => {
  real = createServerApp(testConfig({ engine: 'real', workers: 2, token: PRESET_DEMO_CREDENTIALS.kwikid.token! }));
  instant = createServerApp(testConfig({ engine: 'instant', token: PRESET_DEMO_CREDENTIALS.kwikid.token! }));
  blank = new Uint8Array(await sharp({ create: { width: 320, height: 240, channels: 3, background: { r: 120, g: 160, b: 200 } } }).jpeg().toBuffer());
  await real.engine.ready();
}, 180_000);
afterAll(async () => { await Promise.all([real?.close(), instant?.close()]); });

const fetchReal = (path: string, init: RequestInit) => real.app.request(path, init);
const fetchInstant = (path: string, init: RequestInit) => instant.app.request(path, init);

describe.each(CLIENTS.map((c) => [c.id, c] as const))('%s emulator, real engine', (_id, client) => {
  it(`${same.image1} vs ${same.image2} (same person) reads as a match, ${different.image1} vs ${different.image2} as a non-match`, async () => {
    const s = await client.compare(fetchReal, face(same.image1), face(same.image2));
    expect(s.reading, JSON.stringify(s.body)).toBe('match');
    const d = await client.compare(fetchReal, face(different.image1), face(different.image2));
    expect(d.reading, JSON.stringify(d.body)).toBe('no_match');
    if (s.score !== undefined && d.score !== undefined) expect(s.score).toBeGreaterThan(d.score);
  });

  it('an image without a face gives the vendor\'s no-face answer', async () => {
    const res = await client.compare(fetchReal, face('biden-2.jpg'), blank);
    expect(res.reading, JSON.stringify(res.body)).toBe('no_face');
  });

  it('a wrong key gives the vendor\'s auth error', async () => {
    const res = await client.compare(fetchReal, face('biden-2.jpg'), face('biden-1.jpg'), wrongCredentials(client.id));
    expect(res.reading, JSON.stringify(res.body)).toBe('auth_error');
  });

  it('with the instant engine, a pair always gets the same answer', async () => {
    const a = await client.compare(fetchInstant, face(different.image1), face(different.image2));
    const b = await client.compare(fetchInstant, face(different.image1), face(different.image2));
    expect(a.status).toBe(200);
    expect(['match', 'no_match']).toContain(a.reading);
    expect(b.reading).toBe(a.reading);
    expect(b.score).toBe(a.score);
  });
});
