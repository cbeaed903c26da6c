/**
 * Bulk mode: the loaded ZIP, the run in flight and its outcome — screen state only.
 *
 * The run itself is core's job (runJob): this store takes the settings snapshot when Run is
 * pressed, locks the settings for the run, picks the auth policy (refresh the token once for all
 * workers when the contract can, else pause for the user), publishes finished records to
 * subscribers in batches (at most every PUBLISH_MS, so a fast run is not slowed down by React),
 * arms the leave-page guard and saves the archive. Everything platform-bound comes in through
 * BulkDeps, so the store is unit-tested without a browser.
 */
import { create, type StoreApi, type UseBoundStore } from 'zustand';
import type { ProviderContract } from '../core/contracts.ts';
import type { Credentials } from '../core/request.ts';
import type { PairRecord } from '../core/records.ts';
import { openZip as coreOpenZip, ZipError, type OpenedZip } from '../core/zip.ts';
import {
  canRefreshToken, pauseOnUnauthorized, refreshTokenPolicy, runJob,
  type AuthPolicy, type CallFn, type JobSnapshot, type RecordSink,
} from '../core/job.ts';
import { createArchiveBuilder } from '../core/archive.ts';
import { loadZipLabels, type LabelSet } from '../core/labels.ts';
import type { ReportInput } from '../core/report.ts';
import { zipFingerprint } from '../core/fingerprint.ts';
import { summarise, type RunStats } from '../core/stats.ts';
import { archiveFileName, buildArchiveInWorker } from '../core/archive-client.ts';
import { useSettingsStore, type SettingsLock } from './settings.ts';

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

/** Which pairs a run sends (all by default): resume, re-run failed, run remaining, exclusions. */
export interface RunRequest {
  /** Records already done (index → record), kept as they are. */
  existing?: ReadonlyMap<number, PairRecord>;
  /** Send exactly these indices (their existing records are replaced). */
  only?: readonly number[];
  /** Pairs not to send (index → reason): not_run records with that reason. */
  excluded?: ReadonlyMap<number, string>;
}

export interface BulkState {
  /** The chosen input archive (kept as a Blob; never read whole into memory here). */
  file: File | null;
  zip: OpenedZip | null;
  /** The ZIP's labels.csv (shallowest), when it has one: expected outcomes for the evaluation. */
  labels: LabelSet | null;
  loading: boolean;
  /** A sentence naming the file and what to do, when it could not be used. */
  loadError: string | null;
  phase: BulkPhase;
  /** The settings the current or last run uses (taken at Run; a refreshed token updates it). */
  snapshot: JobSnapshot | null;
  /** The contract the current or last run used (for the table's verdicts). */
  runContract: ProviderContract | null;
  /** Finished records in input order, published in batches (at most every PUBLISH_MS). */
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
  run: (request?: RunRequest) => Promise<void>;
  stop: () => void;
  resume: () => void;
  downloadAgain: () => void;
}

export interface BulkDeps {
  /** The settings snapshot for a run, read once when Run is pressed. */
  snapshot: () => JobSnapshot;
  /** Locks the settings panel for the run (null unlocks it). */
  lockSettings?: (lock: SettingsLock | null) => void;
  /** Writes credentials renewed during the run back to the settings (a refreshed token). */
  saveCredentials?: (credentials: Credentials) => void;
  /** The credentials as the user left them during a pause (read on Resume). */
  readCredentials?: () => Credentials;
  /** Origin of the page, to word network failures (CORS vs unreachable). */
  pageOrigin?: () => string | undefined;
  openZip?: (file: File) => Promise<OpenedZip>;
  /** The call (callFacematch unless a test injects a fake). */
  call?: CallFn;
  fetch?: typeof fetch;
  /** Builds the archive bytes (the archive worker in the browser). */
  buildArchive?: (input: ReportInput) => Promise<Uint8Array>;
  /** Saves the finished archive (a download in the browser). */
  save?: (blob: Blob, fileName: string) => void;
  /** The leave-page guard, armed for the run. */
  guard?: { arm(): void; disarm(): void };
  /** Also receives each final record with its index, in order (e.g. the run journal). */
  onRecord?: RecordSink;
  now?: () => number;
  publishMs?: number;
}

/** True when pairs are loaded and nothing is in flight. */
export const selectBulkCanRun = (s: BulkState): boolean =>
  !s.loading && s.phase !== 'running' && s.phase !== 'building' && (s.zip?.pairs.length ?? 0) > 0;

