/** Fault injection: spec validation, seeded picking, and each fault's shape on a real socket. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { deepvue, kwikid } from '../src/core/contracts/contracts.ts';
import { createFaultInjector, parseFaultSpec, type FaultKind } from './faults.ts';
import { startServer, type RunningServer } from './main.ts';
import { face, fakeEngine, form } from './testkit.ts';

vi.mock('./engine/index.ts', () => ({ createEngine: () => { throw new Error('fault tests inject their engine'); } }));

const obama = face('obama-4-240p.jpg');
const servers: RunningServer[] = [];
afterEach(async () => { await Promise.all(servers.splice(0).map((s) => s.close())); });

async function start(faults: string, extra: Parameters<typeof startServer>[0] = {}) {
  const s = await startServer({ port: 0, engine: 'instant', token: 'tok', faults, staticDir: '/nonexistent', ...extra }, { engine: fakeEngine({ mode: 'instant' }) });
  servers.push(s);
  return s;
}

function kwikidCall(s: RunningServer, signal?: AbortSignal) {
  const [f1, f2] = kwikid.imageFields;
  return fetch(`${s.url}${kwikid.path}`, { method: 'POST', headers: { Authorization: 'Bearer tok' }, body: form({ [f1]: obama, [f2]: obama }), signal });
}

type Observed = FaultKind | 'none';

/** Sends one call and says which fault (if any) the client saw, checking each fault's shape on the way. */
async function observe(s: RunningServer): Promise<Observed> {
  let res: Response;
  try {
    res = await kwikidCall(s, AbortSignal.timeout(400));
  } catch (err) {
    if (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError')) return 'hang';
    return 'reset'; // the socket was dropped with no response
  }
  const text = await res.text();
  const fault = res.headers.get('x-facematch-fault');
  switch (res.status) {
    case 500:
      expect(JSON.parse(text)).toEqual({ message: expect.stringMatching(/internal server error/i) });
      expect(fault).toBe('500');
      return '500';
    case 429:
      expect(res.headers.get('retry-after')).toBe('1');
      expect(JSON.parse(text)).toHaveProperty('message');
      return '429';
    case 502:
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
      expect(text).toMatch(/^<!DOCTYPE html>[\s\S]*502 Bad Gateway/);
      return 'html502';
    case 200:
      if (fault === 'badjson') {
        expect(res.headers.get('content-type')).toMatch(/application\/json/);
        expect(() => JSON.parse(text)).toThrow();
        return 'badjson';
      }
      expect(JSON.parse(text)).toMatchObject({ facematch_result: 'True' });
      return 'none';
    default:
      throw new Error(`Unexpected status ${res.status}: ${text.slice(0, 200)}`);
  }
}

describe('fault spec', () => {
  it('parses a valid spec and rejects bad ones with a clear message', () => {
    expect(parseFaultSpec('500:0.1, 429:0.05,hang:0.05')).toEqual([
      { kind: '500', probability: 0.1 }, { kind: '429', probability: 0.05 }, { kind: 'hang', probability: 0.05 },
    ]);
    expect(parseFaultSpec('')).toEqual([]);
    expect(() => parseFaultSpec('503:0.1')).toThrow(/Unknown fault "503".*Known faults: 500, 429, hang, reset, html502, badjson/);
    expect(() => parseFaultSpec('500:1.5')).toThrow(/probability "1.5"; it must be a number from 0 to 1/);
    expect(() => parseFaultSpec('500')).toThrow(/expected kind:probability/);
    expect(() => parseFaultSpec('500:0.6,429:0.6')).toThrow(/add up to 1.2/);
    expect(() => parseFaultSpec('500:0.1,500:0.2')).toThrow(/appears twice/);
  });

  it('a bad spec stops start-up with that message', async () => {
    await expect(startServer({ port: 0, faults: 'boom:0.1' }, { engine: fakeEngine() })).rejects.toThrow(/Unknown fault "boom"/);
  });

  it('picks faults at the configured rates, reproducibly for a seed', () => {
    const a = createFaultInjector('500:0.1,429:0.05,hang:0.05', 1234);
    const b = createFaultInjector('500:0.1,429:0.05,hang:0.05', 1234);
    const seqA = Array.from({ length: 4000 }, () => a.pick());
    const seqB = Array.from({ length: 4000 }, () => b.pick());
    expect(seqA).toEqual(seqB);
    const rate = (k: FaultKind) => seqA.filter((x) => x === k).length / seqA.length;
    expect(rate('500')).toBeGreaterThan(0.08);
    expect(rate('500')).toBeLessThan(0.12);
    expect(rate('429')).toBeGreaterThan(0.035);
    expect(rate('429')).toBeLessThan(0.065);
    expect(rate('hang')).toBeGreaterThan(0.035);
    expect(rate('hang')).toBeLessThan(0.065);
    expect(createFaultInjector('', 1).enabled).toBe(false);
    expect(createFaultInjector('', 1).pick()).toBeNull();
  });
});

describe('faults on a real socket', () => {
  it('each fault type occurs, in the order the seed predicts, and is shaped as specified', async () => {
    const spec = '500:0.14,429:0.14,hang:0.14,reset:0.14,html502:0.14,badjson:0.14';
    const seed = 20260522;
    const s = await start(spec, { faultSeed: seed });
    const predictor = createFaultInjector(spec, seed);
    const seen: Observed[] = [];
    const predicted: Observed[] = [];
    for (let i = 0; i < 42; i++) {
      predicted.push(predictor.pick() ?? 'none');
      seen.push(await observe(s));
    }
    expect(seen).toEqual(predicted);
    for (const kind of ['500', '429', 'hang', 'reset', 'html502', 'badjson', 'none'] as const) expect(seen).toContain(kind);
    // Faults apply after auth only: an unauthenticated call is a plain 401 every time.
    for (let i = 0; i < 5; i++) {
      const res = await fetch(`${s.url}${kwikid.path}`, { method: 'POST', body: form({ a: 'b' }) });
      expect(res.status).toBe(401);
    }
    // And never on /health.
    for (let i = 0; i < 5; i++) expect((await fetch(`${s.url}/health`)).status).toBe(200);
  });

  it('Deepvue faults use the {"detail"} shape', async () => {
    const s = await start('429:1');
    const tok = await fetch(`${s.url}${deepvue.tokenEndpoint!.path}`, { method: 'POST', body: new URLSearchParams({ client_id: s.config.deepvue.clientId, client_secret: s.config.deepvue.clientSecret }) });
    const { access_token } = await tok.json() as { access_token: string };
    const [fa, fb] = deepvue.imageFields;
    const res = await fetch(`${s.url}${deepvue.path}`, {
      method: 'POST', headers: { Authorization: `Bearer ${access_token}`, 'x-api-key': s.config.deepvue.clientSecret }, body: form({ [fa]: obama, [fb]: obama }),
    });
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('1');
    expect(await res.json()).toEqual({ detail: 'Rate limit exceeded. Please retry after some time.' });
  });

  it('close() ends promptly while a request hangs', async () => {
    const s = await startServer({ port: 0, token: 'tok', faults: 'hang:1', staticDir: '/nonexistent' }, { engine: fakeEngine({ mode: 'instant' }) });
    const pending = kwikidCall(s).then((r) => r.status, () => 'dropped');
    await new Promise((r) => setTimeout(r, 200));
    // A hang never answers on its own: close() resolving and the call ending prove the release.
    await s.close();
    expect([503, 'dropped']).toContain(await pending);
  });

  it('latencyMs delays every face-match answer but not /health', async () => {
    const s = await start('', { latencyMs: 300 });
    expect((await kwikidCall(s)).status).toBe(200);
    // A match sent first answers after /health sent second: the match was held, /health was not.
    const order: string[] = [];
    const delayed = kwikidCall(s).then(() => order.push('match'));
    await fetch(`${s.url}/health`).then(() => order.push('health'));
    await delayed;
    expect(order).toEqual(['health', 'match']);
  });
});
