/** KwikID route logic (POST /facematch) against a controllable engine; real decisions live in engine-verdicts.test.ts. */
import sharp from 'sharp';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { kwikid } from '../../src/core/contracts/contracts.ts';
import { createServerApp } from '../app.ts';
import type { ServerConfig } from '../config.ts';
import { face, fakeEngine, form, testConfig, type FakeEngine } from '../testkit.ts';

// Every app here gets an injected engine; never load the real one (tfjs) in these route tests.
vi.mock('../engine/index.ts', () => ({ createEngine: () => { throw new Error('route tests inject their engine'); } }));

const [F1, F2] = kwikid.imageFields;
const obama = face('obama-1.jpg');
const biden = face('biden-1.jpg');
const closers: Array<() => Promise<void>> = [];
afterEach(async () => { await Promise.all(closers.splice(0).map((c) => c())); });

function setup(engine: FakeEngine = fakeEngine(), config: Partial<ServerConfig> = {}) {
  const s = createServerApp(testConfig(config), { engine });
  closers.push(s.close);
  return { ...s, engine };
}

function post(app: ReturnType<typeof setup>['app'], body: BodyInit | null, headers: Record<string, string> = { Authorization: 'Bearer test-token' }) {
  return app.request(kwikid.path, { method: 'POST', body, headers });
}

