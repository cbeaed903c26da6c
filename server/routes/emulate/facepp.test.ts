/** Face++ Compare emulator: the contract's shape, auth and error answers (engine decisions: verdicts.test.ts). */
import { describe, expect, it, vi } from 'vitest';
import { emulatorBasePath, PRESET_DEMO_CREDENTIALS } from '../../../src/core/providers/emulation.ts';
import { face, fakeEngine, form } from '../../testkit.ts';
import { FACEPP_PATH, FACEPP_THRESHOLDS } from './facepp.ts';
import { emulatorAppPerTest } from './route-test-app.ts';

vi.mock('../../engine/index.ts', () => ({ createEngine: () => { throw new Error('route tests inject their engine'); } }));

const URL_PATH = `${emulatorBasePath('facepp')}${FACEPP_PATH}`;
const demo = PRESET_DEMO_CREDENTIALS.facepp;
const obama = face('obama-1.jpg');
const biden = face('biden-1.jpg');
const setup = emulatorAppPerTest();

type Body = Record<string, unknown> & { faces1: unknown[]; faces2: unknown[] };

describe(`POST ${URL_PATH} (Face++ emulator)`, () => {
  it('answers confidence 0–100 with the three thresholds, request_id, time_used and one face per image', async () => {
    const { app } = setup();
    const res = await app.request(URL_PATH, { method: 'POST', body: form({ api_key: demo.api_key!, api_secret: demo.api_secret!, image_file1: obama, image_file2: obama }) });
    expect(res.status).toBe(200);
    const body = await res.json() as Body;
    expect(body.confidence).toBeGreaterThanOrEqual(FACEPP_THRESHOLDS['1e-4']);
    expect(body.confidence).toBeLessThanOrEqual(100);
    expect(body.thresholds).toEqual({ '1e-3': 62.327, '1e-4': 69.101, '1e-5': 73.975 });
    expect(body.request_id).toMatch(/^\d+,[0-9a-f-]{36}$/);
    expect(body.time_used).toEqual(expect.any(Number));
    expect(body.faces1).toEqual([{ face_token: expect.stringMatching(/^[0-9a-f]{32}$/), face_rectangle: { top: 81, left: 100, width: 200, height: 220 } }]);
    expect(body.faces2).toHaveLength(1);

    const other = await app.request(URL_PATH, { method: 'POST', body: form({ api_key: demo.api_key!, api_secret: demo.api_secret!, image_file1: obama, image_file2: biden }) });
    const o = await other.json() as Body;
    expect(o.confidence).toBeLessThan(FACEPP_THRESHOLDS['1e-4']);
    expect(o.confidence).toBeGreaterThanOrEqual(0);
  });

  it('takes image_base64_1/2 in a urlencoded body as well as files', async () => {
    const { app, engine } = setup();
    const body = new URLSearchParams({
      api_key: demo.api_key!, api_secret: demo.api_secret!,
      image_base64_1: Buffer.from(obama).toString('base64'), image_base64_2: `data:image/jpeg;base64,${Buffer.from(obama).toString('base64')}`,
    });
    const res = await app.request(URL_PATH, { method: 'POST', body });
    expect(res.status).toBe(200);
    expect(((await res.json()) as Body).confidence).toBeGreaterThan(FACEPP_THRESHOLDS['1e-4']);
    expect(engine.calls).toBeGreaterThan(0);
  });

  it('no face in an image: 200 without confidence or thresholds, that image\'s faces empty', async () => {
    const { app } = setup(fakeEngine({ decide: () => ({ kind: 'no_face', image: 1 }) }));
    const res = await app.request(URL_PATH, { method: 'POST', body: form({ api_key: demo.api_key!, api_secret: demo.api_secret!, image_file1: obama, image_file2: biden }) });
    expect(res.status).toBe(200);
    const body = await res.json() as Body;
    expect(body).not.toHaveProperty('confidence');
    expect(body).not.toHaveProperty('thresholds');
    expect(body.faces1).toHaveLength(1);
    expect(body.faces2).toEqual([]);
  });

  it('a wrong key or secret is 401 AUTHENTICATION_ERROR; a missing one is 400 MISSING_ARGUMENTS, before the engine runs', async () => {
    const { app, engine } = setup();
    const wrong = await app.request(URL_PATH, { method: 'POST', body: form({ api_key: demo.api_key!, api_secret: 'nope', image_file1: obama, image_file2: obama }) });
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toEqual({ error_message: 'AUTHENTICATION_ERROR', request_id: expect.any(String), time_used: expect.any(Number) });
    const missing = await app.request(URL_PATH, { method: 'POST', body: form({ api_secret: demo.api_secret!, image_file1: obama, image_file2: obama }) });
    expect(missing.status).toBe(400);
    expect(((await missing.json()) as { error_message: string }).error_message).toBe('MISSING_ARGUMENTS: api_key');
    expect(engine.calls).toBe(0);
  });

  it('names the image field that is missing or not a photo', async () => {
    const { app } = setup();
    const none = await app.request(URL_PATH, { method: 'POST', body: form({ api_key: demo.api_key!, api_secret: demo.api_secret!, image_file1: obama }) });
    expect(none.status).toBe(400);
    expect(((await none.json()) as { error_message: string }).error_message).toMatch(/^MISSING_ARGUMENTS: image_file2, .*image_base64_2$/);
    const text = await app.request(URL_PATH, { method: 'POST', body: form({ api_key: demo.api_key!, api_secret: demo.api_secret!, image_file1: { bytes: new TextEncoder().encode('not a photo'), name: 'a.jpg' }, image_file2: obama }) });
    expect(text.status).toBe(400);
    expect(((await text.json()) as { error_message: string }).error_message).toBe('IMAGE_ERROR_UNSUPPORTED_FORMAT: image_file1 is a text file; only JPEG and PNG are accepted.');
    const b64 = await app.request(URL_PATH, { method: 'POST', body: new URLSearchParams({ api_key: demo.api_key!, api_secret: demo.api_secret!, image_base64_1: '%%%', image_file2: 'x' }) });
    expect(((await b64.json()) as { error_message: string }).error_message).toMatch(/^BAD_ARGUMENTS: image_base64_1 is not base64 text/);
  });
});
