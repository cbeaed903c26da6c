/**
 * Credentials in URLs (issue #16): the settings refuse them, and every message, record, sheet and
 * cURL command is built from the one redactor, so a password or an api_key never reaches them.
 */
import { describe, expect, it, vi } from 'vitest';
import { kwikid, deepvue } from '../contracts/contracts.ts';
import { buildCurl } from '../request/curl.ts';
import { recordFromCall } from '../run/records.ts';
import { safeEndpoint } from '../archive/report.ts';
import { callFacematch, fetchToken, type ImagePart } from '../request/request.ts';
import { baseUrlProblem, redactUrl, redactUrlsIn } from './safe-url.ts';

const images: [ImagePart, ImagePart] = [
  { name: 'a.jpg', data: new Blob([new Uint8Array([0xff, 0xd8, 0xff])]) },
  { name: 'b.jpg', data: new Blob([new Uint8Array([0xff, 0xd8, 0xff])]) },
];
const pair = { pair_id: 'p', image1_path: 'p_image1.jpg', image2_path: 'p_image2.jpg' };

describe('Base URL rules for the settings panel', () => {
  it('refuses user info with the sentence, without repeating the password', () => {
    const problem = baseUrlProblem('http://user:PW@host.example');
    expect(problem).toBe('Base URL: remove the user name and password from the address. Put credentials in the token fields, not in the URL.');
    expect(baseUrlProblem('https://justuser@host.example/api')).toMatch(/Put credentials in the token fields, not in the URL\.$/);
  });

  it('refuses a query string or a fragment with a sentence that never repeats it', () => {
    const problem = baseUrlProblem('https://api.example.com/v2?api_key=K3Y');
    expect(problem).toBe('Base URL: remove a query string ("?…"); the playground adds the API path to the Base URL, so give only the address, like https://api.example.com/v2. Put credentials in the token fields.');
    expect(problem).not.toContain('K3Y');
    expect(baseUrlProblem('https://api.example.com/#x')).toMatch(/^Base URL: remove a fragment \("#…"\)/);
  });

  it('accepts plain http(s) addresses and refuses other schemes', () => {
    expect(baseUrlProblem('https://api.example.com')).toBeNull();
    expect(baseUrlProblem('http://127.0.0.1:8080/upstream')).toBeNull();
    expect(baseUrlProblem('ftp://host')).toBe('Base URL: enter an http:// or https:// address, like https://api.example.com.');
    expect(baseUrlProblem('not a url')).toBe('Base URL: enter an http:// or https:// address, like https://api.example.com.');
  });
});

describe('redactUrl / redactUrlsIn', () => {
  it('strips user info and credential-looking parameters, keeps the rest', () => {
    expect(redactUrl('http://user:PW@host:8080/facematch')).toBe('http://host:8080/facematch');
    expect(redactUrl('http://user:PW@host')).toBe('http://host');
    expect(redactUrl('https://h.example/x?api_key=K&page=2&access_token=T&sig=S')).toBe('https://h.example/x?page=2');
    expect(redactUrl('https://h.example/?token=T')).toBe('https://h.example/');
    expect(redactUrl('/?api_key=K/facematch')).toBe('/');
  });

  it('finds URLs inside sentences and keeps the sentence punctuation', () => {
    expect(redactUrlsIn('Could not reach http://u:PW@h.example/facematch. Check it.')).toBe('Could not reach http://h.example/facematch. Check it.');
    expect(redactUrlsIn('"https://h.example/a?key=K", then')).toBe('"https://h.example/a", then');
  });
});

describe('nothing built from a call carries URL credentials', () => {
  it('a Base URL with user info is never sent; the record says why without the password', async () => {
    const fetch = vi.fn();
    const r = await callFacematch({ contract: kwikid, baseUrl: 'http://user:PW@127.0.0.1:9', credentials: { token: 't' }, timeoutMs: 1000, retries: 0 }, images, undefined, { fetch: fetch as unknown as typeof globalThis.fetch });
    expect(fetch).not.toHaveBeenCalled();
    expect(r.error).toEqual({ type: 'not_run', message: 'Not sent. Base URL: remove the user name and password from the address. Put credentials in the token fields, not in the URL.' });
    expect(JSON.stringify(recordFromCall(pair, r))).not.toContain('PW');
  });

  it('a fetch error or a server answer that repeats a URL with credentials is redacted in the message and the error body', async () => {
    const failing = vi.fn(async () => { throw new TypeError('fetch failed for http://u:PW@api.test/facematch?token=T0K'); });
    const net = await callFacematch({ contract: kwikid, baseUrl: 'http://api.test', credentials: { token: 't' }, timeoutMs: 1000, retries: 0 }, images, undefined, { fetch: failing as unknown as typeof fetch });
    expect(net.error?.type).toBe('network');
    expect(net.error?.message).toContain('(fetch failed for http://api.test/facematch)');
    expect(net.error?.message).not.toMatch(/PW|T0K/);

    const echo = vi.fn(async () => new Response(JSON.stringify({ message: 'Bad gateway for https://a:PW@up.example/x?api_key=K3Y' }), { status: 502 }));
    const http = await callFacematch({ contract: kwikid, baseUrl: 'http://api.test', credentials: { token: 't' }, timeoutMs: 1000, retries: 0 }, images, undefined, { fetch: echo as unknown as typeof fetch });
    const rec = JSON.stringify(recordFromCall(pair, http));
    expect(rec).toContain('Bad gateway for https://up.example/x');
    expect(rec).not.toMatch(/PW|K3Y/);
  });

  it('Get token refuses a Base URL with user info', async () => {
    const fetch = vi.fn();
    const r = await fetchToken(deepvue, 'https://id:SECRET@api.example', { clientId: 'a', clientSecret: 'b' }, undefined, { fetch: fetch as unknown as typeof globalThis.fetch });
    expect(fetch).not.toHaveBeenCalled();
    expect(r.message).toBe('Base URL: remove the user name and password from the address. Put credentials in the token fields, not in the URL.');
  });

  it('the cURL command and the Run sheet endpoint never show user info or credential parameters, even with secrets shown', () => {
    const cmd = buildCurl({
      contract: kwikid, baseUrl: 'http://user:PW@host.example?api_key=K3Y', credentials: { token: 'tok' },
      fileNames: ['a.jpg', 'b.jpg'], includeSecrets: true,
    });
    expect(cmd).not.toMatch(/PW|K3Y|user@/);
    expect(cmd).toContain('Bearer tok'); // the opted-in token is still shown
    expect(safeEndpoint('http://user:PW@host.example/facematch?api_key=K3Y')).toBe('http://host.example/facematch');
  });
});
