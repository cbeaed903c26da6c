/**
 * Bulk mode: the loaded ZIP, the run in flight and its outcome — screen state only.
 *
 * The run itself is core's run session (core/run/session.ts): this store takes the settings
 * snapshot when Run is pressed, hands the session a RunPlan, and reduces the session's events to
 * screen state (reduceRunEvent); Stop and the pause's answer go back to the session. Around it the
 * store locks the settings for the run, arms the leave-page guard and saves the archive.
 * Everything platform-bound comes in through BulkDeps, so the store is unit-tested without a browser.
 */
import { create, type StoreApi, type UseBoundStore } from 'zustand';
import type { ProviderContract } from '../core/contracts/contracts.ts';
import type { Credentials } from '../core/request/request.ts';
import type { PairRecord } from '../core/run/records.ts';
import { openZip as coreOpenZip, ZipError, type OpenedZip } from '../core/zip/zip.ts';
import type { JobSnapshot } from '../core/run/job.ts';
import type { LabelSet } from '../core/pairing/labels.ts';
import { openRunInput } from '../core/run/input.ts';
import { runLabels } from '../core/run/report-input.ts';
import { journalSnapshot } from '../core/run/so-far.ts';
import { inThreadHost, type HostedSession, type SessionHost } from '../core/run/host.ts';
import type { AuthPause, InFlight, RunEvent, RunKind } from '../core/run/session.ts';
import type { ReportInput } from '../core/archive/report.ts';
import { summarise, type RunStats } from '../core/run/stats.ts';
import { ArchiveReadError, isResultsArchiveName, readResultsArchive, type ArchiveRunInfo } from '../core/archive/archive-read.ts';
import { type Journal, type JournalEntry, type JournalRun } from '../core/run/journal.ts';
import { rerunSelection, resumePlan } from '../core/run/journal-run.ts';
import type { SweepSettings } from '../core/sweep/spec.ts';
import { inThreadMaker, sweepSource, type VariantMaker } from '../core/sweep/variants.ts';
import { saveBlob } from '../lib/download.ts';
import { workerMaker } from '../lib/variant-worker.ts';
import { workerSessionHost } from '../lib/session-worker-host.ts';
import { useSettingsStore, type SettingsLock } from './settings.ts';
import { useJournalStore } from './journal.ts';
import { usePreflightStore } from './preflight.ts';
import { sweepForRun } from './sweep.ts';

export type BulkPhase = 'idle' | 'running' | 'building' | 'finished';
export type { AuthPause, InFlight, RunKind };

/** What Resume hands over from the journal store. */
export interface ResumeInput {
  run: JournalRun;
  entries: readonly JournalEntry[];
  sent: readonly number[];
  file: File;
  zip: OpenedZip;
  /** The ZIP's labels.csv, read when it was chosen again (run/input.ts openRunInput). */
  labels?: LabelSet | null;
  /** Secret credentials typed again (they were not stored in the journal). */
  credentials: Credentials;
}

export type { RunStats };

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
  /** The settings to use instead of a fresh snapshot (resume: the journal's; re-run: the last run's). */
  snapshot?: JobSnapshot;
  /** Resume: pairs whose call had started when the page died (their new records say `resumed`). */
  resent?: readonly number[];
  /** Re-run: the previous records (attempts keep counting, previous_error is kept). */
  previous?: readonly PairRecord[];
  kind?: RunKind;
  /** The journal entry to continue (resume, re-run) instead of starting a new one. */
  journalRun?: JournalRun | null;
  /** Resume: the journalled run's sweep (its pairs are the sweep's). */
  sweep?: SweepSettings | null;
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
  /** The calls in flight, published with the records (null when none). */
  inFlight: InFlight | null;
  /** The reopened archive's run info (run.json), when the view is a reopened archive. */
  archiveRun: ArchiveRunInfo | null;
  /** Finished records in input order, published in batches (at most every run/session.ts PUBLISH_MS). */
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
  /** Pairs done in the run in flight, of `total` (the pairs it sends; a resumed run counts the kept ones). */
  done: number;
  runKind: RunKind;
  /** The view is an archive reopened from disk: no API was called. */
  reopened: boolean;
  /** The last run can go on with Re-run failed / Run remaining (its ZIP and snapshot are here). */
  canRerun: boolean;
  /** A sentence about the run journal (browser storage full or unavailable); the run goes on. */
  journalError: string | null;
  /** What the last run's archive was built from (the evaluation store rebuilds it with a chosen threshold). */
  archiveInput: ReportInput | null;

  loadFile: (file: File) => Promise<void>;
  run: (request?: RunRequest) => Promise<void>;
  /** Continues a journalled run with the same ZIP (checked by the journal store). */
  resumeRun: (req: ResumeInput) => Promise<void>;
  /** Sends again the failed pairs, or the pairs never answered, of the last run, with its snapshot. */
  rerun: (which: 'failed' | 'remaining') => Promise<void>;
  /** Shows a results archive (facematch-bulk-*.zip) again from its results/*.json, without calling any API. */
  openResults: (file: File) => Promise<void>;
  stop: () => void;
  resume: () => void;
  downloadAgain: () => void;
}