/** True while a run (or its archive) is in flight: the mode toggle and the settings are locked. */
export const selectBulkBusy = (s: BulkState): boolean => s.phase === 'running' || s.phase === 'building';

/** Estimated remaining time in ms, or null before the first record. */
export function etaMs(done: number, total: number, elapsedMs: number): number | null {
  if (done <= 0 || total <= done) return done >= total && total > 0 ? 0 : null;
  return (elapsedMs / done) * (total - done);
}

/** Shortest interval between two publications of finished records to subscribers. */
export const PUBLISH_MS = 200;

function noPairMessage(name: string): string {
  return `No image pair was found in ${name}. Name each pair <stem>_image1.<ext> and <stem>_image2.<ext> with the same stem (for example customer01_image1.jpg and customer01_image2.png), then choose the ZIP again.`;
}

export type BulkStore = UseBoundStore<StoreApi<BulkState>>;

export function createBulkStore(deps: BulkDeps): BulkStore {
  const openZip = deps.openZip ?? ((file: File) => coreOpenZip(file, file.name));
  const now = deps.now ?? (() => Date.now());
  const publishMs = deps.publishMs ?? PUBLISH_MS;
  /** Per-run plumbing that is not state: the abort controller, the pause resolver. */
  let controller: AbortController | null = null;
  let pauseResolver: ((answer: 'retry' | 'stop') => void) | null = null;
  let loadSeq = 0;

  return create<BulkState>()((set, get) => ({
    file: null,
    zip: null,
    labels: null,
    loading: false,
    loadError: null,
    phase: 'idle',
    snapshot: null,
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
        file, zip: null, labels: null, loading: true, loadError: null, phase: 'idle', snapshot: null, runContract: null, records: [], total: 0,
        startedAt: null, endedAt: null, stopRequested: false, authPause: null, stopReason: null, result: null, runError: null,
      });
      try {
        const opened = await openZip(file);
        const { labels, skipped } = await loadZipLabels(opened, file.name);
        if (seq !== loadSeq) return;
        const zip: OpenedZip = { ...opened, skipped };
        set({ zip, labels, loading: false, loadError: zip.pairs.length === 0 ? noPairMessage(file.name) : null });
      } catch (err) {
        if (seq !== loadSeq) return;
        const message = err instanceof ZipError && err.message
          ? err.message
          : `${file.name} could not be read as a ZIP archive. Check that it is a .zip file that opens on your computer, then choose it again.`;
        set({ zip: null, loading: false, loadError: message });
      }
    },

    run: async (request = {}) => {
      const state = get();
      if (!selectBulkCanRun(state) || !state.zip) return;
      const zip = state.zip;
      const file = state.file;
      const snapshot = deps.snapshot();
      const contract = snapshot.contract;
      const total = zip.pairs.length;
      controller = new AbortController();
      const signal = controller.signal;
      set({
        phase: 'running', snapshot, runContract: contract, records: [], total, startedAt: now(), endedAt: null,
        stopRequested: false, authPause: null, stopReason: null, result: null, runError: null,
      });
      deps.lockSettings?.('run');
      deps.guard?.arm();

      // Batch publishing: records go into `pending` and reach the store at most every publishMs
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
        timer = setTimeout(flush, Math.max(0, lastPublish + publishMs - performance.now()));
      };
      // Kept records are shown from the start, in input order with the new ones.
      const kept = request.existing;
      let nextShown = 0;
      const showKeptUpTo = (index: number) => {
        while (kept && nextShown < index) {
          const old = kept.get(nextShown);
          if (old && !(request.only?.includes(nextShown))) pending.push(old);
          nextShown++;
        }
        nextShown = Math.max(nextShown, index + 1);
      };

      const pageOrigin = deps.pageOrigin?.();
      const callDeps = { ...(pageOrigin ? { pageOrigin } : {}), ...(deps.fetch ? { fetch: deps.fetch } : {}) };
      const pause = pauseOnUnauthorized(async (info) => {
        flush();
        set({ authPause: { pairNumber: info.index + 1, total: info.total } });
        deps.lockSettings?.('auth-pause');
        const answer = await new Promise<'retry' | 'stop'>((resolve) => { pauseResolver = resolve; });
        pauseResolver = null;
        deps.lockSettings?.('run');
        set({ authPause: null });
        return answer;
      }, deps.readCredentials);
      const refresh = refreshTokenPolicy(callDeps);
      // Refresh when the snapshot can get its own token; else pause for the user.
      const authPolicy: AuthPolicy = {
        onUnauthorized: (info, s) => {
          flush();
          return (canRefreshToken(info.snapshot) ? refresh : pause).onUnauthorized(info, s);
        },
      };

      let building = false;
      try {
        const result = await runJob({
          pairs: zip.pairs,
          readPair: (pair) => zip.readPair(pair),
          snapshot,
          authPolicy,
          signal,
          deps: callDeps,
          ...(deps.call ? { call: deps.call } : {}),
          ...(request.existing ? { existing: request.existing } : {}),
          ...(request.only ? { only: request.only } : {}),
          ...(request.excluded ? { excluded: request.excluded } : {}),
          onRecord: (record, index) => {
            showKeptUpTo(index);
            pending.push(record);
            schedule();
            deps.onRecord?.(record, index);
          },
          onSnapshot: (renewed) => {
            set({ snapshot: renewed });
            deps.saveCredentials?.(renewed.credentials);
          },
          archive: createArchiveBuilder({
            skipped: zip.skipped,
            notices: zip.notices,
            input: file ? { name: file.name, size: file.size, fingerprint: fingerprintOf(zip) } : null,
            build: async (input) => {
              building = true;
              set({ phase: 'building', endedAt: now(), records: input.records, stopReason: input.stopReason ?? null });
              const labels = get().labels;
              const evaluation = labels && labels.labels.size
                ? { labels: [...labels.labels], labelsSource: labels.source, threshold: null }
                : undefined;
              return (deps.buildArchive ?? buildArchiveInWorker)(evaluation ? { ...input, evaluation } : input);
            },
          }),
        });
        flush();
        const reason = result.stopReason ?? (result.stopped ? 'The run was stopped; the pairs not sent are marked not_run.' : undefined);
        const bytes = result.archive!;
        const blob = new Blob([bytes as Uint8Array<ArrayBuffer>], { type: 'application/zip' });
        const fileName = archiveFileName(now());
        set({
          phase: 'finished',
          records: result.records,
          snapshot: result.snapshot,
          stopReason: reason ?? null,
          result: { blob, fileName, stats: summarise(result.records, contract), stopped: result.stopped, ...(reason ? { stopReason: reason } : {}) },
        });
        deps.save?.(blob, fileName);
      } catch {
        flush();
        set({
          phase: 'finished',
          endedAt: get().endedAt ?? now(),
          runError: building
            ? `The results archive for ${file?.name ?? 'the ZIP'} could not be built. Run it again; if it keeps failing, try a smaller batch.`
            : `The run of ${file?.name ?? 'the ZIP'} failed unexpectedly. Choose the ZIP again and run it once more.`,
        });
      } finally {
        if (timer !== null) clearTimeout(timer);
        deps.guard?.disarm();
        deps.lockSettings?.(null);
        controller = null;
        pauseResolver = null;
        if (get().authPause) set({ authPause: null });
      }
    },

    stop: () => {
      if (get().phase !== 'running') return;
      set({ stopRequested: true });
      const paused = pauseResolver;
      if (paused) {
        // Stop on the pause banner is the pause's answer (its reason names the rejected pair);
        // the calls still in flight are then cancelled too.
        paused('stop');
        const current = controller;
        setTimeout(() => current?.abort(), 0);
        return;
      }
      controller?.abort();
    },

    resume: () => {
      pauseResolver?.('retry');
    },

    downloadAgain: () => {
      const result = get().result;
      if (result) deps.save?.(result.blob, result.fileName);
    },
  }));
}

/** The input ZIP's central-directory fingerprint, or null when it cannot be taken. */
function fingerprintOf(zip: OpenedZip): string | null {
  try {
    return zipFingerprint(zip.entries);
  } catch {
    return null;
  }
}

function onBeforeUnload(e: BeforeUnloadEvent): void {
  e.preventDefault();
  e.returnValue = '';
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

/** The app's one Bulk store: the settings store's snapshot and lock, a download, the leave-page guard. */
export const useBulkStore = createBulkStore({
  snapshot: () => useSettingsStore.getState().jobSnapshot(),
  lockSettings: (lock) => useSettingsStore.getState().setLock(lock),
  saveCredentials: (credentials) => {
    const settings = useSettingsStore.getState();
    if (credentials.token !== undefined && credentials.token !== settings.credentials.token) settings.renewToken(credentials.token);
  },
  readCredentials: () => useSettingsStore.getState().callSettings().credentials,
  pageOrigin: () => (typeof location !== 'undefined' ? location.origin : undefined),
  save: saveBlob,
  guard: {
    arm: () => window.addEventListener('beforeunload', onBeforeUnload),
    disarm: () => window.removeEventListener('beforeunload', onBeforeUnload),
  },
});
