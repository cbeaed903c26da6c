/** KwikID Advanced Facematch emulator: per-image blocks, the pair block and KwikID's errors (engine decisions: verdicts.test.ts). */
import { describe, expect, it, vi } from 'vitest';
import { emulatorBasePath } from '../../../src/core/providers/emulation.ts';
import { face, fakeEngine, form } from '../../testkit.ts';
import { KWIKID_ADVANCED_PATH } from './kwikid-advanced.ts';
import { emulatorAppPerTest } from './route-test-app.ts';

vi.mock('../../engine/index.ts', () => ({ createEngine: () => { throw new Error('route tests inject their engine'); } }));

const URL_PATH = `${emulatorBasePath('kwikid-advanced')}${KWIKID_ADVANCED_PATH}`;
const AUTH = { Authorization: 'Bearer test-token' };
const obama = face('obama-1.jpg');
const biden = face('biden-1.jpg');
const setup = emulatorAppPerTest();

describe(`POST ${URL_PATH} (KwikID Advanced emulator)`, () => {
  it('both images: a block per image, the pair block and overall_result; unique_id echoed', async () => {
    const { app } = setup();
    const same = await app.request(URL_PATH, { method: 'POST', headers: AUTH, body: form({ image1: obama, image2: obama, unique_id: 'case-7' }) });
    expect(same.status).toBe(200);
    expect(await same.json()).toEqual({
      image1: { face_detected: true, result: 'real', confidence: 0.9123 },
      image2: { face_detected: true, result: 'real', confidence: 0.9123 },
      image1_image2_facematch: { performed: true, result: 'True', confidence: 0.9877 },
      overall_result: 'True', credits_consumed: 1, unique_id: 'case-7',
    });
    const diff = await app.request(URL_PATH, { method: 'POST', headers: AUTH, body: form({ image1: obama, image2: biden }) });
    expect(await diff.json()).toMatchObject({ image1_image2_facematch: { performed: true, result: 'False', confidence: 0.1235 }, overall_result: 'False' });
  });

  it('image2 is optional: the pair block says it was not performed', async () => {
    const { app } = setup();
    const res = await app.request(URL_PATH, { method: 'POST', headers: AUTH, body: form({ image1: obama }) });
    expect(res.status).toBe(200);
    const body = await res.json() as Record<string, unknown>;
    expect(body).not.toHaveProperty('image2');
    expect(body.image1_image2_facematch).toEqual({ performed: false, result: null, confidence: null });
  });

  it('no face: 422 "No face found in image2"; a wrong token 401; no image1 400', async () => {
    const { app } = setup(fakeEngine({ decide: () => ({ kind: 'no_face', image: 1 }) }));
    const res = await app.request(URL_PATH, { method: 'POST', headers: AUTH, body: form({ image1: obama, image2: biden }) });
    expect(res.status).toBe(422);
    expect(await res.json()).toEqual({ detail: { image: 'image2' }, message: 'No face found in image2' });
    const wrong = await app.request(URL_PATH, { method: 'POST', headers: { Authorization: 'Bearer nope' }, body: form({ image1: obama }) });
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toEqual({ msg: 'Invalid token.' });
    const none = await app.request(URL_PATH, { method: 'POST', headers: AUTH, body: form({ image2: obama }) });
    expect(none.status).toBe(400);
    expect(await none.json()).toMatchObject({ detail: { image: 'image1' } });
  });
});
