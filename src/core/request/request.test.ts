import { describe, expect, it, vi } from 'vitest';
import { kwikid, deepvue } from '../contracts/contracts.ts';
import { excerpt, TEXT_EXCERPT_BYTES } from './answer.ts';
import {
  backoffDelay, callFacematch, fetchToken, parseRetryAfter,
  type CallSettings, type ImagePart,
} from './request.ts';

const images: [ImagePart, ImagePart] = [
  { name: 'a.jpg', data: new Blob([new Uint8Array([0xff, 0xd8, 0xff])]) },
  { name: 'b.jpg', data: new Blob([new Uint8Array([0xff, 0xd8, 0xff])]) },
];

const settings = (over: Partial<CallSettings> = {}): CallSettings => ({
  contract: kwikid, baseUrl: 'http://api.test', credentials: { token: 'tok' }, timeoutMs: 1000, retries: 2, ...over,
});

/** A fetch that answers from a script of responses (or throws for `Error` entries), recording every call. */
function scripted(...answers: (Response | Error)[]) {
  const calls: { url: string; init: RequestInit }[] = [];
  const fn = vi.fn(async (url: string | URL | Request, init?: RequestInit) => {
    calls.push({ url: String(url), init: init! });
    const next = answers.shift();
    if (!next) throw new Error('no more scripted answers');
    if (next instanceof Error) throw next;
    return next;
  });
  return { fetch: fn as unknown as typeof fetch, calls };
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });

const noSleep = { sleep: async () => {}, random: () => 0.5 };

