import { describe, expect, it } from 'vitest';
import { deepvue, kwikid } from '../core/contracts/contracts.ts';
import type { CallResult, CallSettings } from '../core/request/request.ts';
import { createSingleStore, formatConfidence, selectSingleStale, singleRunBlocker, slotWarning } from './single.ts';

const settings: CallSettings = { contract: kwikid, baseUrl: 'http://x', credentials: { token: 't' }, timeoutMs: 1000, retries: 0 };
const jpeg = () => new File([new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 0, 0, 0])], 'a.jpg');

describe('single store', () => {
  it('sniffs a slot, warns for text files and runs the call with both files', async () => {
    const seen: string[] = [];
    const call = (async (_s: CallSettings, images: readonly [{ name: string }, { name: string }]) => {
      seen.push(...images.map((i) => i.name));
      return { ok: true, status: 200, timeMs: 12, attempts: 1, body: { facematch_result: 'True', confidence_score: 0.87314 } } satisfies CallResult;
    }) as unknown as NonNullable<Parameters<typeof createSingleStore>[0]['call']>;
    const store = createSingleStore({ callSettings: () => settings, call });
    await store.getState().setFile(0, jpeg());
    await store.getState().setFile(1, new File(['hello'], 'notes.png'));
    expect(store.getState().slots[0]?.type).toBe('jpeg');
    expect(slotWarning(kwikid, 1, store.getState().slots[1])).toBe(
      'image2: notes.png is a text file, not a JPEG or PNG. The API will probably reject it; run anyway to see its answer.',
    );
    await store.getState().run();
    expect(seen).toEqual(['a.jpg', 'notes.png']);
    expect(store.getState().outcome?.verdict).toMatchObject({ match: true });
    expect(store.getState().status).toBe('done');
  });

  it('marks the result stale when a slot gets another file or is cleared, and names the files and endpoint', async () => {
    const call = (async () => ({ ok: true, status: 200, timeMs: 5, attempts: 1, body: { facematch_result: 'True' } })) as unknown as NonNullable<Parameters<typeof createSingleStore>[0]['call']>;
    const store = createSingleStore({ callSettings: () => ({ ...settings, baseUrl: 'https://u:p@api.example' }), call });
    const a = jpeg();
    await store.getState().setFile(0, a);
    await store.getState().setFile(1, jpeg());
    await store.getState().run();
    const outcome = store.getState().outcome!;
    expect(outcome.files[0]).toBe(a);
    expect(outcome.endpoint).toBe('https://api.example/facematch');
    expect(selectSingleStale(store.getState())).toBe(false);
    await store.getState().setFile(1, new File(['x'], 'other.jpg'));
    expect(selectSingleStale(store.getState())).toBe(true);
    await store.getState().run();
    expect(selectSingleStale(store.getState())).toBe(false);
    store.getState().clearSlot(0);
    expect(selectSingleStale(store.getState())).toBe(true);
  });

  it('says why Run is inactive: images first, then the credentials', async () => {
    const store = createSingleStore({ callSettings: () => settings });
    expect(singleRunBlocker(store.getState(), settings)).toBe('Choose image1 and image2 first.');
    await store.getState().setFile(1, jpeg());
    expect(singleRunBlocker(store.getState(), settings)).toBe('Choose image1 first.');
    await store.getState().setFile(0, jpeg());
    expect(singleRunBlocker(store.getState(), settings)).toBeNull();
    expect(singleRunBlocker(store.getState(), { contract: kwikid, credentials: {} })).toMatch(/^Enter the bearer token/);
    expect(singleRunBlocker(store.getState(), { contract: deepvue, credentials: {} })).toMatch(/^Enter the client ID and client secret/);
  });

  it('Deepvue with no token fetches one before the call, keeps it, and renews it once after a 401', async () => {
    const dv: CallSettings = { contract: deepvue, baseUrl: 'http://x', credentials: { clientId: 'id', clientSecret: 'sec', token: '' }, timeoutMs: 1000, retries: 0 };
    const sentTokens: (string | undefined)[] = [];
    const replies: CallResult[] = [
      { ok: false, status: 401, timeMs: 3, attempts: 1, error: { type: 'http', message: 'rejected' } },
      { ok: true, status: 200, timeMs: 4, attempts: 1, body: { data: { match: true, confidence: 90 } } },
    ];
    const call = (async (s: CallSettings) => { sentTokens.push(s.credentials.token); return replies.shift()!; }) as unknown as NonNullable<Parameters<typeof createSingleStore>[0]['call']>;
    let n = 0;
    const fetchToken = (async () => ({ ok: true, status: 200, token: `jwt-${++n}`, message: 'Token received.' })) as unknown as NonNullable<Parameters<typeof createSingleStore>[0]['fetchToken']>;
    const saved: string[] = [];
    let current = dv;
    const store = createSingleStore({ callSettings: () => current, call, fetchToken, saveToken: (t) => { saved.push(t); current = { ...current, credentials: { ...current.credentials, token: t } }; } });
    await store.getState().setFile(0, jpeg());
    await store.getState().setFile(1, jpeg());
    await store.getState().run();
    // Fetched first; the 401 right after a fresh token is not renewed again.
    expect(sentTokens).toEqual(['jwt-1']);
    expect(saved).toEqual(['jwt-1']);
    expect(store.getState().outcome?.result.status).toBe(401);
    expect(store.getState().outcome?.tokenFetched).toBe(true);

    // With a (stale) token set, a 401 renews it once and sends again.
    replies.length = 0;
    replies.push({ ok: false, status: 401, timeMs: 3, attempts: 1, error: { type: 'http', message: 'rejected' } }, { ok: true, status: 200, timeMs: 4, attempts: 1, body: { data: { match: true, confidence: 90 } } });
    await store.getState().run();
    expect(sentTokens).toEqual(['jwt-1', 'jwt-1', 'jwt-2']);
    expect(store.getState().outcome?.verdict?.match).toBe(true);
    expect(store.getState().outcome?.result.attempts).toBe(2);
  });

  it('a token that cannot be fetched ends in a sentence, and no call is made', async () => {
    const dv: CallSettings = { contract: deepvue, baseUrl: 'http://x', credentials: { clientId: 'id', clientSecret: 'bad' }, timeoutMs: 1000, retries: 0 };
    let calls = 0;
    const call = (async () => { calls++; return { ok: true, status: 200, timeMs: 1, attempts: 1, body: {} }; }) as unknown as NonNullable<Parameters<typeof createSingleStore>[0]['call']>;
    const fetchToken = (async () => ({ ok: false, status: 401, message: 'The client ID or client secret was rejected (HTTP 401). Check both and try again.' })) as unknown as NonNullable<Parameters<typeof createSingleStore>[0]['fetchToken']>;
    const store = createSingleStore({ callSettings: () => dv, call, fetchToken });
    await store.getState().setFile(0, jpeg());
    await store.getState().setFile(1, jpeg());
    await store.getState().run();
    expect(calls).toBe(0);
    expect(store.getState().outcome?.result.error?.message).toBe('No call was made: a bearer token could not be fetched. The client ID or client secret was rejected (HTTP 401). Check both and try again.');
  });

  it('formats confidence per contract scale', () => {
    expect(formatConfidence(kwikid, { match: true, rawConfidence: 0.87314, confidence: 0.87314, credits: null })).toBe('0.8731 (87.3 %)');
    expect(formatConfidence(deepvue, { match: true, rawConfidence: 87.5, confidence: 0.875, credits: null })).toBe('87.5 / 100 (87.5 %)');
  });

  it('warns about files over the size limit', () => {
    const big = { file: jpeg(), name: 'big.jpg', size: kwikid.maxImageBytes + 1, type: 'jpeg' as const };
    expect(slotWarning(kwikid, 0, big)).toMatch(/^image1: big\.jpg is 15\.0 MB, over the 15\.0 MB KwikID accepts\./);
  });
});