describe('POST /facematch (KwikID)', () => {
  it('answers 200 with the KwikID shape, rounded confidence and unique_id echoed', async () => {
    const { app } = setup();
    const res = await post(app, form({ [F1]: obama, [F2]: obama, unique_id: 'case-42' }));
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body).toEqual({ confidence_score: 0.9877, facematch_result: 'True', credits_consumed: 1, unique_id: 'case-42' });
    const other = await post(app, form({ [F1]: obama, [F2]: biden }));
    const otherBody = await other.json() as Record<string, unknown>;
    expect(otherBody.facematch_result).toBe('False');
    expect(otherBody).not.toHaveProperty('unique_id');
  });

  it('marks instant-engine answers with x-facematch-engine: instant', async () => {
    const { app } = setup(fakeEngine({ mode: 'instant' }));
    const res = await post(app, form({ [F1]: obama, [F2]: biden }));
    expect(res.status).toBe(200);
    expect(res.headers.get('x-facematch-engine')).toBe('instant');
  });

  it('401 says whether the header is missing or the token is wrong, before reading the body', async () => {
    const { app, engine } = setup();
    const missing = await post(app, form({ [F1]: obama, [F2]: obama }), {});
    expect(missing.status).toBe(401);
    expect(((await missing.json()) as { msg: string }).msg).toMatch(/missing authorization/i);
    const wrong = await post(app, form({ [F1]: obama, [F2]: obama }), { Authorization: 'Bearer nope' });
    expect(wrong.status).toBe(401);
    expect(((await wrong.json()) as { msg: string }).msg).toMatch(/invalid token/i);
    const scheme = await post(app, form({ [F1]: obama, [F2]: obama }), { Authorization: 'Basic dGVzdA==' });
    expect(scheme.status).toBe(401);
    // A body that is never finished: a handler that read it would hang; the 401 comes at once.
    const never = new ReadableStream({ start() { /* never enqueues, never closes */ } });
    const started = performance.now();
    const res = await app.request(kwikid.path, { method: 'POST', body: never, headers: { 'content-type': 'multipart/form-data; boundary=x' }, duplex: 'half' } as RequestInit);
    expect(res.status).toBe(401);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(engine.calls).toBe(0);
  });

  it('400 names the missing part', async () => {
    const { app } = setup();
    const res = await post(app, form({ [F1]: obama }));
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ detail: { image: F2 }, message: expect.stringContaining(`${F2} is missing`) });
  });

  it('400 for an empty file, a text file and a text field, naming the part', async () => {
    const { app } = setup();
    const empty = await post(app, form({ [F1]: new Uint8Array(0), [F2]: obama }));
    expect(empty.status).toBe(400);
    expect(await empty.json()).toMatchObject({ detail: { image: F1 }, message: `${F1} is an empty file.` });

    const text = await post(app, form({ [F1]: obama, [F2]: { bytes: new TextEncoder().encode('hello, not a photo\n'), name: 'photo.jpg' } }));
    expect(text.status).toBe(400);
    const textBody = await text.json() as { detail: { image: string }; message: string };
    expect(textBody.detail.image).toBe(F2);
    expect(textBody.message).toMatch(/image2 is a text file; only JPEG and PNG are accepted/);

    const field = await post(app, form({ [F1]: 'string', [F2]: obama }));
    expect(field.status).toBe(400);
    expect(((await field.json()) as { message: string }).message).toMatch(/image1 is a text field, not a file/);
  });

  it('400 for a WebP named .jpg, saying what the bytes are', async () => {
    const { app, engine } = setup();
    const webp = new Uint8Array(await sharp(Buffer.from(obama)).resize(64).webp().toBuffer());
    const res = await post(app, form({ [F1]: { bytes: webp, name: 'selfie.jpg', type: 'image/jpeg' }, [F2]: obama }));
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ detail: { image: F1 }, message: 'image1 is a WebP image; only JPEG and PNG are accepted.' });
    expect(engine.calls).toBe(0);
  });

  it('400 for an AVIF, described as AVIF (not HEIC)', async () => {
    const { app, engine } = setup();
    const avif = new Uint8Array(await sharp(Buffer.from(obama)).resize(64).avif().toBuffer());
    const res = await post(app, form({ [F1]: obama, [F2]: { bytes: avif, name: 'id.avif', type: 'image/avif' } }));
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ detail: { image: F2 }, message: 'image2 is an AVIF image; only JPEG and PNG are accepted.' });
    expect(engine.calls).toBe(0);
  });

  it('accepts PNG as well as JPEG', async () => {
    const { app } = setup();
    const res = await post(app, form({ [F1]: face('alex-lacamoire-2.png'), [F2]: obama }));
    expect(res.status).toBe(200);
  });

  it('413 names the part and the limit when an image is over maxImageBytes', async () => {
    const { app } = setup(undefined, { maxImageBytes: 50 * 1024 });
    const small = new Uint8Array(await sharp(Buffer.from(obama)).resize(80).jpeg().toBuffer());
    expect(obama.length).toBeGreaterThan(50 * 1024);
    const res = await post(app, form({ [F1]: small, [F2]: obama }));
    expect(res.status).toBe(413);
    const body = await res.json() as { detail: { image: string }; message: string };
    expect(body.detail.image).toBe(F2);
    expect(body.message).toMatch(/image2 is .* the limit is 50 KB per image/);
  });

  it('413 for a whole body over 2 × limit + 1 MB, without a handler reading it', async () => {
    const { app, engine } = setup(undefined, { maxImageBytes: 10 * 1024 });
    const huge = new Uint8Array(3 * 1024 * 1024);
    huge.set([0xff, 0xd8, 0xff]);
    const res = await post(app, form({ [F1]: huge, [F2]: obama }));
    expect(res.status).toBe(413);
    expect(((await res.json()) as { message: string }).message).toMatch(/request body is larger than/);
    expect(engine.calls).toBe(0);
  });

  it('415 for a non-multipart body, 400 for a broken one, 400 for too many parts', async () => {
    const { app } = setup();
    const json = await post(app, JSON.stringify({ image1: 'x' }), { Authorization: 'Bearer test-token', 'content-type': 'application/json' });
    expect(json.status).toBe(415);
    expect(((await json.json()) as { message: string }).message).toMatch(/multipart\/form-data.*got application\/json/);

    const broken = await post(app, 'garbage', { Authorization: 'Bearer test-token', 'content-type': 'multipart/form-data; boundary=abc' });
    expect(broken.status).toBe(400);
    expect(((await broken.json()) as { message: string }).message).toMatch(/could not be read/);

    const many: Record<string, string | Uint8Array> = { [F1]: obama, [F2]: obama };
    for (let i = 0; i < 12; i++) many[`extra${i}`] = 'x';
    const tooMany = await post(app, form(many));
    expect(tooMany.status).toBe(400);
    expect(((await tooMany.json()) as { message: string }).message).toMatch(/14 parts; at most 10/);
  });

  it('422 "No face found in image2" for a no_face outcome, 400 for undecodable', async () => {
    const { app } = setup(fakeEngine({ decide: () => ({ kind: 'no_face', image: 1 }) }));
    const res = await post(app, form({ [F1]: obama, [F2]: biden }));
    expect(res.status).toBe(422);
    expect(await res.json()).toEqual({ detail: { image: F2 }, message: 'No face found in image2' });

    const s2 = setup(fakeEngine({ decide: () => ({ kind: 'undecodable', image: 0, message: 'corrupt JPEG data' }) }));
    const bad = await post(s2.app, form({ [F1]: obama, [F2]: biden }));
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ detail: { image: F1 }, message: 'image1 could not be decoded: corrupt JPEG data' });
  });

  it('waits for a loading engine, and answers when it becomes ready', async () => {
    const engine = fakeEngine({ state: 'loading' });
    const { app } = setup(engine);
    const pending = post(app, form({ [F1]: obama, [F2]: obama }));
    await new Promise((r) => setTimeout(r, 100));
    expect(engine.calls).toBe(0);
    engine.finishLoading();
    const res = await pending;
    expect(res.status).toBe(200);
  });

  it('500 with the reason when the engine failed to load', async () => {
    const { app } = setup(fakeEngine({ state: 'failed' }));
    const res = await post(app, form({ [F1]: obama, [F2]: obama }));
    expect(res.status).toBe(500);
    expect(((await res.json()) as { message: string }).message).toMatch(/failed to load: fake failure/);
  });

  it('405 for GET with a hint', async () => {
    const { app } = setup();
    const res = await app.request(kwikid.path);
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toContain('POST');
  });
});
