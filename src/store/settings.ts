/**
 * Connection settings shared by Single and Bulk: provider, Base URL, credentials, unique_id,
 * timeout, retries, the bulk run's concurrency and rate limit, and "Remember on this device".
 *
 * While a bulk run is in flight the settings are locked (`lock`): every setter refuses changes, as
 * the run uses the snapshot taken when Run was pressed. During a pause on a rejected token
 * (`lock === 'auth-pause'`) the credentials alone can be edited, to be used on Resume.
 *
 * Secrets stay in memory unless the user turns "Remember" on; with it off nothing at all is
 * written to storage and turning it off removes what was stored. The reference server's demo
 * credentials are pre-filled only while the Base URL is the page's own origin.
 */
import { create, type StoreApi, type UseBoundStore } from 'zustand';
import { persist, type PersistStorage, type StorageValue } from 'zustand/middleware';
import {
  contractById, contracts, isContractLoaded, registerDefinition, unregisterDefinition, type CredentialKey, type ProviderContract,
} from '../core/contracts/contracts.ts';
import { loadContract, loadPresets } from '../core/providers/presets-loader.ts';
import { PRESET_IDS } from '../core/providers/emulation.ts';
import {
  DEFAULT_CONCURRENCY, DEFAULT_RETRIES, DEFAULT_TIMEOUT_MS, MAX_RETRIES, MAX_TIMEOUT_MS, MIN_TIMEOUT_MS,
} from '../core/contracts/defaults.ts';
import { demoCredentials } from '../core/providers/credentials.ts';
import type { JobSnapshot } from '../core/run/job.ts';
import type { CallSettings } from '../core/request/request.ts';
import { NUMERIC_SETTINGS, clampConcurrency, clampRate, readNumericSetting, type NumericSetting } from '../core/contracts/setting-rules.ts';

export type CredentialValues = Record<CredentialKey, string>;

export const STORAGE_KEY = 'facematch-playground:settings';
export { DEFAULT_RETRIES, DEFAULT_TIMEOUT_MS, MAX_RETRIES, MAX_TIMEOUT_MS, MIN_TIMEOUT_MS };
export const UPSTREAM_PATH = '/upstream';

/** Why the settings cannot be changed right now: a bulk run is in flight, or paused on a 401. */
export type SettingsLock = 'run' | 'auth-pause';

export type TokenStatus =
  | { state: 'idle' }
  | { state: 'busy' }
  | { state: 'done'; ok: boolean; message: string };

export interface SettingsState {
  providerId: string;
  baseUrl: string;
  /** The selected provider's credentials (every key it declares, '' when not set). */
  credentials: CredentialValues;
  /** The other providers' credentials, by provider id: switching back restores each one's own values. */
  otherCredentials: Readonly<Record<string, CredentialValues>>;
  uniqueId: string;
  timeoutMs: number;
  retries: number;
  /** Bulk: pairs in flight at once, 1–16 (1 = sequential). */
  concurrency: number;
  /** Bulk: most requests started in any second; null = no limit. */
  ratePerSecond: number | null;
  remember: boolean;
  /** Set while a bulk run is in flight; null when the settings can be changed. */
  lock: SettingsLock | null;
  /** Vendor origin the reference server proxies at /upstream, from GET /health; null when none. */
  upstream: string | null;
  /** Origin of the page (the reference server that served it). */
  pageOrigin: string;
  tokenStatus: TokenStatus;
  /**
   * The user's own provider definitions (Custom…), validated and selectable like the presets. They
   * hold no credential values; with Remember on they are kept with the other settings.
   */
  customDefinitions: readonly ProviderContract[];
  /** Numeric fields whose typed text is not accepted: the text and what to enter instead. Run stays blocked while any is here. */
  invalidSettings: Partial<Record<NumericSetting, { text: string; problem: string }>>;

