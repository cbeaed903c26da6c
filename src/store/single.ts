/**
 * Single mode: two image slots, one call, one result.
 *
 * The slots hold the chosen File and its sniffed type; previews (object URLs) belong to the
 * component that shows them, so they are revoked when it unmounts. The call goes through
 * `callFacematch` with the settings read fresh at Run.
 */
import { create } from 'zustand';
import { endpointUrl, readVerdict, type ProviderContract, type Verdict } from '../core/contracts/contracts.ts';
import type { FacesReport } from '../core/faces/faces.ts';
import { formatBytes, isAcceptedImage, notAcceptedImage, sniffBlob, type SniffedType } from '../core/zip/filetype.ts';
import { canIssueToken, credentialProblem, needsTokenFirst } from '../core/contracts/readiness.ts';
import type { callFacematch, fetchToken, CallResult, CallSettings, TokenResult } from '../core/request/request.ts';
import { safeEndpoint } from '../core/secrets/safe-url.ts';
import { selectContract, useSettingsStore } from './settings.ts';

export type SlotIndex = 0 | 1;

export interface Slot {
  file: File;
  name: string;
  size: number;
  /** null while the first bytes are being read. */
  type: SniffedType | null;
}

/** What a finished call was made with, to describe its result. */
export interface SingleOutcome {
  result: CallResult;
  contract: ProviderContract;
  uniqueId?: string;
  verdict: Verdict | null;
  /** The files sent, in slot order: the result is stale once a slot holds another file. */
  files: readonly [File, File];
  /** The endpoint called, without userinfo, query or fragment. */
  endpoint: string;
  /** Set when a bearer token was fetched for this call (none was set, or a 401 renewed it). */
  tokenFetched?: boolean;
}

export type SingleStatus = 'idle' | 'running' | 'done';

export interface SingleState {
  slots: readonly [Slot | null, Slot | null];
  /**
   * What the reference server's detector found in each slot's image; null while unknown or when
   * the page is not served by the reference server (then nothing is shown).
   */
  faces: readonly [FacesReport | null, FacesReport | null];
  status: SingleStatus;
  /** performance.now() when the current call started. */
  startedAt: number | null;
  outcome: SingleOutcome | null;
  controller: AbortController | null;

  setFile: (index: SlotIndex, file: File) => Promise<void>;
  clearSlot: (index: SlotIndex) => void;
  run: () => Promise<void>;
  cancel: () => void;
  /** Drops the result (e.g. before a new run). */
  clearResult: () => void;
}

export interface SingleDeps {
  callSettings: () => CallSettings;
  call?: typeof callFacematch;
  pageOrigin?: () => string | undefined;
  /** Exchanges the client credentials for a token (fetchToken unless a test injects one). */
  fetchToken?: typeof fetchToken;
  /** Keeps a fetched token in the connection settings, so later calls (and Bulk) use it. */
  saveToken?: (token: string) => void;
  /** The faces of one image from the reference server; null when it cannot say. */
  detectFaces?: (file: File, signal: AbortSignal) => Promise<FacesReport | null>;
}

export const selectSingleCanRun = (s: SingleState): boolean => s.slots[0] !== null && s.slots[1] !== null;
export const selectSingleBusy = (s: SingleState): boolean => s.status === 'running';

/** True when the result on screen was made with other images than the slots now hold (or a slot was cleared). */
export const selectSingleStale = (s: SingleState): boolean =>
  s.outcome !== null && (s.slots[0]?.file !== s.outcome.files[0] || s.slots[1]?.file !== s.outcome.files[1]);

/**
 * Why Run is inactive in Single mode, as a sentence; null when it can run. Checked in order:
 * a call in flight, the images, the credentials the contract needs.
 */
export function singleRunBlocker(s: SingleState, settings: Pick<CallSettings, 'contract' | 'credentials'>): string | null {
  if (s.status === 'running') return 'A call is in flight: wait for its answer or cancel it.';
  const [f1, f2] = settings.contract.imageFields;
  const missing = [s.slots[0] ? null : f1, s.slots[1] ? null : f2].filter(Boolean);
  if (missing.length) return `Choose ${missing.join(' and ')} first.`;
  return credentialProblem(settings.contract, settings.credentials);
}

