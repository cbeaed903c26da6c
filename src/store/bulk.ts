/**
 * Bulk mode: the loaded ZIP, the run in flight and its outcome.
 *
 * Only the chosen File and the OpenedZip index are kept; images are read one pair at a time by
 * the runner. Records arrive one by one from `runBulk` and are published to subscribers in
 * batches (at most every PUBLISH_MS), so a fast run is not slowed down by React.
 */
import { create } from 'zustand';
import type { CredentialKey, ProviderContract } from '../core/contracts.ts';
import { endpointUrl, fetchToken } from '../core/request.ts';
import type { PairRecord } from '../core/records.ts';
import { openZip, ZipError, type OpenedZip } from '../core/zip.ts';
import { runBulk, type AuthDecision, type AuthFailureInfo } from '../core/runner.ts';
import { summarise, type RunStats } from '../core/stats.ts';
import { archiveFileName, buildArchiveInWorker } from '../core/archive-client.ts';
import { APP_VERSION } from '../core/version.ts';
import { selectContract, useSettingsStore } from './settings.ts';

export type BulkPhase = 'idle' | 'running' | 'building' | 'finished';

export type { RunStats };

/** A run paused on a 401 that cannot be fixed automatically. */
export interface AuthPause {
  /** 1-based position of the pair that was rejected. */
  pairNumber: number;
  total: number;
}

export interface BulkResult {
  blob: Blob;
  fileName: string;
  stats: RunStats;
  stopped: boolean;
  stopReason?: string;
}

interface BulkState {
  /** The chosen input archive (kept as a Blob; never read whole into memory here). */
  file: File | null;
  zip: OpenedZip | null;
  loading: boolean;
  /** A sentence naming the file and what to do, when it could not be used. */
  loadError: string | null;
  phase: BulkPhase;
  /** The contract the current or last run used (for the table's verdicts). */
  runContract: ProviderContract | null;
  /** Finished records, published in batches (at most every PUBLISH_MS). */
  records: readonly PairRecord[];
  total: number;
  /** Date.now() when the run started, and when it ended (null while running). */
  startedAt: number | null;
  endedAt: number | null;
  stopRequested: boolean;
  authPause: AuthPause | null;
  /** Why the run ended early, when it did (shown to the user). */
  stopReason: string | null;
  result: BulkResult | null;
  /** Set when the archive could not be built or saved. */
  runError: string | null;

  loadFile: (file: File) => Promise<void>;
  run: () => Promise<void>;
  stop: () => void;
  resume: () => void;
  downloadAgain: () => void;
}

/** True when pairs are loaded and nothing is in flight. */
export const selectBulkCanRun = (s: BulkState): boolean =>
  !s.loading && s.phase !== 'running' && s.phase !== 'building' && (s.zip?.pairs.length ?? 0) > 0;

/** True while a run (or its archive) is in flight: the mode toggle is locked. */
export const selectBulkBusy = (s: BulkState): boolean => s.phase === 'running' || s.phase === 'building';

/** Estimated remaining time in ms, or null before the first record. */
export function etaMs(done: number, total: number, elapsedMs: number): number | null {
  if (done <= 0 || total <= done) return done >= total && total > 0 ? 0 : null;
  return (elapsedMs / done) * (total - done);
}

/** Shortest interval between two publications of finished records to subscribers. */
export const PUBLISH_MS = 200;

/** Per-run plumbing that is not state: the abort controller, the pause resolver. */
let controller: AbortController | null = null;
let pauseResolver: ((answer: AuthDecision) => void) | null = null;
let loadSeq = 0;

function onBeforeUnload(e: BeforeUnloadEvent): void {
  e.preventDefault();
  e.returnValue = '';
}

function noPairMessage(name: string): string {
  return `No image pair was found in ${name}. Name each pair <stem>_image1.<ext> and <stem>_image2.<ext> with the same stem (for example customer01_image1.jpg and customer01_image2.png), then choose the ZIP again.`;
}

