import { describe, expect, it } from 'vitest';
import { deepvue, kwikid } from '../contracts/contracts.ts';
import { DEFAULT_TOKEN } from '../contracts/defaults.ts';
import { detectFaces, facesAvailable, facesProblem, facesSentence, facesToken, parseFacesReport, type FacesReport } from './faces.ts';

const face = (x: number) => ({ box: { x, y: 10, width: 40, height: 50 }, score: 0.9 });
const report = (n: number): FacesReport => ({ width: 200, height: 100, faces: Array.from({ length: n }, (_, i) => face(i * 50)), used: n ? 0 : null });

describe('faces: the sentence before a run', () => {
  it('says nothing for one face, names the image for none or several', () => {
    expect(facesSentence('image1', report(1))).toBeNull();
    expect(facesSentence('image2', report(2))).toBe('2 faces found in image2: the reference engine compares the larger; a vendor may pick another.');
    expect(facesSentence('image2', report(3))).toBe('3 faces found in image2: the reference engine compares the largest; a vendor may pick another.');
    expect(facesSentence('selfie.jpg', report(0))).toMatch(/^No face found in selfie\.jpg: /);
    expect([0, 1, 2].map((n) => facesProblem(report(n)))).toEqual(['none', null, 'several']);
  });
});

describe('faces: reading the answer', () => {
  it('accepts the documented shape and refuses anything else', () => {
    expect(parseFacesReport(report(2))).toEqual(report(2));
    expect(parseFacesReport(report(0))).toEqual(report(0));
    expect(parseFacesReport({ ...report(2), used: 2 })).toBeNull();
    expect(parseFacesReport({ ...report(1), faces: [{ box: { x: 1 }, score: 1 }] })).toBeNull();
    expect(parseFacesReport({ message: 'Nothing at POST /faces' })).toBeNull();
    expect(parseFacesReport('<html>')).toBeNull();
  });

  it('sends the typed KwikID token only to this server, the demo token otherwise', () => {
    const origin = 'http://127.0.0.1:8080';
    expect(facesToken({ contract: kwikid, baseUrl: `${origin}/`, token: 'mine' }, origin)).toBe('mine');
    expect(facesToken({ contract: kwikid, baseUrl: 'https://vendor.example', token: 'vendor-secret' }, origin)).toBe(DEFAULT_TOKEN);
    expect(facesToken({ contract: deepvue, baseUrl: origin, token: 'a.jwt.token' }, origin)).toBe(DEFAULT_TOKEN);
  });

  it('posts the image to the page origin and gives null for any answer it cannot use', async () => {
    const calls: { url: string; auth: string | null; part: FormDataEntryValue | null }[] = [];
    const answer = (status: number, body: unknown) => (async (url: RequestInfo | URL, init?: RequestInit) => {
      calls.push({ url: String(url), auth: new Headers(init?.headers).get('authorization'), part: (init?.body as FormData).get('image') });
      return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
    }) as typeof fetch;
    const blob = new Blob([new Uint8Array([0xff, 0xd8, 0xff])], { type: 'image/jpeg' });
    const opts = { pageOrigin: 'http://127.0.0.1:8080/', token: 'tok' };
    expect(await detectFaces(blob, 'a.jpg', { ...opts, fetch: answer(200, report(2)) })).toEqual(report(2));
    expect(calls[0]).toMatchObject({ url: 'http://127.0.0.1:8080/faces', auth: 'Bearer tok' });
    expect((calls[0]!.part as File).name).toBe('a.jpg');
    expect(await detectFaces(blob, 'a.jpg', { ...opts, fetch: answer(404, { message: 'Nothing at POST /faces' }) })).toBeNull();
    expect(await detectFaces(blob, 'a.jpg', { ...opts, fetch: answer(501, { message: 'instant' }) })).toBeNull();
    expect(await detectFaces(blob, 'a.jpg', { ...opts, fetch: (async () => { throw new TypeError('Failed to fetch'); }) as typeof fetch })).toBeNull();
  });
});

describe('faces: is the detector there (Bulk "Check faces" is offered only then)', () => {
  const health = (status: number, body: unknown) => (async (url: RequestInfo | URL) => {
    expect(String(url)).toBe('http://127.0.0.1:8080/health');
    return new Response(typeof body === 'string' ? body : JSON.stringify(body), { status });
  }) as typeof fetch;
  const ok = (mode: string, state = 'ready') => ({ status: 'ok', engine: { mode, state }, version: '0.1.0', upstream: null });

  it('is true only for the reference server with the real engine at the page origin', async () => {
    const origin = 'http://127.0.0.1:8080/';
    expect(await facesAvailable(origin, health(200, ok('real')))).toBe(true);
    expect(await facesAvailable(origin, health(200, ok('real', 'loading')))).toBe(true);
    expect(await facesAvailable(origin, health(200, ok('real', 'failed')))).toBe(false);
    expect(await facesAvailable(origin, health(200, ok('instant')))).toBe(false);
    expect(await facesAvailable(origin, health(404, { message: 'Not found' }))).toBe(false);
    expect(await facesAvailable(origin, health(200, '<!doctype html><title>static host</title>'))).toBe(false);
    expect(await facesAvailable(origin, (async () => { throw new TypeError('Failed to fetch'); }) as typeof fetch)).toBe(false);
  });
});
