/** Karza Face Similarity emulator: the contract's shape, auth and error answers (engine decisions: verdicts.test.ts). */
import { describe, expect, it, vi } from 'vitest';
import { emulatorBasePath, PRESET_DEMO_CREDENTIALS } from '../../../src/core/providers/emulation.ts';
import { face, fakeEngine } from '../../testkit.ts';
import { KARZA_PATH } from './karza.ts';
import { emulatorAppPerTest } from './route-test-app.ts';

vi.mock('../../engine/index.ts', () => ({ createEngine: () => { throw new Error('route tests inject their engine'); } }));

const URL_PATH = `${emulatorBasePath('karza')}${KARZA_PATH}`;
const KEY = PRESET_DEMO_CREDENTIALS.karza.api_key!;
const b64 = (name: string) => Buffer.from(face(name)).toString('base64');
const setup = emulatorAppPerTest();

function call(app: ReturnType<typeof setup>['app'], body: unknown, key: string | null = KEY) {
  return app.request(URL_PATH, {
    method: 'POST', body: typeof body === 'string' ? body : JSON.stringify(body),
    headers: { 'content-type': 'application/json', ...(key === null ? {} : { 'x-karza-key': key }) },
  });
}

describe(`POST ${URL_PATH} (Karza emulator)`, () => {
  it('statusCode "101" with result.matchScore 0–100 and result.match', async () => {
    const { app } = setup();
    const same = await call(app, { image1B64: b64('obama-1.jpg'), image2B64: `data:image/jpeg;base64,${b64('obama-1.jpg')}` });
    expect(same.status).toBe(200);
    expect(await same.json()).toEqual({ requestId: expect.any(String), statusCode: '101', result: { matchScore: 98.77, match: true } });
    const diff = await call(app, { image1B64: b64('obama-1.jpg'), image2B64: b64('biden-1.jpg') });
    expect(await diff.json()).toMatchObject({ statusCode: '101', result: { matchScore: 12.35, match: false } });
  });

  it('no face: 200 with statusCode "102", no result fields, and an error naming the image', async () => {
    const { app } = setup(fakeEngine({ decide: () => ({ kind: 'no_face', image: 0 }) }));
    const res = await call(app, { image1B64: b64('obama-1.jpg'), image2B64: b64('biden-1.jpg') });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ requestId: expect.any(String), statusCode: '102', result: {}, error: 'No face detected in image1B64.' });
  });

  it('a missing or wrong x-karza-key is 401 before the body is read', async () => {
    const { app, engine } = setup();
    const wrong = await call(app, { image1B64: b64('obama-1.jpg'), image2B64: b64('obama-1.jpg') }, 'nope');
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toEqual({ requestId: expect.any(String), statusCode: 401, error: 'Authorization failure: the x-karza-key is not valid.' });
    const missing = await call(app, {}, null);
    expect(missing.status).toBe(401);
    expect(((await missing.json()) as { error: string }).error).toMatch(/send your API key in the x-karza-key header/);
    expect(engine.calls).toBe(0);
  });

  it('400 naming the field for a missing or non-image field, and for a body that is not JSON', async () => {
    const { app } = setup();
    const missing = await call(app, { image1B64: b64('obama-1.jpg') });
    expect(missing.status).toBe(400);
    expect(((await missing.json()) as { error: string }).error).toBe('image2B64 is missing: send the image as base64 text in "image2B64".');
    const text = await call(app, { image1B64: Buffer.from('hello').toString('base64'), image2B64: b64('obama-1.jpg') });
    expect(((await text.json()) as { error: string }).error).toBe('image1B64 is a text file; only JPEG and PNG are accepted.');
    const notJson = await call(app, 'image1B64=x');
    expect(notJson.status).toBe(400);
    expect(((await notJson.json()) as { error: string }).error).toMatch(/not valid JSON/);
  });
});