/**
 * A non-blocking warning for a slot: bytes that are not JPEG/PNG, or a file over the contract's limit.
 * Null when the file looks fine (or is still being read).
 */
export function slotWarning(contract: ProviderContract, index: SlotIndex, slot: Slot | null): string | null {
  if (!slot || slot.type === null) return null;
  const field = contract.imageFields[index];
  const problems: string[] = [];
  const notImage = notAcceptedImage(slot.type);
  if (notImage) problems.push(notImage);
  if (slot.size > contract.maxImageBytes) {
    problems.push(`is ${formatBytes(slot.size)}, over the ${formatBytes(contract.maxImageBytes)} ${contract.label} accepts`);
  }
  if (!problems.length) return null;
  return `${field}: ${slot.name} ${problems.join(' and ')}. The API will probably reject it; run anyway to see its answer.`;
}

/** "0.8731 (87.3 %)" for 0–1 contracts, "87.5 / 100 (87.5 %)" for 0–100 ones. */
export function formatConfidence(contract: ProviderContract, verdict: Verdict): string | null {
  if (verdict.rawConfidence === null || verdict.confidence === null) return null;
  const pct = `${(verdict.confidence * 100).toFixed(1)} %`;
  const scale = contract.confidence?.scale ?? 1;
  if (scale === 1) return `${verdict.rawConfidence.toFixed(4)} (${pct})`;
  const raw = Number.isInteger(verdict.rawConfidence) ? String(verdict.rawConfidence) : verdict.rawConfidence.toFixed(1);
  return `${raw} / ${scale} (${pct})`;
}

/** A failed token request as the result of a call that was not made (or not made again). */
function tokenFailure(token: TokenResult, rejected?: CallResult): CallResult {
  const aborted = token.message === 'Getting a token was cancelled.';
  return {
    ok: false,
    status: rejected?.status ?? null,
    timeMs: rejected?.timeMs ?? 0,
    attempts: rejected?.attempts ?? 0,
    error: aborted
      ? { type: 'aborted', message: 'The call was cancelled while a bearer token was being fetched.' }
      : {
        type: rejected ? 'http' : 'not_run',
        message: rejected
          ? `The API rejected the bearer token (HTTP 401) and getting a new one failed. ${token.message}`
          : `No call was made: a bearer token could not be fetched. ${token.message}`,
      },
    ...(rejected?.errorBody !== undefined ? { errorBody: rejected.errorBody } : {}),
  };
}