export const useBulkStore = create<BulkState>()((set, get) => ({
  file: null,
  zip: null,
  loading: false,
  loadError: null,
  phase: 'idle',
  runContract: null,
  records: [],
  total: 0,
  startedAt: null,
  endedAt: null,
  stopRequested: false,
  authPause: null,
  stopReason: null,
  result: null,
  runError: null,

  loadFile: async (file) => {
    if (selectBulkBusy(get())) return;
    const seq = ++loadSeq;
    set({
      file, zip: null, loading: true, loadError: null, phase: 'idle', runContract: null, records: [], total: 0,
      startedAt: null, endedAt: null, stopRequested: false, authPause: null, stopReason: null, result: null, runError: null,
    });
    try {
      const zip = await openZip(file, file.name);
      if (seq !== loadSeq) return;
      set({ zip, loading: false, loadError: zip.pairs.length === 0 ? noPairMessage(file.name) : null });
    } catch (err) {
      if (seq !== loadSeq) return;
      const message = err instanceof ZipError && err.message
        ? err.message
        : `${file.name} could not be read as a ZIP archive. Check that it is a .zip file that opens on your computer, then choose it again.`;
      set({ zip: null, loading: false, loadError: message });
    }
  },

  run: async () => {
    const state = get();
    if (!selectBulkCanRun(state) || !state.zip) return;
    const zip = state.zip;
    const contract = selectContract(useSettingsStore.getState());
    const total = zip.pairs.length;
    const startSecrets = secretValues(contract, useSettingsStore.getState().credentials);
    controller = new AbortController();
    const signal = controller.signal;
    set({
      phase: 'running', runContract: contract, records: [], total, startedAt: Date.now(), endedAt: null,
      stopRequested: false, authPause: null, stopReason: null, result: null, runError: null,
    });
    window.addEventListener('beforeunload', onBeforeUnload);

    // Batch publishing: records go into `pending` and reach the store at most every PUBLISH_MS
    // (so at most once per frame, and far less often on a fast server): React work stays a small
    // share of the main thread, which also has to handle the network responses.
    let published: PairRecord[] = [];
    let pending: PairRecord[] = [];
    let timer: ReturnType<typeof setTimeout> | null = null;
    let lastPublish = 0;
    const flush = () => {
      if (timer !== null) clearTimeout(timer);
      timer = null;
      if (pending.length === 0) return;
      published = published.concat(pending);
      pending = [];
      lastPublish = performance.now();
      set({ records: published });
    };
    const schedule = () => {
      if (timer !== null) return;
      timer = setTimeout(flush, Math.max(0, lastPublish + PUBLISH_MS - performance.now()));
    };

    let stopReason: string | undefined;
    const onAuthFailure = async (_record: PairRecord, info: AuthFailureInfo): Promise<AuthDecision> => {
      flush();
      const settings = useSettingsStore.getState();
      const current = selectContract(settings);
      const te = current.tokenEndpoint;
      const canRefresh = te !== undefined
        && Object.keys(te.fields).every((k) => Boolean(settings.credentials[k as keyof typeof settings.credentials]?.trim()));
      if (canRefresh) {
        if (info.refreshed) {
          stopReason = 'The API rejected the new token too (HTTP 401), so the run was stopped. Check the client ID and client secret in the settings; the archive holds what was done.';
          set({ stopReason });
          return 'stop';
        }
        const token = await fetchToken(current, settings.baseUrl, settings.credentials, signal, { pageOrigin: location.origin });
        if (signal.aborted) return 'stop';
        if (token.ok && token.token) {
          settings.setCredential('token', token.token);
          return 'retry';
        }
        stopReason = `The API rejected the token (HTTP 401) and getting a new one failed: ${token.message} The archive holds what was done.`;
        set({ stopReason });
        return 'stop';
      }
      // No way to refresh: pause until the user updates the token and resumes, or stops.
      const pairNumber = info.index + 1;
      set({ authPause: { pairNumber, total } });
      const answer = await new Promise<AuthDecision>((resolve) => { pauseResolver = resolve; });
      pauseResolver = null;
      set({ authPause: null });
      if (answer === 'stop') {
        stopReason = `The run was stopped after the API rejected the token (HTTP 401) at pair ${pairNumber} of ${total}.`;
        set({ stopReason });
      }
      return answer;
    };

    try {
      const summary = await runBulk({
        pairs: zip.pairs,
        readPair: (pair) => zip.readPair(pair),
        settings: () => useSettingsStore.getState().callSettings(),
        signal,
        deps: { pageOrigin: location.origin },
        onRecord: (record) => {
          pending.push(record);
          schedule();
        },
        onAuthFailure,
      });
      flush();
      const records = summary.records;
      const reason = stopReason ?? summary.stopReason ?? (summary.stopped ? 'The run was stopped; the pairs not sent are marked not_run.' : undefined);
      set({ records, phase: 'building', endedAt: Date.now(), stopReason: reason ?? null });

      const finalSettings = useSettingsStore.getState();
      const secrets = [...startSecrets, ...secretValues(contract, finalSettings.credentials)];
      const call = finalSettings.callSettings();
      const bytes = await buildArchiveInWorker({
        records,
        skipped: zip.skipped,
        notices: zip.notices,
        contract,
        endpoint: endpointUrl(contract, call.baseUrl),
        startedAt: summary.startedAt,
        finishedAt: summary.finishedAt,
        stopReason: reason,
        secrets,
        settings: { timeoutMs: call.timeoutMs, retries: call.retries, concurrency: 1, ratePerSecond: null },
        ...(state.file ? { inputZip: { name: state.file.name, size: state.file.size } } : {}),
        appVersion: APP_VERSION,
      });
      const blob = new Blob([bytes as Uint8Array<ArrayBuffer>], { type: 'application/zip' });
      const fileName = archiveFileName();
      set({
        phase: 'finished',
        result: { blob, fileName, stats: summarise(records, contract), stopped: summary.stopped, stopReason: reason },
      });
      saveBlob(blob, fileName);
    } catch {
      flush();
      const building = get().phase === 'building';
      set({
        phase: 'finished',
        endedAt: get().endedAt ?? Date.now(),
        runError: building
          ? `The results archive for ${state.file?.name ?? 'the ZIP'} could not be built. Run it again; if it keeps failing, try a smaller batch.`
          : `The run of ${state.file?.name ?? 'the ZIP'} failed unexpectedly. Choose the ZIP again and run it once more.`,
      });
    } finally {
      if (timer !== null) clearTimeout(timer);
      window.removeEventListener('beforeunload', onBeforeUnload);
      controller = null;
      pauseResolver = null;
      if (get().authPause) set({ authPause: null });
    }
  },

  stop: () => {
    if (get().phase !== 'running') return;
    set({ stopRequested: true });
    controller?.abort();
    pauseResolver?.('stop');
  },

  resume: () => {
    pauseResolver?.('retry');
  },

  downloadAgain: () => {
    const result = get().result;
    if (result) saveBlob(result.blob, result.fileName);
  },
}));

/** The current values of the contract's secret credentials, to be scrubbed from the archive. */
function secretValues(contract: ProviderContract, credentials: Partial<Record<CredentialKey, string>>): string[] {
  return contract.credentials.filter((c) => c.secret).map((c) => credentials[c.key] ?? '').filter(Boolean);
}

/** Saves a Blob through a temporary <a download>; the object URL is revoked once the download has started. */
function saveBlob(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  a.rel = 'noopener';
  a.style.display = 'none';
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
