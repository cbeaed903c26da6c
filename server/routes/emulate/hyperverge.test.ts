/** HyperVerge Face Match emulator: the contract's shape, auth and error answers (engine decisions: verdicts.test.ts). */
import { describe, expect, it, vi } from 'vitest';
import { emulatorBasePath, PRESET_DEMO_CREDENTIALS } from '../../../src/core/providers/emulation.ts';
import { face, fakeEngine, form } from '../../testkit.ts';
import { HYPERVERGE_PATH } from './hyperverge.ts';
import { emulatorAppPerTest } from './route-test-app.ts';

vi.mock('../../engine/index.ts', () => ({ createEngine: () => { throw new Error('route tests inject their engine'); } }));

const URL_PATH = `${emulatorBasePath('hyperverge')}${HYPERVERGE_PATH}`;
const demo = PRESET_DEMO_CREDENTIALS.hyperverge;
const obama = face('obama-1.jpg');
const biden = face('biden-1.jpg');
const setup = emulatorAppPerTest();

const headers = (over: Record<string, string | undefined> = {}) => Object.fromEntries(Object.entries({ appId: demo.app_id, appKey: demo.app_key, transactionId: 'txn-1', ...over }).filter(([, v]) => v !== undefined)) as Record<string, string>;

describe(`POST ${URL_PATH} (HyperVerge emulator)`, () => {
  it('result.details.match.value yes/no with confidence high/low, the transactionId echoed', async () => {
    const { app } = setup();
    const same = await app.request(URL_PATH, { method: 'POST', headers: headers(), body: form({ selfie: obama, id: obama }) });
    expect(same.status).toBe(200);
    expect(await same.json()).toEqual({
      status: 'success', statusCode: 200, metadata: { requestId: expect.any(String), transactionId: 'txn-1' },
      result: { details: { match: { value: 'yes', confidence: 'high' } }, summary: { action: 'pass', details: [] } },
    });
    const diff = await app.request(URL_PATH, { method: 'POST', headers: headers(), body: form({ selfie: obama, id: biden }) });
    expect(await diff.json()).toMatchObject({ result: { details: { match: { value: 'no', confidence: 'high' } }, summary: { action: 'fail' } } });
    const near = setup(fakeEngine({ decide: () => ({ kind: 'compared', match: true, distance: 0.58, confidence: 0.55 }) }));
    const low = await near.app.request(URL_PATH, { method: 'POST', headers: headers(), body: form({ selfie: obama, id: biden }) });
    expect(await low.json()).toMatchObject({ result: { details: { match: { value: 'yes', confidence: 'low' } } } });
  });

  it('no face: 422 failure naming the image', async () => {
    const { app } = setup(fakeEngine({ decide: () => ({ kind: 'no_face', image: 1 }) }));
    const res = await app.request(URL_PATH, { method: 'POST', headers: headers(), body: form({ selfie: obama, id: biden }) });
    expect(res.status).toBe(422);
    expect(await res.json()).toEqual({ status: 'failure', statusCode: 422, error: 'Face not detected in id image', requestId: expect.any(String), transactionId: 'txn-1' });
  });

  it('a wrong or missing appKey is 401 "Missing/Invalid credentials"; no transactionId is 400', async () => {
    const { app, engine } = setup();
    for (const over of [{ appKey: 'nope' }, { appKey: undefined }, { appId: 'other' }]) {
      const res = await app.request(URL_PATH, { method: 'POST', headers: headers(over), body: form({ selfie: obama, id: obama }) });
      expect(res.status).toBe(401);
      expect(await res.json()).toMatchObject({ status: 'failure', statusCode: 401, error: 'Missing/Invalid credentials' });
    }
    const noTxn = await app.request(URL_PATH, { method: 'POST', headers: headers({ transactionId: undefined }), body: form({ selfie: obama, id: obama }) });
    expect(noTxn.status).toBe(400);
    expect(await noTxn.json()).toMatchObject({ error: '"transactionId" is required' });
    expect(engine.calls).toBe(0);
  });

  it('400 naming the missing part', async () => {
    const { app } = setup();
    const res = await app.request(URL_PATH, { method: 'POST', headers: headers(), body: form({ selfie: obama }) });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toMatch(/^id is missing/);
  });
});