/** What a run reads from the settings side of the page, and tells it. */
export interface BulkSettings {
  /** The settings snapshot for a run, read once when Run is pressed. */
  snapshot: () => JobSnapshot;
  /** Locks the settings panel for the run (null unlocks it). */
  lock?: (lock: SettingsLock | null) => void;
  /** Writes credentials renewed during the run back to the settings (a refreshed token). */
  renewed?: (credentials: Credentials) => void;
  /** The credentials as the user left them during a pause (read on Resume). */
  credentials?: () => Credentials;
  /** Whether "Remember on this device" is on (the journal then keeps the secrets too). */
  remember?: () => boolean;
  /** Pairs a fresh run leaves out (index → reason): the pre-flight's "Exclude flagged pairs". */
  excluded?: () => Promise<ReadonlyMap<number, string> | undefined>;
  /** A robustness sweep for a fresh run, read when Run is pressed (null: none). */
  sweep?: () => SweepSettings | null;
  /** Makes a sweep's variants (a worker in the browser; this thread by default), closed when the run ends. */
  variantMaker?: () => { make: VariantMaker; close?: () => void };
}

/** The page around a run: where its archive goes, the leave-page guard, the journal's banner. */
export interface BulkDownload {
  /** Saves the finished archive (a download in the browser). */
  save?: (blob: Blob, fileName: string) => void;
  /** The leave-page guard, armed while the run's results are not saved. */
  guard?: { arm(): void; disarm(): void };
  /** The run journal, to mark a run's archive saved again ("Download" after the run). */
  journal?: Journal;
  /** Called when a run starts (the journal banner steps aside). */
  onRunStart?: () => void;
}

export interface BulkDeps {
  /** Where the run session runs (core/run/host.ts): a Web Worker in the browser, this thread in tests. */
  host: SessionHost;
  settings: BulkSettings;
  download?: BulkDownload;
  /** Opens a chosen ZIP (a test's fake; core's openZip by default). */
  openZip?: (file: File) => Promise<OpenedZip>;
  now?: () => number;
}

/** True when pairs are loaded and nothing is in flight. */
export const selectBulkCanRun = (s: BulkState): boolean =>
  !s.loading && s.phase !== 'running' && s.phase !== 'building' && (s.zip?.pairs.length ?? 0) > 0;

/** True once a run's session is making its calls (its exclusions were read before it started). */
export const selectBulkCalling = (s: BulkState): boolean => s.phase === 'running' && (s.inFlight !== null || s.records.length > 0);

/** True while a run (or its archive) is in flight: the mode toggle and the settings are locked. */
export const selectBulkBusy = (s: BulkState): boolean => s.phase === 'running' || s.phase === 'building';

/** Estimated remaining time in ms, or null before the first record. */
export function etaMs(done: number, total: number, elapsedMs: number): number | null {
  if (done <= 0 || total <= done) return done >= total && total > 0 ? 0 : null;
  return (elapsedMs / done) * (total - done);
}

/**
 * The screen state a run session's event leads to (core/run/session.ts): the store's whole share
 * of a run. `at` is the time the event arrived (the run's end on the screen).
 */
