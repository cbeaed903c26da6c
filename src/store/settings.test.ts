import { describe, expect, it, vi } from 'vitest';
import { deepvue, kwikid, unregisterDefinition } from '../core/contracts/contracts.ts';
import { DEFAULT_DEEPVUE_CLIENT_ID, DEFAULT_DEEPVUE_CLIENT_SECRET, DEFAULT_TOKEN } from '../core/contracts/defaults.ts';
import { STORAGE_KEY, callSettingsOf, createSettingsStore, settingsBlocker, upstreamBaseUrl } from './settings.ts';

const ORIGIN = 'http://127.0.0.1:8080';

class MemoryStorage implements Storage {
  private map = new Map<string, string>();
  writes = 0;
  get length() { return this.map.size; }
  clear() { this.map.clear(); }
  getItem(key: string) { return this.map.get(key) ?? null; }
  key(i: number) { return [...this.map.keys()][i] ?? null; }
  removeItem(key: string) { this.map.delete(key); }
  setItem(key: string, value: string) { this.writes++; this.map.set(key, value); }
}

function makeStore(storage = new MemoryStorage()) {
  return { storage, store: createSettingsStore({ pageOrigin: ORIGIN, storage: () => storage }) };
}

describe('settings store: persistence', () => {
  it('writes nothing while Remember is off, whatever changes', () => {
    const { storage, store } = makeStore();
    const s = store.getState();
    s.setCredential('token', 'secret-token-123');
    s.setBaseUrl('https://api.example.com');
    s.setTimeoutMs(5000);
    s.setUniqueId('abc');
    expect(storage.writes).toBe(0);
    expect(storage.length).toBe(0);
  });

  it('stores the token only once Remember is on, and removes it when turned off', () => {
    const { storage, store } = makeStore();
    store.getState().setCredential('token', 'secret-token-123');
    expect(storage.getItem(STORAGE_KEY)).toBeNull();
    store.getState().setRemember(true);
    const saved = storage.getItem(STORAGE_KEY);
    expect(saved).toContain('secret-token-123');
    store.getState().setRemember(false);
    expect(storage.getItem(STORAGE_KEY)).toBeNull();
    store.getState().setCredential('token', 'another-token');
    expect(storage.getItem(STORAGE_KEY)).toBeNull();
  });

  it('restores remembered settings in a new store', () => {
    const storage = new MemoryStorage();
    const a = createSettingsStore({ pageOrigin: ORIGIN, storage: () => storage });
    a.getState().setRemember(true);
    a.getState().setBaseUrl('https://api.example.com');
    a.getState().setCredential('token', 'tok-xyz');
    a.getState().setRetries(4);
    const b = createSettingsStore({ pageOrigin: ORIGIN, storage: () => storage });
    expect(b.getState().remember).toBe(true);
    expect(b.getState().baseUrl).toBe('https://api.example.com');
    expect(b.getState().credentials.token).toBe('tok-xyz');
    expect(b.getState().retries).toBe(4);
  });

  it('ignores a stored item written without Remember', () => {
    const storage = new MemoryStorage();
    storage.setItem(STORAGE_KEY, JSON.stringify({ state: { remember: false, credentials: { token: 'x' } }, version: 1 }));
    const { store } = makeStore(storage);
    expect(store.getState().credentials.token).toBe(DEFAULT_TOKEN);
  });
});