  /**
   * What the user typed into a numeric field: an accepted value is stored (as its setter does), anything
   * else is kept as invalid, so Run names it instead of starting with the last accepted value.
   */
  enterNumber: (field: NumericSetting, text: string) => void;
  /** Switches provider (a vendor preset's definition is loaded first; at once for KwikID and Deepvue). */
  setProvider: (id: string) => Promise<void>;
  /**
   * Adds a validated definition (providers/schema.ts `checkDefinition`), replacing one with the same
   * id, and selects it. Refused while locked.
   */
  addDefinition: (definition: ProviderContract) => Promise<void>;
  /** Removes a custom definition (and its credentials); KwikID is selected when it was the selected one. */
  removeDefinition: (id: string) => Promise<void>;
  setBaseUrl: (url: string) => void;
  setCredential: (key: CredentialKey, value: string) => void;
  setUniqueId: (value: string) => void;
  /** Ignores values that are not a finite number; clamps to 1–600 s. */
  setTimeoutMs: (ms: number) => void;
  /** Ignores values that are not a finite number; clamps to 0–10. */
  setRetries: (n: number) => void;
  /** Ignores values that are not a finite number; clamps to 1–16. */
  setConcurrency: (n: number) => void;
  /** A whole number 1–1000; null (or anything below 1) removes the limit. */
  setRatePerSecond: (n: number | null) => void;
  /** A token the run renewed (refreshed or entered on a pause): the one change allowed while locked. */
  renewToken: (token: string) => void;
  /** Locks or unlocks the settings (the Bulk store, around a run). */
  setLock: (lock: SettingsLock | null) => void;
  setRemember: (on: boolean) => void;
  /** Reads `upstream` from GET /health; a failure leaves it null. */
  loadHealth: (doFetch?: typeof fetch) => Promise<void>;
  /** Exchanges the client credentials for a token and fills the token field. */
  getToken: (doFetch?: typeof fetch) => Promise<void>;
  /** The settings for one call, read fresh each time. */
  callSettings: () => CallSettings;
  /** The snapshot a bulk run uses: the call settings plus concurrency and rate. */
  jobSnapshot: () => JobSnapshot;
}

type Persisted = Pick<SettingsState, 'providerId' | 'baseUrl' | 'credentials' | 'otherCredentials' | 'uniqueId' | 'timeoutMs' | 'retries' | 'concurrency' | 'ratePerSecond' | 'remember' | 'customDefinitions'>;

/**
 * Remembered custom definitions, validated again (storage may hold anything) and registered; the
 * schema loads on demand. Ones that no longer pass are left out.
 */
async function restoreDefinitions(stored: readonly unknown[]): Promise<ProviderContract[]> {
  const { checkDefinition } = await import('../core/providers/schema.ts');
  const out: ProviderContract[] = [];
  for (const item of stored) {
    const checked = checkDefinition(item);
    if (!checked.ok) continue;
    registerDefinition(checked.definition);
    out.push(checked.definition);
  }
  return out;
}

/** The ids of the custom definitions in a stored item. */
function storedDefinitionIds(list: unknown): string[] {
  if (!Array.isArray(list)) return [];
  return list.flatMap((d: unknown) => (d && typeof d === 'object' && typeof (d as { id?: unknown }).id === 'string' ? [(d as { id: string }).id] : []));
}

/** Every credential a contract declares, from `values` ('' for the rest). */
function credentialsOf(contract: ProviderContract, values: Readonly<Record<string, unknown>> = {}): CredentialValues {
  const out: CredentialValues = {};
  for (const c of contract.credentials) {
    const v = Object.hasOwn(values, c.key) ? values[c.key] : undefined;
    out[c.key] = typeof v === 'string' ? v : '';
  }
  return out;
}

export function selectContract(s: Pick<SettingsState, 'providerId'>): ProviderContract {
  return contractById(s.providerId);
}

/** Base URL of the reference server's upstream proxy. */
export function upstreamBaseUrl(pageOrigin: string): string {
  return `${pageOrigin}${UPSTREAM_PATH}`;
}

/** The reference server's Base URL for a contract: the page's origin plus the contract's emulator path. */
export function ownBaseUrl(pageOrigin: string, contract?: Pick<ProviderContract, 'demoBasePath'>): string {
  return `${pageOrigin.replace(/\/+$/, '')}${contract?.demoBasePath ?? ''}`;
}

/** True when the Base URL is this server (for a contract: its emulator on this server). */
export function isOwnOrigin(baseUrl: string, pageOrigin: string, contract?: Pick<ProviderContract, 'demoBasePath'>): boolean {
  return baseUrl.trim().replace(/\/+$/, '') === ownBaseUrl(pageOrigin, contract).replace(/\/+$/, '');
}

/**
 * The demo credentials a contract gets against the reference server. The token is left out when
 * the contract issues tokens from its own endpoint (the user presses Get token instead).
 */
export function demoCredentialsFor(contract: ProviderContract): Partial<CredentialValues> {
  return demoCredentials(contract);
}

/**
 * Applies the pre-fill rule: on the page's own origin, empty (or other-contract demo) fields get the
 * contract's demo values; anywhere else, demo values are removed. Values the user typed stay.
 */
