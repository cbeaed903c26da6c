/** Azure AI Face emulator: detect → verify, the key check, and the bounded faceId store (engine decisions: verdicts.test.ts). */
import { describe, expect, it, vi } from 'vitest';
import { emulatorBasePath, PRESET_DEMO_CREDENTIALS } from '../../../src/core/providers/emulation.ts';
import { face } from '../../testkit.ts';
import { AZURE_DETECT_PATH, AZURE_VERIFY_PATH, FaceIdStore } from './azure-face.ts';
import { emulatorAppPerTest } from './route-test-app.ts';

vi.mock('../../engine/index.ts', () => ({ createEngine: () => { throw new Error('route tests inject their engine'); } }));

const DETECT = `${emulatorBasePath('azure-face')}${AZURE_DETECT_PATH}?returnFaceId=true`;
const VERIFY = `${emulatorBasePath('azure-face')}${AZURE_VERIFY_PATH}`;
const KEY = { 'Ocp-Apim-Subscription-Key': PRESET_DEMO_CREDENTIALS['azure-face'].api_key! };
const obama = face('obama-1.jpg');
const biden = face('biden-1.jpg');
const setup = emulatorAppPerTest();

const detect = (app: ReturnType<typeof setup>['app'], bytes: Uint8Array, headers: Record<string, string> = KEY) =>
  app.request(DETECT, { method: 'POST', headers: { ...headers, 'content-type': 'application/octet-stream' }, body: bytes as Uint8Array<ArrayBuffer> });
const verify = (app: ReturnType<typeof setup>['app'], body: unknown) =>
  app.request(VERIFY, { method: 'POST', headers: { ...KEY, 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('Azure Face emulator: detect, then verify', () => {
  it('detect answers [{faceId, faceRectangle}]; verify answers {isIdentical, confidence 0–1}', async () => {
    const { app } = setup();
    const d1 = await detect(app, obama);
    expect(d1.status).toBe(200);
    const faces = await d1.json() as Array<{ faceId: string; faceRectangle: Record<string, number> }>;
    expect(faces).toEqual([{ faceId: expect.stringMatching(/^[0-9a-f-]{36}$/), faceRectangle: { top: 81, left: 100, width: 200, height: 220 } }]);
    const [again] = await (await detect(app, obama)).json() as typeof faces;
    const [other] = await (await detect(app, biden)).json() as typeof faces;
    expect(await (await verify(app, { faceId1: faces[0]!.faceId, faceId2: again!.faceId })).json()).toEqual({ isIdentical: true, confidence: 0.98765 });
    expect(await (await verify(app, { faceId1: faces[0]!.faceId, faceId2: other!.faceId })).json()).toEqual({ isIdentical: false, confidence: 0.12345 });
  });

  it('an unknown faceId is 404 FaceNotFound; a malformed one 400 BadArgument', async () => {
    const { app } = setup();
    const unknown = await verify(app, { faceId1: crypto.randomUUID(), faceId2: crypto.randomUUID() });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ error: { code: 'FaceNotFound' } });
    const bad = await verify(app, { faceId1: 'x', faceId2: 'y' });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ error: { code: 'BadArgument', message: 'faceId1 is not a valid face ID.' } });
  });

  it('a wrong or missing key is 401 with the gateway\'s wording, before the engine runs', async () => {
    const { app, engine } = setup();
    const wrong = await detect(app, obama, { 'Ocp-Apim-Subscription-Key': 'nope' });
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toEqual({ error: { code: '401', message: expect.stringMatching(/^Access denied due to invalid subscription key/) } });
    const missing = await detect(app, obama, {});
    expect(((await missing.json()) as { error: { message: string } }).error.message).toMatch(/^Access denied due to missing subscription key/);
    expect(engine.calls).toBe(0);
  });

  it('a text file is 400 InvalidImage', async () => {
    const { app } = setup();
    const res = await detect(app, new TextEncoder().encode('not an image'));
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: { code: 'InvalidImage', message: 'The image is a text file; only JPEG and PNG are accepted.' } });
  });
});

describe('FaceIdStore', () => {
  it('forgets an id after its lifetime', () => {
    let now = 1_000;
    const store = new FaceIdStore({ ttlMs: 100, now: () => now });
    const id = store.add(new Uint8Array(10));
    now += 99;
    expect(store.get(id)).toHaveLength(10);
    now += 1;
    expect(store.get(id)).toBeUndefined();
    expect(store.size).toBe(0);
  });

  it('keeps at most maxEntries ids and maxBytes bytes, dropping the oldest first', () => {
    const store = new FaceIdStore({ maxEntries: 3, maxBytes: 100 });
    const ids = Array.from({ length: 5 }, () => store.add(new Uint8Array(10)));
    expect(store.size).toBe(3);
    expect(ids.map((id) => store.get(id) !== undefined)).toEqual([false, false, true, true, true]);
    const big = store.add(new Uint8Array(90));
    expect(store.totalBytes).toBeLessThanOrEqual(100);
    expect(store.get(big)).toHaveLength(90);
    expect(store.get(ids[3]!)).toBeUndefined();
    expect(store.get(ids[4]!)).toHaveLength(10);
  });
});