describe('settings store: demo pre-fill', () => {
  it('starts on KwikID against the page origin with the demo token and defaults', () => {
    const { store } = makeStore();
    const s = store.getState();
    expect(s.providerId).toBe(kwikid.id);
    expect(s.baseUrl).toBe(ORIGIN);
    expect(s.credentials.token).toBe(DEFAULT_TOKEN);
    expect(s.timeoutMs).toBe(60_000);
    expect(s.retries).toBe(2);
    expect(s.remember).toBe(false);
  });

  it('drops the demo token for another origin and brings it back for the own origin', () => {
    const { store } = makeStore();
    store.getState().setBaseUrl('https://api.vendor.example');
    expect(store.getState().credentials.token).toBe('');
    store.getState().setBaseUrl(upstreamBaseUrl(ORIGIN));
    expect(store.getState().credentials.token).toBe('');
    store.getState().setBaseUrl(`${ORIGIN}/`);
    expect(store.getState().credentials.token).toBe(DEFAULT_TOKEN);
  });

  it('keeps a token the user typed when the Base URL changes', () => {
    const { store } = makeStore();
    store.getState().setCredential('token', 'my-real-token');
    store.getState().setBaseUrl('https://api.vendor.example');
    expect(store.getState().credentials.token).toBe('my-real-token');
    store.getState().setBaseUrl(ORIGIN);
    expect(store.getState().credentials.token).toBe('my-real-token');
  });

  it('pre-fills the client id and secret (not the token) for a contract with a token endpoint', () => {
    const { store } = makeStore();
    store.getState().setProvider(deepvue.id);
    const c = store.getState().credentials;
    expect(c.clientId).toBe(DEFAULT_DEEPVUE_CLIENT_ID);
    expect(c.clientSecret).toBe(DEFAULT_DEEPVUE_CLIENT_SECRET);
    expect(c.token).toBe('');
    store.getState().setBaseUrl('https://production.deepvue.tech');
    expect(store.getState().credentials).toEqual({ token: '', clientId: '', clientSecret: '' });
  });
});

describe('settings store: call settings and token', () => {
  it('passes only the contract credentials, and unique_id only when the contract has the field', () => {
    const { store } = makeStore();
    store.getState().setUniqueId('  case-42 ');
    expect(store.getState().callSettings()).toMatchObject({
      contract: kwikid, baseUrl: ORIGIN, credentials: { token: DEFAULT_TOKEN }, uniqueId: 'case-42', timeoutMs: 60_000, retries: 2,
    });
    store.getState().setProvider(deepvue.id);
    const cs = callSettingsOf(store.getState());
    expect(cs.uniqueId).toBeUndefined();
    expect(Object.keys(cs.credentials).sort()).toEqual(['clientId', 'clientSecret', 'token']);
  });

  it('clamps timeout and retries and ignores non-numbers', () => {
    const { store } = makeStore();
    store.getState().setTimeoutMs(Number.NaN);
    expect(store.getState().timeoutMs).toBe(60_000);
    store.getState().setTimeoutMs(10);
    expect(store.getState().timeoutMs).toBe(1000);
    store.getState().setRetries(99);
    expect(store.getState().retries).toBe(10);
  });

  it('Get token fills the token from the token endpoint', async () => {
    const { store } = makeStore();
    store.getState().setProvider(deepvue.id);
    const calls: string[] = [];
    const fakeFetch = (async (url: string, init?: RequestInit) => {
      calls.push(`${url} ${String(init?.body)}`);
      return new Response(JSON.stringify({ access_token: 'jwt-abc', token_type: 'bearer', expiry: '2030-01-01T00:00:00Z' }), { status: 200 });
    }) as unknown as typeof fetch;
    await store.getState().getToken(fakeFetch);
    expect(calls[0]).toBe(`${ORIGIN}/v1/authorize client_id=demo-client&client_secret=demo-secret`);
    expect(store.getState().credentials.token).toBe('jwt-abc');
    expect(store.getState().tokenStatus).toMatchObject({ state: 'done', ok: true });
  });

  it('reads the upstream origin from /health', async () => {
    const { store } = makeStore();
    const fakeFetch = (async () => new Response(JSON.stringify({ status: 'ok', upstream: 'https://api.vendor.example' }))) as unknown as typeof fetch;
    await store.getState().loadHealth(fakeFetch);
    expect(store.getState().upstream).toBe('https://api.vendor.example');
  });
});