export function withDemoRule(
  credentials: CredentialValues, contract: ProviderContract, baseUrl: string, pageOrigin: string,
): CredentialValues {
  const own = isOwnOrigin(baseUrl, pageOrigin, contract);
  const all = demoCredentialsFor(contract);
  const demo = own ? all : {};
  const next = credentialsOf(contract, credentials);
  for (const key of Object.keys(next)) {
    const isDemoValue = all[key] !== undefined && next[key] === all[key];
    const wanted = demo[key];
    if (wanted !== undefined) {
      if (next[key] === '' || isDemoValue) next[key] = wanted;
    } else if (isDemoValue) {
      next[key] = '';
    }
  }
  return next;
}

function defaultPageOrigin(): string {
  return typeof location !== 'undefined' && location.origin && location.origin !== 'null' ? location.origin : 'http://localhost';
}

function defaultStorage(): Storage | undefined {
  try {
    return typeof localStorage !== 'undefined' ? localStorage : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A JSON storage that writes only while `remember` is on and removes the item otherwise,
 * so nothing reaches storage until the user asks for it.
 */
export function rememberOnlyStorage(getStorage: () => Storage | undefined): PersistStorage<Persisted> {
  return {
    getItem: (name) => {
      const raw = getStorage()?.getItem(name);
      if (!raw) return null;
      try {
        return JSON.parse(raw) as StorageValue<Persisted>;
      } catch {
        return null;
      }
    },
    setItem: (name, value) => {
      const storage = getStorage();
      if (!storage) return;
      if (value.state.remember) storage.setItem(name, JSON.stringify(value));
      else storage.removeItem(name);
    },
    removeItem: (name) => getStorage()?.removeItem(name),
  };
}

export interface SettingsStoreOptions {
  pageOrigin?: string;
  storage?: () => Storage | undefined;
}

export type SettingsStore = UseBoundStore<StoreApi<SettingsState>>;

export function createSettingsStore(options: SettingsStoreOptions = {}): SettingsStore {
  const pageOrigin = options.pageOrigin ?? defaultPageOrigin();
  const first = contracts[0]!;
  let healthLoaded = false;
  let store: SettingsStore | undefined = undefined;
  store = create<SettingsState>()(
    persist(
      (set, get) => ({
        providerId: first.id,
        baseUrl: pageOrigin,
        credentials: withDemoRule({}, first, pageOrigin, pageOrigin),
        otherCredentials: {},
        uniqueId: '',
        timeoutMs: DEFAULT_TIMEOUT_MS,
        retries: DEFAULT_RETRIES,
        concurrency: DEFAULT_CONCURRENCY,
        ratePerSecond: null,
        remember: false,
        lock: null,
        upstream: null,
        pageOrigin,
        tokenStatus: { state: 'idle' },
        customDefinitions: [],
        invalidSettings: {},

        enterNumber: (field, text) => {
          if (get().lock) return;
          const got = readNumericSetting(field, text);
          if (!got.ok) {
            set((s) => ({ invalidSettings: { ...s.invalidSettings, [field]: { text, problem: got.problem } } }));
            return;
          }
          const { [field]: _fixed, ...rest } = get().invalidSettings;
          set({ invalidSettings: rest });
          const s = get();
          if (field === 'timeout') s.setTimeoutMs(got.value! * 1000);
          else if (field === 'retries') s.setRetries(got.value!);
          else if (field === 'concurrency') s.setConcurrency(got.value!);
          else s.setRatePerSecond(got.value);
        },

        setProvider: async (id) => {
          if (get().lock) return;
          const contract = isContractLoaded(id) ? contractById(id) : await loadContract(id);
          if (get().lock) return;
          set((s) => {
            if (contract.id === s.providerId) return {};
            // On this server, follow the provider to its emulator; a URL the user chose stays.
            const baseUrl = isOwnOrigin(s.baseUrl, s.pageOrigin, contractById(s.providerId)) ? ownBaseUrl(s.pageOrigin, contract) : s.baseUrl;
            const { [contract.id]: saved, ...rest } = s.otherCredentials;
            return {
              providerId: contract.id,
              baseUrl,
              credentials: withDemoRule(saved ?? {}, contract, baseUrl, s.pageOrigin),
              otherCredentials: { ...rest, [s.providerId]: s.credentials },
              tokenStatus: { state: 'idle' },
            };
          });
        },
        addDefinition: async (definition) => {
          if (get().lock) return;
          registerDefinition(definition);
          set((s) => {
            const customDefinitions = [...s.customDefinitions.filter((d) => d.id !== definition.id), definition];
            // Re-adding the selected definition: its credentials follow its (possibly new) declaration.
            return s.providerId === definition.id
              ? { customDefinitions, credentials: withDemoRule(s.credentials, definition, s.baseUrl, s.pageOrigin) }
              : { customDefinitions };
          });
          await get().setProvider(definition.id);
        },
        removeDefinition: async (id) => {
          if (get().lock || !get().customDefinitions.some((d) => d.id === id)) return;
          if (get().providerId === id) await get().setProvider(first.id);
          if (get().providerId === id) return;
          unregisterDefinition(id);
          set((s) => {
            const { [id]: _dropped, ...otherCredentials } = s.otherCredentials;
            return { customDefinitions: s.customDefinitions.filter((d) => d.id !== id), otherCredentials };
          });
        },
        setBaseUrl: (url) => {
          if (get().lock) return;
          set((s) => ({
            baseUrl: url,
            credentials: withDemoRule(s.credentials, contractById(s.providerId), url, s.pageOrigin),
          }));
        },
        setCredential: (key, value) => {
          // During a pause on a rejected token the credentials are the one thing the user may fix.
          if (get().lock === 'run') return;
          set((s) => ({ credentials: { ...s.credentials, [key]: value } }));
        },
        setUniqueId: (value) => {
          if (get().lock) return;
          set({ uniqueId: value });
        },
        setTimeoutMs: (ms) => {
          if (get().lock || !Number.isFinite(ms)) return;
          set({ timeoutMs: Math.round(Math.min(MAX_TIMEOUT_MS, Math.max(MIN_TIMEOUT_MS, ms))) });
        },
        setRetries: (n) => {
          if (get().lock || !Number.isFinite(n)) return;
          set({ retries: Math.min(MAX_RETRIES, Math.max(0, Math.floor(n))) });
        },
        setConcurrency: (n) => {
          if (get().lock || !Number.isFinite(n)) return;
          set({ concurrency: clampConcurrency(n) });
        },
        setRatePerSecond: (n) => {
          if (get().lock) return;
          set({ ratePerSecond: clampRate(n) });
        },
        renewToken: (token) => set((s) => ({ credentials: { ...s.credentials, token } })),
        setLock: (lock) => set({ lock }),
        setRemember: (on) => {
          if (get().lock) return;
          set({ remember: on });
        },

        loadHealth: async (doFetch) => {
          if (healthLoaded) return;
          healthLoaded = true;
          try {
            const f = doFetch ?? globalThis.fetch.bind(globalThis);
            const res = await f(`${get().pageOrigin}/health`, { headers: { accept: 'application/json' } });
            if (!res.ok) return;
            const body: unknown = await res.json();
            const upstream = body && typeof body === 'object' ? (body as { upstream?: unknown }).upstream : undefined;
            set({ upstream: typeof upstream === 'string' && upstream.trim() ? upstream.trim() : null });
          } catch {
            // No /health (e.g. a static host): the upstream choice is simply not offered.
          }
        },

        getToken: async (doFetch) => {
          const s = get();
          if (s.lock === 'run') return;
          const contract = selectContract(s);
          set({ tokenStatus: { state: 'busy' } });
          // The request path loads on demand (first-load budget).
          const { fetchToken } = await import('../core/request/request.ts');
          const r = await fetchToken(contract, s.baseUrl.trim(), s.credentials, undefined, { fetch: doFetch, pageOrigin: s.pageOrigin });
          if (r.ok && r.token) {
            const expiry = r.expiry ? ` It expires ${formatExpiry(r.expiry)}.` : '';
            set((cur) => ({
              credentials: { ...cur.credentials, token: r.token! },
              tokenStatus: { state: 'done', ok: true, message: `Token received and filled in.${expiry}` },
            }));
          } else {
            set({ tokenStatus: { state: 'done', ok: false, message: r.message } });
          }
        },

        callSettings: () => callSettingsOf(get()),
        jobSnapshot: () => {
          const s = get();
          return { ...callSettingsOf(s), concurrency: clampConcurrency(s.concurrency), ratePerSecond: clampRate(s.ratePerSecond) };
        },
      }),
      {
        name: STORAGE_KEY,
        version: 1,
        storage: rememberOnlyStorage(options.storage ?? defaultStorage),
        partialize: (s): Persisted => (s.remember
          ? {
            providerId: s.providerId, baseUrl: s.baseUrl, credentials: s.credentials, otherCredentials: s.otherCredentials, uniqueId: s.uniqueId,
            timeoutMs: s.timeoutMs, retries: s.retries, concurrency: s.concurrency, ratePerSecond: s.ratePerSecond, remember: true,
            customDefinitions: s.customDefinitions,
          }
          : { remember: false } as Persisted),
        merge: (persisted, current) => {
          const p = (persisted ?? {}) as Partial<Persisted>;
          if (!p.remember) return current;
          // A remembered vendor preset or custom definition is selected once its definition has
          // loaded (KwikID until then); custom definitions are validated again first.
          const customIds = storedDefinitionIds(p.customDefinitions);
          const pending = (id: string) => !isContractLoaded(id) && ((PRESET_IDS as readonly string[]).includes(id) || customIds.includes(id));
          const later = typeof p.providerId === 'string' && pending(p.providerId) ? p.providerId : undefined;
          const restored = customIds.length
            ? restoreDefinitions(p.customDefinitions as unknown[]).then((list) => store?.setState({ customDefinitions: list }))
            : Promise.resolve();
          if (later) {
            void Promise.all([restored, (PRESET_IDS as readonly string[]).includes(later) ? loadPresets() : undefined])
              .then(() => (isContractLoaded(later) ? store?.getState().setProvider(later) : undefined));
          }
          const providerId = !later && typeof p.providerId === 'string' && isContractLoaded(p.providerId) ? p.providerId : current.providerId;
          const baseUrl = typeof p.baseUrl === 'string' && p.baseUrl.trim() ? p.baseUrl : current.baseUrl;
          const contract = contractById(providerId);
          const credentials = credentialsOf(contract, { ...current.credentials, ...(later ? {} : p.credentials ?? {}) });
          const otherCredentials: Record<string, CredentialValues> = {};
          const remembered = { ...(p.otherCredentials ?? {}), ...(later && p.credentials ? { [later]: p.credentials } : {}) };
          for (const [id, values] of Object.entries(remembered)) {
            if (id === providerId || !values || typeof values !== 'object') continue;
            // A preset not loaded yet keeps its string values; setProvider keeps those its definition declares.
            if (isContractLoaded(id)) otherCredentials[id] = credentialsOf(contractById(id), values);
            else if (pending(id)) otherCredentials[id] = Object.fromEntries(Object.entries(values).filter(([, v]) => typeof v === 'string'));
          }
          return {
            ...current,
            providerId,
            baseUrl,
            credentials: withDemoRule(credentials, contract, baseUrl, current.pageOrigin),
            otherCredentials,
            uniqueId: typeof p.uniqueId === 'string' ? p.uniqueId : current.uniqueId,
            timeoutMs: typeof p.timeoutMs === 'number' && Number.isFinite(p.timeoutMs) ? p.timeoutMs : current.timeoutMs,
            retries: typeof p.retries === 'number' && Number.isFinite(p.retries) ? p.retries : current.retries,
            concurrency: clampConcurrency(p.concurrency ?? current.concurrency),
            ratePerSecond: clampRate(p.ratePerSecond),
            remember: true,
          };
        },
      },
    ),
  );
  return store;
}

export type CallSettingsSource = Pick<SettingsState, 'providerId' | 'baseUrl' | 'credentials' | 'uniqueId' | 'timeoutMs' | 'retries'>;

/** The CallSettings for a settings snapshot: only the contract's credentials, unique_id only when the contract has one. */
export function callSettingsOf(s: CallSettingsSource): CallSettings {
  const contract = selectContract(s);
  const credentials: Partial<CredentialValues> = {};
  for (const c of contract.credentials) credentials[c.key] = s.credentials[c.key];
  return {
    contract,
    baseUrl: s.baseUrl.trim(),
    credentials,
    uniqueId: contract.uniqueIdField && s.uniqueId.trim() ? s.uniqueId.trim() : undefined,
    timeoutMs: s.timeoutMs,
    retries: s.retries,
  };
}

/** Why the settings cannot be used for a run ("Fix Timeout (s): enter …"); null when every field is accepted. */
export function settingsBlocker(s: Pick<SettingsState, 'invalidSettings'>): string | null {
  for (const field of Object.keys(NUMERIC_SETTINGS) as NumericSetting[]) {
    const bad = s.invalidSettings[field];
    if (bad) return `Fix ${NUMERIC_SETTINGS[field].label}: ${bad.problem}.`;
  }
  return null;
}

function formatExpiry(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? `at ${iso}` : `at ${d.toLocaleString()}`;
}

/** The app's one settings store. */
export const useSettingsStore = createSettingsStore();