export function reduceRunEvent(s: BulkState, e: RunEvent, at: number): Partial<BulkState> {
  switch (e.type) {
    case 'started':
      return {};
    case 'records':
      return { records: s.records.concat(e.records), done: e.done };
    case 'in-flight':
      return { inFlight: e.inFlight };
    case 'auth-pause':
      return { authPause: e.pause };
    case 'snapshot':
      return { snapshot: e.snapshot };
    case 'journal-error':
      return { journalError: e.sentence };
    case 'building':
      return { phase: 'building', endedAt: at, records: e.input.records, stopReason: e.input.stopReason ?? null, archiveInput: e.input };
    case 'finished': {
      const { summary } = e;
      const blob = new Blob([e.bytes as Uint8Array<ArrayBuffer>], { type: 'application/zip' });
      return {
        phase: 'finished', inFlight: null, authPause: null, records: summary.records, total: summary.records.length, done: summary.records.length,
        snapshot: summary.snapshot, stopReason: summary.stopReason ?? null, canRerun: true,
        result: { blob, fileName: summary.fileName, stats: summary.stats, stopped: summary.stopped, ...(summary.stopReason ? { stopReason: summary.stopReason } : {}) },
      };
    }
    case 'failed': {
      const name = s.file?.name ?? 'the ZIP';
      return {
        phase: 'finished', inFlight: null, authPause: null, endedAt: s.endedAt ?? at,
        runError: e.building
          ? `The results archive for ${name} could not be built. Run it again; if it keeps failing, try a smaller batch.`
          : `The run of ${name} failed unexpectedly. Choose the ZIP again and run it once more.`,
      };
    }
  }
}

function noPairMessage(name: string): string {
  return `No image pair was found in ${name}. Name each pair <stem>_image1.<ext> and <stem>_image2.<ext> with the same stem (for example customer01_image1.jpg and customer01_image2.png), then choose the ZIP again.`;
}

export type BulkStore = UseBoundStore<StoreApi<BulkState>>;

