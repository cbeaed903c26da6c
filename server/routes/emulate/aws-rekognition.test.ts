/** AWS Rekognition CompareFaces emulator: SigV4 verification and the answer's shape (engine decisions: verdicts.test.ts). */
import { describe, expect, it, vi } from 'vitest';
import { PRESET_DEMO_CREDENTIALS } from '../../../src/core/providers/emulation.ts';
import { face, fakeEngine } from '../../testkit.ts';
import { signedCompareFaces } from './testkit.ts';
import { emulatorAppPerTest } from './route-test-app.ts';

vi.mock('../../engine/index.ts', () => ({ createEngine: () => { throw new Error('route tests inject their engine'); } }));

const demo = PRESET_DEMO_CREDENTIALS['aws-rekognition'];
const obama = face('obama-1.jpg');
const biden = face('biden-1.jpg');
const setup = emulatorAppPerTest();

describe('POST /emulate/aws-rekognition/ (Rekognition CompareFaces emulator)', () => {
  it('accepts a request signed with the demo key and answers FaceMatches[].Similarity 0–100', async () => {
    const { app } = setup();
    const { path, init } = signedCompareFaces(obama, obama, { ...demo });
    const res = await app.request(path, init);
    expect(res.status, await res.clone().text()).toBe(200);
    const body = await res.json() as { FaceMatches: Array<{ Similarity: number; Face: { BoundingBox: Record<string, number> } }>; UnmatchedFaces: unknown[]; SourceImageFace: unknown };
    expect(body.FaceMatches).toHaveLength(1);
    expect(body.FaceMatches[0]!.Similarity).toBeGreaterThanOrEqual(80);
    expect(body.FaceMatches[0]!.Similarity).toBeLessThanOrEqual(100);
    expect(Object.keys(body.FaceMatches[0]!.Face.BoundingBox)).toEqual(['Width', 'Height', 'Left', 'Top']);
    expect(body.UnmatchedFaces).toEqual([]);
  });

  it('filters FaceMatches by SimilarityThreshold: a non-match under 80 moves to UnmatchedFaces', async () => {
    const { app } = setup();
    const { path, init } = signedCompareFaces(obama, biden, { ...demo }, 'localhost', 80);
    const body = await (await app.request(path, init)).json() as { FaceMatches: unknown[]; UnmatchedFaces: unknown[] };
    expect(body.FaceMatches).toEqual([]);
    expect(body.UnmatchedFaces).toHaveLength(1);
  });

  it('refuses a tampered body, a wrong secret and an unknown access key with AWS\'s error shape', async () => {
    const { app, engine } = setup();
    const { path, init } = signedCompareFaces(obama, biden, { ...demo });
    const tampered = await app.request(path, { ...init, body: String(init.body).replace('"SimilarityThreshold":0', '"SimilarityThreshold":1') });
    expect(tampered.status).toBe(403);
    expect(tampered.headers.get('x-amzn-errortype')).toBe('InvalidSignatureException:');
    expect(await tampered.json()).toEqual({ __type: 'InvalidSignatureException', message: expect.stringMatching(/signature we calculated does not match/) });

    const wrongSecret = signedCompareFaces(obama, biden, { ...demo, secret_access_key: 'not-the-secret' });
    const bad = await app.request(wrongSecret.path, wrongSecret.init);
    expect(bad.status).toBe(403);
    expect(((await bad.json()) as { __type: string }).__type).toBe('InvalidSignatureException');

    const unknownKey = signedCompareFaces(obama, biden, { ...demo, access_key_id: 'AKIAUNKNOWN000000000' });
    const unknown = await app.request(unknownKey.path, unknownKey.init);
    expect(unknown.status).toBe(403);
    expect(await unknown.json()).toEqual({ __type: 'UnrecognizedClientException', message: 'The security token included in the request is invalid.' });

    const unsigned = await app.request(path, { method: 'POST', body: String(init.body), headers: { 'content-type': 'application/x-amz-json-1.1' } });
    expect(unsigned.status).toBe(403);
    expect(((await unsigned.json()) as { __type: string }).__type).toBe('MissingAuthenticationTokenException');
    expect(engine.calls).toBe(0);
  });

  it('no face in an image: 400 InvalidParameterException', async () => {
    const { app } = setup(fakeEngine({ decide: () => ({ kind: 'no_face', image: 1 }) }));
    const { path, init } = signedCompareFaces(obama, biden, { ...demo });
    const res = await app.request(path, init);
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ __type: 'InvalidParameterException', message: 'Request has invalid parameters' });
  });
});