describe('callFacematch', () => {
  it('returns the parsed body of a 200 with one attempt', async () => {
    const { fetch, calls } = scripted(json(200, { confidence_score: 0.9, facematch_result: 'True' }));
    const r = await callFacematch(settings(), images, undefined, { fetch, ...noSleep });
    expect(r).toMatchObject({ ok: true, status: 200, attempts: 1, body: { facematch_result: 'True' } });
    expect(calls[0]!.url).toBe('http://api.test/facematch');
    expect((calls[0]!.init.headers as Record<string, string>).Authorization).toBe('Bearer tok');
    expect(calls[0]!.init.body).toBeInstanceOf(FormData);
  });

  it.each([429, 502, 503, 504])('retries HTTP %i and succeeds on a later attempt', async (status) => {
    const { fetch, calls } = scripted(json(status, { message: 'busy' }), json(200, { facematch_result: 'False' }));
    const r = await callFacematch(settings(), images, undefined, { fetch, ...noSleep });
    expect(r).toMatchObject({ ok: true, attempts: 2 });
    expect(calls).toHaveLength(2);
  });

  it('retries network errors up to the retry setting, then reports a network error', async () => {
    const { fetch, calls } = scripted(new TypeError('Failed to fetch'), new TypeError('Failed to fetch'), new TypeError('Failed to fetch'));
    const r = await callFacematch(settings({ retries: 2 }), images, undefined, { fetch, ...noSleep, pageOrigin: 'http://api.test' });
    expect(calls).toHaveLength(3);
    expect(r).toMatchObject({ ok: false, status: null, attempts: 3, error: { type: 'network' } });
    expect(r.error!.message).toContain('Check that the server is running');
  });

  it.each([400, 401, 403, 413, 422, 500])('never retries HTTP %i', async (status) => {
    const { fetch, calls } = scripted(json(status, { msg: 'nope' }), json(200, {}));
    const r = await callFacematch(settings(), images, undefined, { fetch, ...noSleep });
    expect(calls).toHaveLength(1);
    expect(r).toMatchObject({ ok: false, status, attempts: 1, error: { type: 'http' }, errorBody: { msg: 'nope' } });
    expect(r.error!.message).toContain('"nope"');
  });

  it('explains a 401 as a rejected token and a Deepvue 401 names both secrets', async () => {
    const a = await callFacematch(settings(), images, undefined, { fetch: scripted(json(401, { msg: 'Invalid token' })).fetch, ...noSleep });
    expect(a.error!.message).toMatch(/bearer token was rejected \(HTTP 401\)/i);
    const b = await callFacematch(settings({ contract: deepvue }), images, undefined, { fetch: scripted(json(401, { detail: 'Could not validate credentials' })).fetch, ...noSleep });
    expect(b.error!.message).toContain('The client secret and bearer token were rejected (HTTP 401).');
    expect(b.error!.message).toContain('Update them in the connection settings');
    expect(b.error!.message).toContain('Could not validate credentials');
  });

  it('quotes a server message without doubling its final period', async () => {
    const a = await callFacematch(settings(), images, undefined, { fetch: scripted(json(401, { msg: 'Invalid token.' })).fetch, ...noSleep });
    expect(a.error!.message).toBe('The bearer token was rejected (HTTP 401). The server said: "Invalid token." Update it in the connection settings and run again.');
    const b = await callFacematch(settings(), images, undefined, { fetch: scripted(json(400, { msg: 'No face found' })).fetch, ...noSleep });
    expect(b.error!.message).toContain('The server said: "No face found". Check');
    for (const m of [a, b].map((r) => r.error!.message)) expect(m).not.toMatch(/[.!?]"\.|\.\./);
  });

  it('honours Retry-After in seconds', async () => {
    const sleep = vi.fn(async () => {});
    const { fetch } = scripted(json(429, { message: 'slow down' }, { 'retry-after': '3' }), json(200, { facematch_result: 'True' }));
    await callFacematch(settings(), images, undefined, { fetch, sleep, random: () => 0 });
    expect(sleep).toHaveBeenCalledWith(3000, undefined);
  });

  it('backs off exponentially with jitter when there is no Retry-After', async () => {
    const waits: number[] = [];
    const { fetch } = scripted(json(503, {}), json(503, {}), json(503, {}));
    await callFacematch(settings({ retries: 2 }), images, undefined, { fetch, sleep: async (ms) => { waits.push(ms); }, random: () => 1 });
    expect(waits).toEqual([400, 800]);
    expect(backoffDelay(10, () => 1)).toBe(8000);
    expect(backoffDelay(1, () => 0)).toBe(50);
  });

  it('turns an HTML gateway page on a 502 into an http record with the first 2 KB of text', async () => {
    const html = `<html><body>${'x'.repeat(5000)}</body></html>`;
    const { fetch } = scripted(new Response(html, { status: 502 }), new Response(html, { status: 502 }));
    const r = await callFacematch(settings({ retries: 1 }), images, undefined, { fetch, ...noSleep });
    expect(r).toMatchObject({ ok: false, status: 502, attempts: 2, error: { type: 'http' } });
    expect(typeof r.errorBody).toBe('string');
    expect(new TextEncoder().encode(r.errorBody as string).length).toBeLessThanOrEqual(TEXT_EXCERPT_BYTES);
  });

  it('turns a 200 whose body is not JSON into invalid_json', async () => {
    const { fetch } = scripted(new Response('{"confidence_score": 0.9, "facematch_res', { status: 200 }));
    const r = await callFacematch(settings(), images, undefined, { fetch, ...noSleep });
    expect(r).toMatchObject({ ok: false, status: 200, error: { type: 'invalid_json' }, errorBody: '{"confidence_score": 0.9, "facematch_res' });
  });

  it('ends a hanging call at its timeout', async () => {
    const hanging = ((_u: unknown, init?: RequestInit) => new Promise((_r, reject) => {
      init!.signal!.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')));
    })) as unknown as typeof fetch;
    const r = await callFacematch(settings({ timeoutMs: 200, retries: 2 }), images, undefined, { fetch: hanging });
    expect(r).toMatchObject({ ok: false, status: null, attempts: 1, error: { type: 'timeout' } });
    expect(r.error!.message).toContain('within 0.2 s');
  });

  it('reports a cancelled call as aborted', async () => {
    const controller = new AbortController();
    const hanging = ((_u: unknown, init?: RequestInit) => new Promise((_r, reject) => {
      init!.signal!.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')));
    })) as unknown as typeof fetch;
    const p = callFacematch(settings(), images, controller.signal, { fetch: hanging });
    controller.abort();
    expect(await p).toMatchObject({ ok: false, error: { type: 'aborted' } });
  });

  it('says a cross-origin network failure is likely CORS and names the upstream remedy', async () => {
    const { fetch } = scripted(new TypeError('Failed to fetch'));
    const r = await callFacematch(settings({ retries: 0, baseUrl: 'https://vendor.example' }), images, undefined, { fetch, pageOrigin: 'http://localhost:8080' });
    expect(r.error!.message).toContain('CORS');
    expect(r.error!.message).toContain('FACEMATCH_UPSTREAM=https://vendor.example');
  });
});

describe('helpers', () => {
  it('parses Retry-After seconds and dates, capped at a minute', () => {
    expect(parseRetryAfter('2')).toBe(2000);
    expect(parseRetryAfter('9999')).toBe(60_000);
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 5_000)).toBe(5_000);
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter(null)).toBeUndefined();
  });

  it('cuts excerpts at 2 KB without splitting a character', () => {
    const s = 'é'.repeat(3000);
    const cut = excerpt(s);
    expect(new TextEncoder().encode(cut).length).toBeLessThanOrEqual(TEXT_EXCERPT_BYTES);
    expect(cut).toMatch(/^é+$/);
  });
});

describe('fetchToken', () => {
  it('posts client_id and client_secret as a form and returns the token', async () => {
    const { fetch, calls } = scripted(json(200, { access_token: 'jwt', token_type: 'bearer', expiry: '2026-11-23T00:00:00Z' }));
    const r = await fetchToken(deepvue, 'http://api.test', { clientId: 'id', clientSecret: 'sec' }, undefined, { fetch });
    expect(r).toMatchObject({ ok: true, token: 'jwt', expiry: '2026-11-23T00:00:00Z' });
    expect(calls[0]!.url).toBe('http://api.test/v1/authorize');
    const body = calls[0]!.init.body as URLSearchParams;
    expect(body.get('client_id')).toBe('id');
    expect(body.get('client_secret')).toBe('sec');
  });

  it('explains rejected credentials', async () => {
    const { fetch } = scripted(json(401, { detail: 'Invalid client_id or client_secret, access Denied' }));
    const r = await fetchToken(deepvue, 'http://api.test', { clientId: 'id', clientSecret: 'bad' }, undefined, { fetch });
    expect(r.ok).toBe(false);
    expect(r.message).toContain('client ID or client secret was rejected');
  });

  it('asks for missing credentials before calling', async () => {
    const { fetch, calls } = scripted();
    const r = await fetchToken(deepvue, 'http://api.test', { clientId: '' }, undefined, { fetch });
    expect(r.message).toBe('Enter the Client ID and Client secret first.');
    expect(calls).toHaveLength(0);
  });
});
