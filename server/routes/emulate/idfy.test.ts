/** IDfy face compare emulator: the contract's shape, auth and error answers (engine decisions: verdicts.test.ts). */
import { describe, expect, it, vi } from 'vitest';
import { emulatorBasePath, PRESET_DEMO_CREDENTIALS } from '../../../src/core/providers/emulation.ts';
import { face, fakeEngine } from '../../testkit.ts';
import { IDFY_PATH } from './idfy.ts';
import { emulatorAppPerTest } from './route-test-app.ts';

vi.mock('../../engine/index.ts', () => ({ createEngine: () => { throw new Error('route tests inject their engine'); } }));

const URL_PATH = `${emulatorBasePath('idfy')}${IDFY_PATH}`;
const demo = PRESET_DEMO_CREDENTIALS.idfy;
const b64 = (name: string) => Buffer.from(face(name)).toString('base64');
const setup = emulatorAppPerTest();

function call(app: ReturnType<typeof setup>['app'], data: Record<string, unknown>, creds: Record<string, string> = { 'account-id': demo.account_id!, 'api-key': demo.api_key! }, extra: Record<string, unknown> = {}) {
  return app.request(URL_PATH, {
    method: 'POST', headers: { 'content-type': 'application/json', ...creds },
    body: JSON.stringify({ task_id: 'task-1', group_id: 'group-1', data, ...extra }),
  });
}

describe(`POST ${URL_PATH} (IDfy emulator)`, () => {
  it('result.is_a_match and result.match_score 0–100 in a completed task', async () => {
    const { app } = setup();
    const same = await call(app, { document1: b64('obama-1.jpg'), document2: `data:image/jpeg;base64,${b64('obama-1.jpg')}` });
    expect(same.status).toBe(200);
    expect(await same.json()).toEqual({
      action: 'compare', type: 'face', task_id: 'task-1', group_id: 'group-1', request_id: expect.any(String),
      created_at: expect.any(String), completed_at: expect.any(String), status: 'completed',
      result: { is_a_match: true, match_score: 98.77, review_needed: false },
    });
    const diff = await call(app, { document1: b64('obama-1.jpg'), document2: b64('biden-1.jpg') });
    expect(await diff.json()).toMatchObject({ result: { is_a_match: false, match_score: 12.35 } });
  });

  it('no face: 422 failed task with error NO_FACE_DETECTED naming the document', async () => {
    const { app } = setup(fakeEngine({ decide: () => ({ kind: 'no_face', image: 1 }) }));
    const res = await call(app, { document1: b64('obama-1.jpg'), document2: b64('biden-1.jpg') });
    expect(res.status).toBe(422);
    expect(await res.json()).toMatchObject({ status: 'failed', error: 'NO_FACE_DETECTED', message: 'No face detected in data.document2.', result: null, task_id: 'task-1' });
  });

  it('a wrong or missing api-key is 401 UNAUTHORIZED before the body is read', async () => {
    const { app, engine } = setup();
    const wrong = await call(app, {}, { 'account-id': demo.account_id!, 'api-key': 'nope' });
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toEqual({ error: 'UNAUTHORIZED', message: 'The account-id or api-key is not valid.', request_id: expect.any(String) });
    const missing = await call(app, {}, { 'api-key': demo.api_key! });
    expect(missing.status).toBe(401);
    expect(engine.calls).toBe(0);
  });

  it('400 naming the missing field: task_id, data, data.document1', async () => {
    const { app } = setup();
    const noTask = await call(app, {}, undefined, { task_id: undefined });
    expect(await noTask.json()).toMatchObject({ error: 'BAD_REQUEST', message: expect.stringMatching(/^task_id is required/) });
    const noData = await call(app, {}, undefined, { data: 'x' });
    expect(await noData.json()).toMatchObject({ message: expect.stringMatching(/^data is required/) });
    const noDoc = await call(app, { document2: b64('obama-1.jpg') });
    expect(noDoc.status).toBe(400);
    expect(await noDoc.json()).toMatchObject({ message: 'data.document1 is missing: send the image as base64 text in "data.document1".' });
  });
});
