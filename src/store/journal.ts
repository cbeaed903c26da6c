/**
 * The run journal on screen: the banner shown on page load when a run is unfinished or was not
 * downloaded, its Resume / Download results so far / Discard actions, and the sentence shown when
 * the journal cannot write. The journal logic is core/run/journal.ts; storage is injected.
 *
 * Resume has two steps kept here (the run itself is the Bulk store's): the user chooses the same
 * ZIP again (its fingerprint must match the journal's) and, when the secrets were not stored,
 * types the token again.
 */
import { create, type StoreApi, type UseBoundStore } from 'zustand';
import { isContractLoaded, registerDefinition } from '../core/contracts/contracts.ts';
import { loadContract } from '../core/providers/presets-loader.ts';
import { Journal, type JournalEntry, type JournalRun } from '../core/run/journal.ts';
import type { OpenedZip } from '../core/zip/zip.ts';
import type { LabelSet } from '../core/pairing/labels.ts';
import type { ReportInput } from '../core/archive/report.ts';
import { formatBytes } from '../core/zip/filetype.ts';
import { idbJournalBackend } from '../lib/journal-idb.ts';
import { saveBlob } from '../lib/download.ts';
import { useAppStore } from './app.ts';

/** A run being resumed: the journal's data, and the ZIP once the user chose the right one. */
export interface ResumeState {
  run: JournalRun;
  entries: JournalEntry[];
  sent: number[];
  file: File | null;
  zip: OpenedZip | null;
  /** The chosen ZIP's labels.csv (read with its pairs), when it has one. */
  labels: LabelSet | null;
  checking: boolean;
  /** Why the chosen file was refused (names the expected file). */
  error: string | null;
}

export interface JournalState {
  /** The journal itself (the Bulk store records runs through it). */
  journal: Journal;
  /** True once the journal was read after page load. */
  loaded: boolean;
  /** The run the banner offers, or null. */
  banner: JournalRun | null;
  /** A sentence about the journal itself (storage unavailable or full, archive not built). */
  error: string | null;
  busy: boolean;
  resume: ResumeState | null;

  /** Reads the journal (on page load, and after a run). */
  refresh: () => Promise<void>;
  discard: () => Promise<void>;
  downloadSoFar: () => Promise<void>;
  /** Starts Resume: reads the run's records, then waits for the ZIP. */
  startResume: () => Promise<void>;
  chooseResumeFile: (file: File) => Promise<void>;
  cancelResume: () => void;
  /** The run was resumed (or another run started): hide the banner and the resume card. */
  handedOver: () => void;
  setError: (sentence: string | null) => void;
  /** The run's archive was saved again ("Download"): it may be deleted when the next run starts. */
  markDownloaded: (runId: string) => Promise<void>;
}

export interface JournalStoreDeps {
  journal: Journal;
  buildArchive: (input: ReportInput) => Promise<Uint8Array>;
  save: (blob: Blob, fileName: string) => void;
  /** Switch to Bulk mode (Resume continues there). */
  showBulk?: () => void;
}

export type JournalStore = UseBoundStore<StoreApi<JournalState>>;

const UNAVAILABLE = 'The run journal could not be read from this browser\'s storage, so an interrupted run cannot be resumed here. Runs still work; keep the tab open until the archive is downloaded.';

