/** POST /faces route logic against a controllable engine; real detections are in server/verdicts.test.ts. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createServerApp } from '../app.ts';
import type { ServerConfig } from '../config.ts';
import type { FacesOutcome } from '../engine/types.ts';
import { face, fakeEngine, form, testConfig, type FakeEngine } from '../testkit.ts';
import { FACES_PATH } from './faces.ts';

vi.mock('../engine/index.ts', () => ({ createEngine: () => { throw new Error('route tests inject their engine'); } }));

const obama = face('obama-1.jpg');
const closers: Array<() => Promise<void>> = [];
afterEach(async () => { await Promise.all(closers.splice(0).map((c) => c())); });

function setup(engine: FakeEngine = fakeEngine(), config: Partial<ServerConfig> = {}) {
  const s = createServerApp(testConfig(config), { engine });
  closers.push(s.close);
  return { ...s, engine };
}

function post(app: ReturnType<typeof setup>['app'], body: BodyInit | null, headers: Record<string, string> = { Authorization: 'Bearer test-token' }) {
  return app.request(FACES_PATH, { method: 'POST', body, headers });
}

describe('POST /faces', () => {
  it('200: width, height, faces with integer boxes and 4-decimal scores, used', async () => {
    const { app } = setup();
    const res = await post(app, form({ image: obama }));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      width: 640,
      height: 480,
      faces: [{ box: { x: 100, y: 81, width: 200, height: 220 }, score: 0.9123 }],
      used: 0,
    });
  });

  it('401 for a missing header, a wrong token or another scheme, before the engine is asked', async () => {
    const { app, engine } = setup();
    const cases: Record<string, string>[] = [{}, { Authorization: 'Bearer nope' }, { Authorization: 'Basic dGVzdA==' }];
    for (const headers of cases) {
      const res = await post(app, form({ image: obama }), headers);
      expect(res.status).toBe(401);
      expect(((await res.json()) as { msg: string }).msg).toMatch(/authorization|token/i);
    }
    expect(engine.calls).toBe(0);
  });

  it('400 names the part: missing, empty, not an image, a text field', async () => {
    const { app, engine } = setup();
    const missing = await post(app, form({ photo: obama }));
    expect(missing.status).toBe(400);
    expect(await missing.json()).toEqual({ detail: { image: 'image' }, message: expect.stringContaining('image is missing') });

    const empty = await post(app, form({ image: new Uint8Array(0) }));
    expect(empty.status).toBe(400);
    expect(await empty.json()).toEqual({ detail: { image: 'image' }, message: 'image is an empty file.' });

    const text = await post(app, form({ image: { bytes: new TextEncoder().encode('not a photo\n'), name: 'photo.jpg' } }));
    expect(text.status).toBe(400);
    expect(((await text.json()) as { message: string }).message).toBe('image is a text file; only JPEG and PNG are accepted.');

    const field = await post(app, form({ image: 'hello' }));
    expect(field.status).toBe(400);
    expect(((await field.json()) as { message: string }).message).toMatch(/image is a text field, not a file/);
    expect(engine.calls).toBe(0);
  });

  it('400 when the engine cannot decode the bytes, naming the part', async () => {
    const engine = fakeEngine();
    engine.faces = async (): Promise<FacesOutcome> => ({ kind: 'undecodable', message: 'the image could not be decoded (truncated)' });
    const { app } = setup(engine);
    const res = await post(app, form({ image: obama }));
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ detail: { image: 'image' }, message: 'image could not be decoded: the image could not be decoded (truncated)' });
  });

  it('413 names the part and the limit; 413 for a whole body over the cap', async () => {
    const { app, engine } = setup(undefined, { maxImageBytes: 50 * 1024 });
    const res = await post(app, form({ image: obama }));
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual({ detail: { image: 'image' }, message: expect.stringMatching(/^image is .* the limit is 50 KB per image\.$/) });

    const huge = new Uint8Array(3 * 1024 * 1024);
    huge.set([0xff, 0xd8, 0xff]);
    const whole = await post(app, form({ image: huge }));
    expect(whole.status).toBe(413);
    expect(await whole.json()).toEqual({ detail: { body: 'too_large' }, message: expect.stringMatching(/request body is larger than/) });
    expect(engine.calls).toBe(0);
  });

  it('415 for a body that is not multipart', async () => {
    const { app } = setup();
    const res = await post(app, JSON.stringify({ image: 'x' }), { Authorization: 'Bearer test-token', 'content-type': 'application/json' });
    expect(res.status).toBe(415);
  });

  it('501 from an engine without a detector (instant), saying how to get one', async () => {
    const engine = fakeEngine({ mode: 'instant' });
    engine.faces = async (): Promise<FacesOutcome> => ({ kind: 'unsupported', message: 'The instant engine does not detect faces; start the server with FACEMATCH_ENGINE=real to see them.' });
    const { app } = setup(engine);
    const res = await post(app, form({ image: obama }));
    expect(res.status).toBe(501);
    expect(((await res.json()) as { message: string }).message).toMatch(/FACEMATCH_ENGINE=real/);
  });

  it('405 for other methods', async () => {
    const { app } = setup();
    const res = await app.request(FACES_PATH, { method: 'GET' });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('POST, OPTIONS');
  });
});
