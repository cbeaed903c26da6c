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
import type { LabelSet } from '../core/labels.ts';
import { openRunInput } from '../core/run/input.ts';
import { runLabels } from '../core/run/report-input.ts';
import { journalSnapshot } from '../core/run/so-far.ts';
import { collectSecrets } from '../core/secrets/secrets.ts';
import type { ReportInput } from '../core/report.ts';
import { summarise, type RunStats } from '../core/stats.ts';
import { archiveFileName, startArchive, type ArchiveSession } from '../core/archive-client.ts';
import type { ArchiveStreamBegin } from '../core/archive-stream.ts';
import { ArchiveReadError, isResultsArchiveName, readResultsArchive, type ArchiveRunInfo } from '../core/archive-read.ts';
import { type Journal, type JournalEntry, type JournalRun } from '../core/journal.ts';
import { markResumed, rerunRecord, rerunSelection, resumePlan } from '../core/journal-run.ts';
import { snapshotSecrets } from '../core/job.ts';
import { saveBlob } from '../lib/download.ts';
import { useSettingsStore, type SettingsLock } from './settings.ts';
import { useJournalStore } from './journal.ts';
import { continueSession, startSession, type JournalSession } from '../core/run/journal-session.ts';
import { fingerprintOf, inFlightOf, type AuthPause, type InFlight, type RunKind } from '../core/run/session.ts';
import { usePreflightStore } from './preflight.ts';

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
  /** Applied to each record a sent pair gets (resumed: true; a re-run's attempts and previous_error). */
  transform?: (record: PairRecord, index: number) => PairRecord;
  kind?: RunKind;
  /** The journal entry to continue (resume, re-run) instead of starting a new one. */
  journalRun?: JournalRun | null;
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
  /** Starts the run's archive, written as the run goes (the archive worker in the browser). */
  startArchive?: (begin: ArchiveStreamBegin) => ArchiveSession;
  /** Saves the finished archive (a download in the browser). */
  save?: (blob: Blob, fileName: string) => void;
  /** The leave-page guard, armed for the run. */
  guard?: { arm(): void; disarm(): void };
  /** Also receives each final record with its index, in order (e.g. the run journal). */
  onRecord?: RecordSink;
  /** The run journal (IndexedDB in the browser); without it nothing is journalled. */
  journal?: Journal;
  /** Whether "Remember on this device" is on (the journal then keeps the secrets too). */
  remember?: () => boolean;
  /** Called when a run starts (the journal banner steps aside). */
  onRunStart?: () => void;
  /** Pairs a fresh run leaves out (index → reason): the pre-flight's "Exclude flagged pairs". */
  excluded?: () => Promise<ReadonlyMap<number, string> | undefined>;
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
  /** The journal entry of the last run, continued by Re-run failed / Run remaining. */
  let lastJournalRun: JournalRun | null = null;

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
      const snapshot = request.snapshot ?? deps.snapshot();
      const contract = snapshot.contract;
      const kind = request.kind ?? 'run';
      const rerunning = kind === 'rerun-failed' || kind === 'rerun-remaining';
      const total = rerunning && request.only ? request.only.length : zip.pairs.length;
      let doneCount = kind === 'resume' ? (request.existing?.size ?? 0) : 0;
      controller = new AbortController();
      const signal = controller.signal;
      set({
        phase: 'running', snapshot, runContract: contract, inFlight: null, archiveRun: null, records: [], total, done: doneCount, startedAt: now(), endedAt: null,
        stopRequested: false, authPause: null, stopReason: null, result: null, runError: null,
        runKind: kind, reopened: false, canRerun: false, journalError: null, archiveInput: null,
      });
      deps.lockSettings?.('run');
      let guarded = true;
      const unguard = () => {
        if (guarded) deps.guard?.disarm();
        guarded = false;
      };
      deps.guard?.arm();
      deps.onRunStart?.();
      const excluded = request.excluded ?? (kind === 'run' ? await deps.excluded?.() : undefined);

      const secrets = collectSecrets(snapshot);
      // The run journal: a new entry for a fresh run, the same entry for a resume or a re-run.
      let session: JournalSession | null = null;
      let journalRun = request.journalRun ?? null;
      if (deps.journal && file) {
        // Every secret of the run, a token renewed mid-run included (onSnapshot adds it).
        const o = { journal: deps.journal, onError: (sentence: string) => set({ journalError: sentence }), secrets: () => secrets.values() };
        if (journalRun) {
          session = await continueSession(o, journalRun, request.existing ?? new Map());
        } else {
          const labels = runLabels(get().labels);
          const started = await startSession(o, { file, zip, snapshot, remember: deps.remember?.() ?? false, startedAt: new Date(now()).toISOString(), ...(labels ? { labels } : {}) });
          session = started.session;
          journalRun = started.run;
        }
      }

      // Batch publishing: records go into `pending` and reach the store at most every publishMs
      // (so at most once per frame, and far less often on a fast server): React work stays a small
      // share of the main thread, which also has to handle the network responses.
      let published: PairRecord[] = [];
      let pending: PairRecord[] = [];
      let timer: ReturnType<typeof setTimeout> | null = null;
      let lastPublish = 0;
      // The calls in flight, in the order they were sent (a Set keeps insertion order).
      const sending = new Set<number>();
      let sendingChanged = false;
      const flush = () => {
        if (timer !== null) clearTimeout(timer);
        timer = null;
        if (pending.length === 0 && !sendingChanged) return;
        const changes: Partial<BulkState> = {};
        if (pending.length > 0) {
          published = published.concat(pending);
          pending = [];
          Object.assign(changes, { records: published, done: doneCount });
        }
        if (sendingChanged) changes.inFlight = inFlightOf(sending, zip);
        sendingChanged = false;
        lastPublish = performance.now();
        set(changes);
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

      // The archive is written as records arrive, so it is ready moments after the last answer.
      const labels = runLabels(get().labels);
      const archiveSession = (deps.startArchive ?? startArchive)({
        contract, secrets: snapshotSecrets(snapshot), labels: labels?.labels ?? null, total: zip.pairs.length,
      });
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
          ...(excluded ? { excluded } : {}),
          ...(request.transform ? { transform: request.transform } : {}),
          onSend: (index) => {
            if (!sending.has(index)) { sending.add(index); sendingChanged = true; schedule(); }
            return session?.sent(index);
          },
          onSettled: (index) => {
            if (sending.delete(index)) { sendingChanged = true; schedule(); }
          },
          onRecord: (record, index) => {
            showKeptUpTo(index);
            pending.push(record);
            doneCount++;
            schedule();
            session?.record(record, index);
            deps.onRecord?.(record, index);
          },
          onSnapshot: (renewed) => {
            secrets.add(renewed);
            set({ snapshot: renewed });
            deps.saveCredentials?.(renewed.credentials);
          },
          archive: createArchiveBuilder({
            sink: archiveSession,
            skipped: zip.skipped,
            notices: zip.notices,
            input: file ? { name: file.name, size: file.size, fingerprint: fingerprintOf(zip) } : null,
            labels,
            build: async (archiveInput) => {
              building = true;
              set({ phase: 'building', endedAt: now(), records: archiveInput.records, stopReason: archiveInput.stopReason ?? null, archiveInput });
              return archiveSession.finish(archiveInput);
            },
          }),
        });
        flush();
        const reason = result.stopReason ?? (result.stopped ? 'The run was stopped; the pairs not sent are marked not_run.' : undefined);
        const bytes = result.archive!;
        const blob = new Blob([bytes as Uint8Array<ArrayBuffer>], { type: 'application/zip' });
        const fileName = archiveFileName(now());
        // The journal learns the run ended while the panel shows it: the archive does not wait for storage.
        const journalled = session?.finish({
          stopped: result.stopped, finishedAt: result.finishedAt,
          ...(reason !== undefined ? { stopReason: reason } : {}),
          ...(rerunning && request.only ? { rerun: request.only.length } : {}),
        });
        lastJournalRun = journalRun;
        set({
          phase: 'finished',
          inFlight: null,
          records: result.records,
          total: zip.pairs.length,
          done: zip.pairs.length,
          snapshot: result.snapshot,
          stopReason: reason ?? null,
          canRerun: true,
          result: { blob, fileName, stats: summarise(result.records, contract), stopped: result.stopped, ...(reason ? { stopReason: reason } : {}) },
        });
        deps.save?.(blob, fileName);
        // The results are saved: leaving the page loses nothing now, whatever the journal still writes.
        unguard();
        await journalled;
        await session?.downloaded();
      } catch {
        archiveSession.cancel();
        flush();
        set({
          phase: 'finished',
          inFlight: null,
          endedAt: get().endedAt ?? now(),
          runError: building
            ? `The results archive for ${file?.name ?? 'the ZIP'} could not be built. Run it again; if it keeps failing, try a smaller batch.`
            : `The run of ${file?.name ?? 'the ZIP'} failed unexpectedly. Choose the ZIP again and run it once more.`,
        });
      } finally {
        if (timer !== null) clearTimeout(timer);
        unguard();
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
        // The call in flight when the page died is sent again: its record says so.
        transform: (record, index) => (plan.resent.has(index) ? markResumed(record) : record),
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
        transform: (record, index) => rerunRecord(previous[index]!, record),
      });
    },

    openResults: async (file) => {
      if (selectBulkBusy(get())) return;
      const seq = ++loadSeq;
      lastJournalRun = null;
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
      deps.save?.(result.blob, result.fileName);
      if (lastJournalRun && deps.journal) void deps.journal.update(lastJournalRun.id, { downloaded: true }).catch(() => undefined);
    },
  }));
}

function onBeforeUnload(e: BeforeUnloadEvent): void {
  e.preventDefault();
  e.returnValue = '';
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
  journal: useJournalStore.getState().journal,
  remember: () => useSettingsStore.getState().remember,
  onRunStart: () => useJournalStore.getState().handedOver(),
  excluded: () => usePreflightStore.getState().excludedForRun(),
  guard: {
    arm: () => window.addEventListener('beforeunload', onBeforeUnload),
    disarm: () => window.removeEventListener('beforeunload', onBeforeUnload),
  },
});

// A new ZIP (or none) resets the pre-flight list and starts its checks.
useBulkStore.subscribe((s, prev) => {
  if (s.zip !== prev.zip) usePreflightStore.getState().load(s.zip);
});