describe('settings store: a typed value that is not accepted blocks Run', () => {
  it('Timeout 0.3 is not accepted: Run is blocked with the reason, and no run could use the last accepted value', () => {
    const { store } = makeStore();
    store.getState().enterNumber('timeout', '0.3');
    expect(settingsBlocker(store.getState())).toBe('Fix Timeout (s): enter a number from 1 to 600.');
    expect(store.getState().invalidSettings.timeout).toEqual({ text: '0.3', problem: 'enter a number from 1 to 600' });
    store.getState().enterNumber('timeout', '2.5');
    expect(settingsBlocker(store.getState())).toBeNull();
    expect(store.getState().jobSnapshot().timeoutMs).toBe(2500);
  });

  it('Max requests per second 2.5 is not accepted (it is not "no limit"); empty is', () => {
    const { store } = makeStore();
    store.getState().enterNumber('rate', '5');
    store.getState().enterNumber('rate', '2.5');
    expect(settingsBlocker(store.getState())).toBe('Fix Max requests per second: enter a whole number from 1 to 1000, or leave it empty.');
    store.getState().enterNumber('rate', '');
    expect(settingsBlocker(store.getState())).toBeNull();
    expect(store.getState().jobSnapshot().ratePerSecond).toBeNull();
  });

  it('names the first invalid field in the panel\'s order, and Retries takes whole numbers only', () => {
    const { store } = makeStore();
    store.getState().enterNumber('concurrency', '17');
    store.getState().enterNumber('retries', '1.5');
    expect(settingsBlocker(store.getState())).toBe('Fix Retries: enter a whole number from 0 to 10.');
    store.getState().enterNumber('retries', '3');
    expect(settingsBlocker(store.getState())).toBe('Fix Concurrency: enter a whole number from 1 to 16.');
    expect(store.getState().retries).toBe(3);
  });
});

describe('settings store: credentials per provider', () => {
  it('Deepvue → KwikID keeps demo-token: the Deepvue JWT stays with Deepvue', async () => {
    const { store } = makeStore();
    store.getState().setProvider(deepvue.id);
    const answer = new Response(JSON.stringify({ access_token: 'deepvue-jwt', expiry: '2030-01-01T00:00:00Z' }), { status: 200 });
    await store.getState().getToken((async () => answer) as unknown as typeof fetch);
    expect(store.getState().credentials.token).toBe('deepvue-jwt');
    store.getState().setProvider(kwikid.id);
    expect(store.getState().credentials).toEqual({ token: DEFAULT_TOKEN });
    store.getState().setProvider(deepvue.id);
    expect(store.getState().credentials).toEqual({ clientId: DEFAULT_DEEPVUE_CLIENT_ID, clientSecret: DEFAULT_DEEPVUE_CLIENT_SECRET, token: 'deepvue-jwt' });
  });

  it('restores each provider its own typed values', async () => {
    const { store } = makeStore();
    store.getState().setBaseUrl('https://api.example.com');
    store.getState().setCredential('token', 'kwik-real');
    await store.getState().setProvider('facepp');
    expect(store.getState().credentials).toEqual({ api_key: '', api_secret: '' });
    store.getState().setCredential('api_key', 'fk');
    await store.getState().setProvider('karza');
    store.getState().setCredential('api_key', 'kk');
    await store.getState().setProvider('facepp');
    expect(store.getState().credentials.api_key).toBe('fk');
    await store.getState().setProvider('kwikid');
    expect(store.getState().credentials.token).toBe('kwik-real');
  });

  it('follows the provider to its emulator on this server, with its demo credentials; a chosen URL stays', async () => {
    const { store } = makeStore();
    await store.getState().setProvider('facepp');
    expect(store.getState().baseUrl).toBe(`${ORIGIN}/emulate/facepp`);
    expect(store.getState().credentials).toEqual({ api_key: 'demo-facepp-key', api_secret: 'demo-facepp-secret' });
    await store.getState().setProvider('kwikid');
    expect(store.getState().baseUrl).toBe(ORIGIN);
    store.getState().setBaseUrl('https://vendor.example');
    await store.getState().setProvider('idfy');
    expect(store.getState().baseUrl).toBe('https://vendor.example');
    expect(store.getState().credentials).toEqual({ account_id: '', api_key: '' });
  });

  it('remembers each provider\'s values only with Remember on', async () => {
    const { store, storage } = makeStore();
    store.getState().setRemember(true);
    store.getState().setBaseUrl('https://api.example.com');
    store.getState().setCredential('token', 'kwik-real');
    await store.getState().setProvider('karza');
    store.getState().setCredential('api_key', 'kk');
    const again = createSettingsStore({ pageOrigin: ORIGIN, storage: () => storage });
    await vi.waitFor(() => expect(again.getState().providerId).toBe('karza'));
    expect(again.getState().credentials).toEqual({ api_key: 'kk' });
    await again.getState().setProvider('kwikid');
    expect(again.getState().credentials.token).toBe('kwik-real');
  });
});