export function createSingleStore(deps: SingleDeps) {
  // The request path loads with the first call, not with the page (first-load budget).
  const call: typeof callFacematch = deps.call ?? (async (...args) => (await import('../core/request/request.ts')).callFacematch(...args));
  const getToken: typeof fetchToken = deps.fetchToken ?? (async (...args) => (await import('../core/request/request.ts')).fetchToken(...args));
  const detecting: [AbortController | null, AbortController | null] = [null, null];
  const stopDetecting = (index: SlotIndex) => {
    detecting[index]?.abort();
    detecting[index] = null;
  };
  return create<SingleState>()((set, get) => ({
    slots: [null, null],
    faces: [null, null],
    status: 'idle',
    startedAt: null,
    outcome: null,
    controller: null,

    setFile: async (index, file) => {
      const slot: Slot = { file, name: file.name, size: file.size, type: null };
      stopDetecting(index);
      set((s) => ({ slots: replaceSlot(s.slots, index, slot), faces: replaceSlot(s.faces, index, null) }));
      let type: SniffedType;
      try {
        type = await sniffBlob(file);
      } catch {
        type = 'unknown';
      }
      // Only update if the slot still holds this file (it may have been replaced or cleared meanwhile).
      if (get().slots[index]?.file !== file) return;
      set((s) => ({ slots: replaceSlot(s.slots, index, { ...slot, type }) }));
      if (!deps.detectFaces || !isAcceptedImage(type)) return;
      const controller = new AbortController();
      detecting[index] = controller;
      const report = await deps.detectFaces(file, controller.signal).catch(() => null);
      if (controller.signal.aborted || get().slots[index]?.file !== file) return;
      detecting[index] = null;
      set((s) => ({ faces: replaceSlot(s.faces, index, report) }));
    },

    clearSlot: (index) => {
      stopDetecting(index);
      set((s) => ({ slots: replaceSlot(s.slots, index, null), faces: replaceSlot(s.faces, index, null) }));
    },

    run: async () => {
      const s = get();
      const [a, b] = s.slots;
      if (!a || !b || s.status === 'running') return;
      let settings = deps.callSettings();
      if (credentialProblem(settings.contract, settings.credentials)) return;
      const controller = new AbortController();
      set({ status: 'running', startedAt: performance.now(), controller, outcome: null });
      const pageOrigin = deps.pageOrigin?.();
      const files = [a.file, b.file] as const;
      const finish = (result: CallResult, tokenFetched: boolean) => set({
        status: 'done',
        startedAt: null,
        controller: null,
        outcome: {
          result,
          contract: settings.contract,
          uniqueId: settings.uniqueId,
          verdict: result.ok ? readVerdict(settings.contract, result.body) : null,
          files,
          endpoint: safeEndpoint(endpointUrl(settings.contract, settings.baseUrl)),
          ...(tokenFetched ? { tokenFetched } : {}),
        },
      });
      // A token is fetched first when none is set but the contract can issue one (as Bulk does).
      const renew = async (): Promise<TokenResult> => {
        const token = await getToken(settings.contract, settings.baseUrl, settings.credentials, controller.signal, { pageOrigin });
        if (token.ok && token.token) {
          deps.saveToken?.(token.token);
          settings = { ...settings, credentials: { ...settings.credentials, token: token.token } };
        }
        return token;
      };
      let tokenFetched = false;
      if (needsTokenFirst(settings.contract, settings.credentials)) {
        const token = await renew();
        if (!token.ok) return finish(tokenFailure(token), false);
        tokenFetched = true;
      }
      const images = [{ name: a.name, data: a.file }, { name: b.name, data: b.file }] as const;
      let result = await call(settings, images, controller.signal, { pageOrigin });
      // A rejected token is renewed once when the client credentials can issue a new one.
      if (result.status === 401 && !tokenFetched && canIssueToken(settings.contract, settings.credentials) && !controller.signal.aborted) {
        const token = await renew();
        if (!token.ok) return finish(tokenFailure(token, result), false);
        tokenFetched = true;
        const again = await call(settings, images, controller.signal, { pageOrigin });
        result = { ...again, attempts: result.attempts + again.attempts };
      }
      finish(result, tokenFetched);
    },

    cancel: () => get().controller?.abort(),

    clearResult: () => {
      if (get().status !== 'running') set({ outcome: null, status: 'idle' });
    },
  }));
}

function replaceSlot<T>(slots: readonly [T, T], index: SlotIndex, value: T): readonly [T, T] {
  return index === 0 ? [value, slots[1]] : [slots[0], value];
}

/** The app's one Single-mode store. */
export const useSingleStore = createSingleStore({
  callSettings: () => useSettingsStore.getState().callSettings(),
  pageOrigin: () => (typeof location !== 'undefined' ? location.origin : undefined),
  saveToken: (token) => useSettingsStore.getState().setCredential('token', token),
  detectFaces: async (file, signal) => {
    if (typeof location === 'undefined') return null;
    const s = useSettingsStore.getState();
    // The face check loads with the first image chosen, not with the page.
    const { detectFaces, facesToken } = await import('../core/faces/faces.ts');
    const token = facesToken({ contract: selectContract(s), baseUrl: s.baseUrl, token: s.credentials.token ?? '' }, location.origin);
    return detectFaces(file, file.name, { pageOrigin: location.origin, token, signal });
  },
});