export function createJournalStore(deps: JournalStoreDeps): JournalStore {
  const { journal } = deps;
  return create<JournalState>()((set, get) => ({
    journal,
    loaded: false,
    banner: null,
    error: null,
    busy: false,
    resume: null,

    refresh: async () => {
      try {
        const banner = await journal.banner();
        // The run's provider may be a vendor preset whose definition loads on demand, or the user's
        // own definition stored with the run: checked again, then findable by id like a preset.
        const stored = banner?.settings.definition;
        if (banner && stored && !isContractLoaded(banner.settings.contractId)) {
          const { checkDefinition } = await import('../core/providers/schema.ts');
          const checked = checkDefinition(stored);
          if (checked.ok && checked.definition.id === banner.settings.contractId) registerDefinition(checked.definition);
        } else if (banner && !isContractLoaded(banner.settings.contractId)) {
          await loadContract(banner.settings.contractId).catch(() => undefined);
        }
        set({ loaded: true, banner });
      } catch {
        set({ loaded: true, banner: null, error: UNAVAILABLE });
      }
    },

    discard: async () => {
      const run = get().banner;
      if (!run) return;
      set({ busy: true });
      try {
        await journal.discard(run.id);
        set({ banner: null, resume: null, busy: false, error: null });
      } catch {
        set({ busy: false, error: `The unfinished run of ${run.input.name} could not be deleted from this browser's storage. Reload the page and try again.` });
      }
    },

    downloadSoFar: async () => {
      const run = get().banner;
      if (!run) return;
      set({ busy: true, error: null });
      try {
        const read = await journal.read(run.id);
        if (!read) throw new Error('gone');
        const { soFarReportInput } = await import('../core/run/so-far.ts');
        const bytes = await deps.buildArchive(soFarReportInput(read, Date.now()));
        const { archiveFileName } = await import('../core/archive/archive-client.ts');
        deps.save(new Blob([bytes as Uint8Array<ArrayBuffer>], { type: 'application/zip' }), archiveFileName());
        const updated = await journal.update(run.id, { downloaded: true });
        set({ busy: false, banner: updated && updated.status === 'running' ? updated : null });
      } catch {
        set({ busy: false, error: `The results so far of ${run.input.name} could not be built from this browser's storage. Reload the page and try again.` });
      }
    },

    startResume: async () => {
      const run = get().banner;
      if (!run) return;
      set({ busy: true, error: null });
      try {
        const read = await journal.read(run.id);
        if (!read) throw new Error('gone');
        set({ busy: false, resume: { run: read.run, entries: read.entries, sent: read.sent, file: null, zip: null, labels: null, checking: false, error: null } });
        deps.showBulk?.();
      } catch {
        set({ busy: false, error: UNAVAILABLE });
      }
    },

    chooseResumeFile: async (file) => {
      const resume = get().resume;
      if (!resume) return;
      set({ resume: { ...resume, checking: true, error: null, file: null, zip: null, labels: null } });
      const expected = resume.run.input;
      const refuse = (why: string) => {
        const cur = get().resume;
        if (cur) set({ resume: { ...cur, checking: false, error: `${file.name} is not the ZIP this run was started with: ${why}. Choose ${expected.name} (${formatBytes(expected.size)}) to resume, or discard the run.` } });
      };
      // Loaded on demand: the banner's chunk stays small (it loads with the page).
      const [{ ZipError }, { openRunInput }, { sameFingerprint, zipFingerprint }] = await Promise.all([import('../core/zip/zip.ts'), import('../core/run/input.ts'), import('../core/zip/fingerprint.ts')]);
      let zip: OpenedZip;
      let labels: LabelSet | null;
      try {
        // With its labels.csv, as when it was first chosen: the resumed run keeps its evaluation.
        ({ zip, labels } = await openRunInput(file, file.name));
      } catch (err) {
        refuse(err instanceof ZipError ? `it could not be opened (${err.message.replace(/\.$/, '')})` : 'it could not be opened');
        return;
      }
      if (!sameFingerprint(zipFingerprint(zip.entries), expected.fingerprint)) {
        refuse('its files differ (names, sizes or checksums)');
        return;
      }
      // A sweep's pairs are each pair of the ZIP and its variants (core/sweep), as the run sent them.
      const pairs = resume.run.sweep ? (await import('../core/sweep/variants.ts')).sweepPairs(zip.pairs, resume.run.sweep) : zip.pairs;
      if (pairs.length !== resume.run.pairs.length || pairs.some((p, i) => p.pair_id !== resume.run.pairs[i]!.pair_id)) {
        refuse('its pairs differ from the run\'s');
        return;
      }
      const cur = get().resume;
      if (cur) set({ resume: { ...cur, checking: false, file, zip, labels, error: null } });
    },

    cancelResume: () => set({ resume: null }),

    handedOver: () => set({ resume: null, banner: null }),

    setError: (error) => set({ error }),

    markDownloaded: async (runId) => {
      try {
        await journal.update(runId, { downloaded: true });
      } catch {
        // Only means the banner may offer this run once more.
      }
    },
  }));
}

/** The app's journal: IndexedDB, the archive worker, a download link. */
export const useJournalStore: JournalStore = createJournalStore({
  journal: new Journal(idbJournalBackend()),
  buildArchive: async (input) => (await import('../core/archive/archive-client.ts')).buildArchiveInWorker(input),
  save: saveBlob,
  showBulk: () => useAppStore.getState().setMode('bulk'),
});