describe('single store: faces from the reference detector', () => {
  const two = { width: 100, height: 50, faces: [{ box: { x: 1, y: 2, width: 10, height: 10 }, score: 0.9 }, { box: { x: 50, y: 2, width: 20, height: 20 }, score: 0.8 }], used: 1 };

  it('asks for the faces of each accepted image and keeps them per slot; clearing drops them', async () => {
    const asked: string[] = [];
    const store = createSingleStore({ callSettings: () => settings, detectFaces: async (file) => { asked.push(file.name); return two; } });
    await store.getState().setFile(1, jpeg());
    expect(asked).toEqual(['a.jpg']);
    expect(store.getState().faces).toEqual([null, two]);
    store.getState().clearSlot(1);
    expect(store.getState().faces).toEqual([null, null]);
  });

  it('does not ask for files that are not JPEG or PNG, and forgets an answer for a replaced file', async () => {
    let release: (v: typeof two) => void = () => {};
    const asked: string[] = [];
    const store = createSingleStore({
      callSettings: () => settings,
      detectFaces: (file) => { asked.push(file.name); return new Promise((resolve) => { release = resolve; }); },
    });
    await store.getState().setFile(0, new File(['hello'], 'notes.png'));
    expect(asked).toEqual([]);
    const pending = store.getState().setFile(0, jpeg());
    await new Promise((r) => setTimeout(r, 0));
    await store.getState().setFile(0, new File(['plain text'], 'b.txt'));
    release(two);
    await pending;
    expect(store.getState().faces[0]).toBeNull();
  });
});