describe('settings store: custom provider definitions', () => {
  const text = JSON.stringify({
    id: 'acme-face',
    label: 'Acme Face',
    path: '/v2/compare',
    demoBasePath: '/emulate/karza',
    request: { encoding: 'json', json: { a: '{{image1.base64}}', b: '{{image2.base64}}' } },
    credentials: [{ key: 'api_key', label: 'Acme key', secret: true }],
    headers: [{ name: 'x-acme-key', from: 'api_key' }],
    verdict: { path: ['match'], matchValue: true },
  });

  async function acme() {
    const { checkDefinitionText } = await import('../core/providers/schema.ts');
    const checked = checkDefinitionText(text, 'acme.json');
    if (!checked.ok) throw new Error(checked.problems.join('\n'));
    return checked.definition;
  }

  it('a valid definition is selectable like a preset: its credentials are asked for and used by Single and Bulk', async () => {
    const { store } = makeStore();
    await store.getState().addDefinition(await acme());
    const s = store.getState();
    expect(s.providerId).toBe('acme-face');
    expect(s.customDefinitions.map((d) => d.id)).toEqual(['acme-face']);
    // On this server it follows the definition's emulator path, as a preset does.
    expect(s.baseUrl).toBe(`${ORIGIN}/emulate/karza`);
    expect(s.credentials).toEqual({ api_key: '' });
    s.setCredential('api_key', 'k-123');
    expect(store.getState().callSettings()).toMatchObject({ contract: { id: 'acme-face', path: '/v2/compare' }, credentials: { api_key: 'k-123' } });
    expect(store.getState().jobSnapshot().contract.id).toBe('acme-face');
  });

  it('keeps the definition across a reload only with Remember on, and its secret only there', async () => {
    const { store, storage } = makeStore();
    await store.getState().addDefinition(await acme());
    store.getState().setCredential('api_key', 'k-secret-9');
    expect(storage.length).toBe(0);
    store.getState().setRemember(true);
    const saved = JSON.parse(storage.getItem(STORAGE_KEY)!) as { state: { customDefinitions: unknown[] } };
    // The definition is stored as data: the credential's value is not part of it.
    expect(JSON.stringify(saved.state.customDefinitions)).not.toContain('k-secret-9');
    // A new page knows no custom definition until the stored one is checked and registered.
    unregisterDefinition('acme-face');
    const again = createSettingsStore({ pageOrigin: ORIGIN, storage: () => storage });
    await vi.waitFor(() => expect(again.getState().customDefinitions.map((d) => d.label)).toEqual(['Acme Face']));
    expect(again.getState().providerId).toBe('acme-face');
    expect(again.getState().credentials).toEqual({ api_key: 'k-secret-9' });
  });

  it('a stored definition that no longer passes the schema is not restored', async () => {
    const storage = new MemoryStorage();
    storage.setItem(STORAGE_KEY, JSON.stringify({
      state: { remember: true, providerId: 'broken', customDefinitions: [{ id: 'broken', label: 'Broken', path: 'https://elsewhere.example/x' }] }, version: 1,
    }));
    const store = createSettingsStore({ pageOrigin: ORIGIN, storage: () => storage });
    await new Promise((r) => setTimeout(r, 50));
    expect(store.getState().providerId).toBe('kwikid');
    expect(store.getState().customDefinitions).toEqual([]);
  });

  it('removing the selected definition goes back to KwikID and forgets it', async () => {
    const { store } = makeStore();
    await store.getState().addDefinition(await acme());
    await store.getState().removeDefinition('acme-face');
    expect(store.getState().providerId).toBe('kwikid');
    expect(store.getState().customDefinitions).toEqual([]);
    await store.getState().setProvider('acme-face').catch((err: unknown) => expect(String(err)).toContain('Unknown provider'));
    expect(store.getState().providerId).toBe('kwikid');
  });
});