export function createBulkStore(deps: BulkDeps): BulkStore {
  const openZip = deps.openZip ?? ((file: File) => coreOpenZip(file, file.name));
  const now = deps.now ?? (() => Date.now());
  const { settings } = deps;
  const page = deps.download ?? {};
  /** The run in flight (core's run session): Stop and the pause's answer go to it. */
  let session: HostedSession | null = null;
  let loadSeq = 0;
  /** The journal entry of the last run, continued by Re-run failed / Run remaining. */
  let lastJournalRun: JournalRun | null = null;
  /** The last run's sweep: Re-run failed / Run remaining send the same variant pairs. */
  let lastSweep: SweepSettings | null = null;

  return create<BulkState>()((set, get) => ({
    file: null,
    zip: null,
    labels: null,
    loading: false,
    loadError: null,
    phase: 'idle',
    snapshot: null,
    runContract: null,
    inFlight: null,
    archiveRun: null,
    records: [],
    total: 0,
    startedAt: null,
    endedAt: null,
    stopRequested: false,
    authPause: null,
    stopReason: null,
    result: null,
    runError: null,
    done: 0,
    runKind: 'run',
    reopened: false,
    canRerun: false,
    journalError: null,
    archiveInput: null,

    loadFile: async (file) => {
      if (selectBulkBusy(get())) return;
      if (isResultsArchiveName(file.name)) return get().openResults(file);
      const seq = ++loadSeq;
      lastJournalRun = null;
      lastSweep = null;
      set({
        file, zip: null, labels: null, loading: true, loadError: null, phase: 'idle', snapshot: null, runContract: null, inFlight: null, archiveRun: null, records: [], total: 0,
        startedAt: null, endedAt: null, stopRequested: false, authPause: null, stopReason: null, result: null, runError: null,
        done: 0, runKind: 'run', reopened: false, canRerun: false, archiveInput: null,
      });
      try {
        const { zip, labels } = await openRunInput(file, file.name, () => openZip(file));
        if (seq !== loadSeq) return;
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
      const snapshot = request.snapshot ?? settings.snapshot();
      const kind = request.kind ?? 'run';
      const rerunning = kind === 'rerun-failed' || kind === 'rerun-remaining';
      // A sweep sends each pair and its variants (core/sweep, as the CLI's --sweep does); a re-run, the last run's.
      const sweep = kind === 'run' ? (settings.sweep?.() ?? null) : rerunning ? lastSweep : (request.sweep ?? null);
      lastSweep = sweep;
      const maker = sweep ? (settings.variantMaker?.() ?? { make: inThreadMaker() }) : null;
      const swept = sweep && maker ? sweepSource({ pairs: zip.pairs, readPair: (p) => zip.readPair(p) }, sweep, maker.make) : null;
      const source = swept ? { pairs: swept.pairs, readPair: swept.readPair, skipped: zip.skipped, notices: zip.notices, entries: zip.entries } : zip;
      const labels = get().labels;
      const total = rerunning && request.only ? request.only.length : source.pairs.length;
      set({
        phase: 'running', snapshot, runContract: snapshot.contract, inFlight: null, archiveRun: null, records: [], total,
        done: kind === 'resume' ? (request.existing?.size ?? 0) : 0, startedAt: now(), endedAt: null,
        stopRequested: false, authPause: null, stopReason: null, result: null, runError: null,
        runKind: kind, reopened: false, canRerun: false, journalError: null, archiveInput: null,
      });
      settings.lock?.('run');
      let guarded = true;
      const unguard = () => {
        if (guarded) page.guard?.disarm();
        guarded = false;
      };
      page.guard?.arm();
      page.onRunStart?.();
      const leftOut = request.excluded ?? (kind === 'run' ? await settings.excluded?.() : undefined);
      const excluded = swept && leftOut ? swept.excluded(leftOut) : leftOut;
      const input = file ?? { name: 'the ZIP', size: 0, lastModified: 0 };
      // The run is core's session (run/session.ts), wherever the host runs it; this store reduces its events to screen state.
      session = deps.host.start({
        kind,
        input: { name: input.name, size: input.size, lastModified: input.lastModified },
        snapshot,
        ...(request.existing ? { existing: [...request.existing] } : {}),
        ...(request.only ? { only: request.only } : {}),
        ...(excluded ? { excluded: [...excluded] } : {}),
        labels: runLabels(swept && labels ? swept.labels(labels) : labels),
        journalRun: file ? (request.journalRun ?? null) : null,
        ...(request.resent ? { resent: request.resent } : {}),
        ...(request.previous ? { previous: request.previous } : {}),
        remember: settings.remember?.() ?? false,
        ...(sweep ? { sweep } : {}),
      }, { file, zip: source, ...(swept ? { sweep: swept } : {}) }, (event) => {
        set(reduceRunEvent(get(), event, now()));
        // What an event means beyond the screen: the settings lock, a renewed token, the download.
        if (event.type === 'auth-pause') settings.lock?.(event.pause ? 'auth-pause' : 'run');
        else if (event.type === 'snapshot') settings.renewed?.(event.snapshot.credentials);
        else if (event.type === 'finished') {
          lastJournalRun = event.journalRun;
          const result = get().result;
          if (result) page.save?.(result.blob, result.fileName);
          // The results are saved: leaving the page loses nothing now, whatever the journal still writes.
          unguard();
        }
      });
      // Stop pressed while the run was being prepared (the pre-flight's exclusions).
      if (get().stopRequested) session.send({ type: 'stop' });
      try {
        await session.done;
      } finally {
        session = null;
        maker?.close?.();
        unguard();
        settings.lock?.(null);
        if (get().authPause) set({ authPause: null });
      }
    },

    stop: () => {
      if (get().phase !== 'running') return;
      set({ stopRequested: true });
      session?.send({ type: 'stop' });
    },

    resume: () => {
      const credentials = settings.credentials?.();
      session?.send({ type: 'answer', answer: 'retry', ...(credentials ? { credentials } : {}) });
    },

    resumeRun: async (req) => {
      if (selectBulkBusy(get())) return;
      const snapshot = journalSnapshot(req.run, req.credentials);
      const plan = resumePlan(req.run, req.entries, req.sent);
      loadSeq++;
      set({ file: req.file, zip: req.zip, labels: req.labels ?? null, loading: false, loadError: null, reopened: false, phase: 'idle', result: null });
      await get().run({
        existing: plan.existing,
        snapshot,
        kind: 'resume',
        journalRun: req.run,
        sweep: req.run.sweep ?? null,
        // The call in flight when the page died is sent again: its record says so.
        resent: [...plan.resent],
      });
    },

    rerun: async (which) => {
      const state = get();
      if (selectBulkBusy(state) || !state.canRerun || !state.snapshot || !state.zip) return;
      const previous = state.records.slice();
      const sel = rerunSelection(previous);
      const only = which === 'failed' ? sel.failed : sel.remaining;
      if (only.length === 0) return;
      await get().run({
        existing: new Map(previous.map((r, i) => [i, r])),
        only,
        snapshot: state.snapshot,
        kind: which === 'failed' ? 'rerun-failed' : 'rerun-remaining',
        journalRun: lastJournalRun,
        previous,
      });
    },

    openResults: async (file) => {
      if (selectBulkBusy(get())) return;
      const seq = ++loadSeq;
      lastJournalRun = null;
      lastSweep = null;
      set({
        file: null, zip: null, labels: null, loading: true, loadError: null, phase: 'idle', snapshot: null, runContract: null, inFlight: null, archiveRun: null, records: [], total: 0,
        startedAt: null, endedAt: null, stopRequested: false, authPause: null, stopReason: null, result: null, runError: null,
        done: 0, runKind: 'run', reopened: false, canRerun: false, archiveInput: null,
      });
      try {
        const { records, run } = await readResultsArchive(file, file.name);
        if (seq !== loadSeq) return;
        const stats = summarise(records, run.contract);
        const started = run.startedAt ? Date.parse(run.startedAt) : NaN;
        const finished = run.finishedAt ? Date.parse(run.finishedAt) : NaN;
        set({
          loading: false, phase: 'finished', reopened: true, runContract: run.contract, archiveRun: run, records, total: records.length, done: records.length,
          startedAt: Number.isFinite(started) ? started : null,
          endedAt: Number.isFinite(finished) ? finished : null,
          stopReason: run.stopReason,
          loadError: run.warnings.length ? run.warnings.join(' ') : null,
          result: { blob: file, fileName: file.name, stats, stopped: run.stopped ?? stats.notRun > 0, ...(run.stopReason ? { stopReason: run.stopReason } : {}) },
        });
      } catch (err) {
        if (seq !== loadSeq) return;
        set({
          loading: false,
          loadError: err instanceof ArchiveReadError ? err.message : `${file.name} could not be read as a results archive. Choose a facematch-bulk-<time>.zip downloaded from Bulk mode.`,
        });
      }
    },

    downloadAgain: () => {
      const result = get().result;
      if (!result) return;
      page.save?.(result.blob, result.fileName);
      if (lastJournalRun && page.journal) void page.journal.update(lastJournalRun.id, { downloaded: true }).catch(() => undefined);
    },
  }));
}

function onBeforeUnload(e: BeforeUnloadEvent): void {
  e.preventDefault();
  e.returnValue = '';
}


/** The app's one Bulk store: the settings store's snapshot and lock, a download, the leave-page guard. */
export const useBulkStore = createBulkStore({
  // The session runs in a Web Worker; in this thread only when no worker can start.
  host: workerSessionHost({
    journal: true,
    fallback: inThreadHost({
      journal: useJournalStore.getState().journal,
      pageOrigin: () => (typeof location !== 'undefined' ? location.origin : undefined),
    }),
  }),
  settings: {
    snapshot: () => useSettingsStore.getState().jobSnapshot(),
    lock: (lock) => useSettingsStore.getState().setLock(lock),
    renewed: (credentials) => {
      const settings = useSettingsStore.getState();
      if (credentials.token !== undefined && credentials.token !== settings.credentials.token) settings.renewToken(credentials.token);
    },
    credentials: () => useSettingsStore.getState().callSettings().credentials,
    remember: () => useSettingsStore.getState().remember,
    excluded: () => usePreflightStore.getState().excludedForRun(),
    sweep: sweepForRun,
    variantMaker: workerMaker,
  },
  download: {
    save: saveBlob,
    journal: useJournalStore.getState().journal,
    onRunStart: () => useJournalStore.getState().handedOver(),
    guard: {
      arm: () => window.addEventListener('beforeunload', onBeforeUnload),
      disarm: () => window.removeEventListener('beforeunload', onBeforeUnload),
    },
  },
});

// A new ZIP (or none) resets the pre-flight list and starts its checks; a run that is making its
// calls holds the content check (after the run has read its exclusions), so the page stays free.
useBulkStore.subscribe((s, prev) => {
  if (s.zip !== prev.zip) usePreflightStore.getState().load(s.zip);
  usePreflightStore.getState().hold(selectBulkCalling(s));
});
