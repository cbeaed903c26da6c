/**
 * The Bulk evaluation's screen state: the what-if threshold, a labels CSV chosen beside the ZIP,
 * a comparison with a previous run, and the Download that writes those choices into the archive.
 *
 * The archive is built when a run ends (at the API's own decision). When the user then moves the
 * threshold, chooses other labels or compares with a previous run, Download rebuilds it through
 * the same archive builder (the worker in the browser) from the run's report input — or, for an
 * archive reopened from disk, from its own results/*.json and run.json — with
 * `evaluation.threshold` and `comparison` set. Business rules stay in core (labels.ts,
 * evaluation*.ts, compare.ts); this store only holds what the user chose.
 */
import { create, type StoreApi, type UseBoundStore } from 'zustand';
import { ArchiveReadError, readResultsArchive, type ReadResultsArchive } from '../core/archive/archive-read.ts';
import { buildArchiveInWorker } from '../core/archive/archive-client.ts';
import { compareRuns, type Comparison } from '../core/evaluation/compare.ts';
import { reportInputFromArchive, withEvaluationChoice } from '../core/evaluation/evaluation-archive.ts';
import { labelsOfRecords } from '../core/run/report-input.ts';
import { parseLabels, type Expected, type LabelAttributes, type LabelSet } from '../core/pairing/labels.ts';
import { attributeTable, labelAttributesOf } from '../core/evaluation/input.ts';
import { parseTargetFmr, targetFmrsWith } from '../core/evaluation/target-fmr.ts';
import { parseThreshold } from '../core/evaluation/threshold.ts';
import type { EvaluationInput } from '../core/evaluation/evaluation-report.ts';
import type { ReportInput } from '../core/archive/report.ts';
import { selectBulkBusy, useBulkStore, type BulkState } from './bulk.ts';

/** What the current archive (the Bulk result's blob) was built with. */
export interface BuiltChoice {
  threshold: number | null;
  targetFmr: number | null;
  comparison: Comparison | null;
  labels: LabelSet | null;
}

export interface EvaluationState {
  /** The what-if threshold on the 0–1 confidence; null: the API's own decision. */
  threshold: number | null;
  /** The threshold as typed, while it is not a number on 0–1 (null once accepted). */
  thresholdText: string | null;
  /** A sentence when the typed threshold is not a number on 0–1. */
  thresholdProblem: string | null;
  /** The target FMR the user typed (a fraction); null: the default targets only. */
  targetFmr: number | null;
  /** What the Target FMR box holds. */
  targetFmrText: string;
  /** A sentence when the typed target FMR is not a rate. */
  targetFmrProblem: string | null;
  /** The labels CSV chosen beside the ZIP (its text is kept to read it against another ZIP). */
  labelsFile: { name: string; text: string } | null;
  /** The ZIP's own labels.csv, set aside while a chosen CSV is used. */
  zipLabels: LabelSet | null;
  /** A sentence when the chosen CSV could not be read. */
  labelsError: string | null;
  comparison: Comparison | null;
  comparing: boolean;
  compareError: string | null;
  /** The archive is being rebuilt for a download. */
  downloading: boolean;
  downloadError: string | null;
  /** What the Bulk result's archive holds; null before a run ends. */
  built: BuiltChoice | null;

  setThreshold: (threshold: number | null) => void;
  /** A threshold typed by the user ("0.62"); a sentence in thresholdProblem when it is not one. */
  typeThreshold: (text: string) => void;
  /** A target FMR typed by the user ("1 %", "0.1%", "0.001"); empty goes back to the default targets. */
  setTargetFmr: (text: string) => void;
  chooseLabels: (file: File) => Promise<void>;
  clearLabels: () => void;
  compareWith: (file: File) => Promise<void>;
  clearComparison: () => void;
  /** Saves the archive with the current choices (rebuilt when they differ from what it holds). */
  download: () => Promise<void>;
}

export interface EvaluationDeps {
  bulk: StoreApi<BulkState>;
  /** Builds archive bytes (the archive worker in the browser). */
  buildArchive?: (input: ReportInput) => Promise<Uint8Array>;
  readArchive?: (data: Blob, fileName: string) => Promise<ReadResultsArchive>;
}

/**
 * The labels the Bulk evaluation uses: a reopened archive's records' `expected` and `label_columns`,
 * else the run's labels (a sweep's: each variant labelled as its pair, as its archive has them).
 */
export function evaluationLabels(s: Pick<BulkState, 'reopened' | 'records' | 'labels'> & Partial<Pick<BulkState, 'archiveInput'>>): { labels: ReadonlyMap<string, Expected>; source: string; attributes?: LabelAttributes } | null {
  if (s.reopened) {
    const read = labelsOfRecords(s.records);
    const attributes = labelAttributesOf(read?.attributes);
    return read ? { labels: new Map(read.labels), source: read.source, ...(attributes ? { attributes } : {}) } : null;
  }
  const run = s.archiveInput?.sweep ? s.archiveInput.evaluation : undefined;
  if (run && s.labels) {
    return { labels: new Map(run.labels), source: run.labelsSource, ...(s.labels.attributes ? { attributes: s.labels.attributes } : {}) };
  }
  return s.labels && s.labels.labels.size
    ? { labels: s.labels.labels, source: s.labels.source, ...(s.labels.attributes ? { attributes: s.labels.attributes } : {}) }
    : null;
}

/**
 * What the evaluation shows and Download writes: the labels, the what-if threshold and the target
 * FMRs, as core's report card reads them (evaluation-report.ts `cardOf`), so the app's figures are
 * the archive's.
 */
export function evaluationInputFor(chosen: ReturnType<typeof evaluationLabels>, threshold: number | null, targetFmr: number | null): EvaluationInput | null {
  if (!chosen) return null;
  const attributes = attributeTable(chosen.attributes);
  return {
    labels: [...chosen.labels], labelsSource: chosen.source, threshold,
    ...(attributes ? { attributes } : {}),
    ...(targetFmr !== null ? { targetFmrs: targetFmrsWith(targetFmr) } : {}),
  };
}

export type EvaluationStore = UseBoundStore<StoreApi<EvaluationState>>;

export function createEvaluationStore(deps: EvaluationDeps): EvaluationStore {
  const { bulk } = deps;
  const build = deps.buildArchive ?? buildArchiveInWorker;
  const readArchive = deps.readArchive ?? ((data: Blob, name: string) => readResultsArchive(data, name));
  let compareSeq = 0;

  const store = create<EvaluationState>()((set, get) => {
    /** Reads the chosen CSV against the loaded ZIP's pairs and hands it to the Bulk store (it wins over the ZIP's labels.csv). */
    const applyLabels = () => {
      const file = get().labelsFile;
      const b = bulk.getState();
      if (!file || !b.zip || selectBulkBusy(b)) return;
      const parsed = parseLabels(file.text, { source: file.name, pairIds: b.zip.pairs.map((p) => p.pair_id) });
      bulk.setState({ labels: parsed });
    };

    return {
      threshold: null,
      thresholdText: null,
      thresholdProblem: null,
      targetFmr: null,
      targetFmrText: '',
      targetFmrProblem: null,
      labelsFile: null,
      zipLabels: null,
      labelsError: null,
      comparison: null,
      comparing: false,
      compareError: null,
      downloading: false,
      downloadError: null,
      built: null,

      setThreshold: (threshold) => {
        const t = threshold === null ? null : Math.min(1, Math.max(0, threshold));
        set({ threshold: t, thresholdText: null, thresholdProblem: null, downloadError: null });
      },

      typeThreshold: (text) => {
        const parsed = parseThreshold(text);
        if ('problem' in parsed) set({ thresholdText: text, thresholdProblem: parsed.problem });
        else get().setThreshold(parsed.value);
      },

      setTargetFmr: (text) => {
        if (text.trim() === '') {
          set({ targetFmr: null, targetFmrText: text, targetFmrProblem: null, downloadError: null });
          return;
        }
        const parsed = parseTargetFmr(text);
        if ('problem' in parsed) set({ targetFmrText: text, targetFmrProblem: parsed.problem });
        else set({ targetFmr: parsed.value, targetFmrText: text, targetFmrProblem: null, downloadError: null });
      },

      chooseLabels: async (file) => {
        if (selectBulkBusy(bulk.getState())) return;
        let text: string;
        try {
          text = await file.text();
        } catch {
          set({ labelsError: `${file.name} could not be read from disk. Choose the labels file again.` });
          return;
        }
        if (get().labelsFile === null) set({ zipLabels: bulk.getState().zip ? bulk.getState().labels : null });
        set({ labelsFile: { name: file.name, text }, labelsError: null });
        applyLabels();
      },

      clearLabels: () => {
        if (selectBulkBusy(bulk.getState())) return;
        const had = get().labelsFile !== null;
        const zipLabels = get().zipLabels;
        set({ labelsFile: null, zipLabels: null, labelsError: null });
        if (had && bulk.getState().zip) bulk.setState({ labels: zipLabels });
      },

      compareWith: async (file) => {
        const b = bulk.getState();
        if (!b.result || !b.runContract) return;
        const seq = ++compareSeq;
        set({ comparing: true, compareError: null });
        try {
          const previous = await readArchive(file, file.name);
          if (seq !== compareSeq) return;
          const now = bulk.getState();
          const comparison = compareRuns(
            { name: file.name, records: previous.records, contract: previous.run.contract },
            { name: now.result?.fileName ?? 'this run', records: now.records, contract: now.runContract ?? b.runContract },
            // Two sweeps' robustness is read with this run's labels, as the difference test reads both runs.
            evaluationLabels(now)?.labels,
          );
          set({ comparison, comparing: false, downloadError: null });
        } catch (err) {
          if (seq !== compareSeq) return;
          set({
            comparing: false,
            compareError: err instanceof ArchiveReadError
              ? err.message
              : `${file.name} could not be read as a results archive. Choose a facematch-bulk-<time>.zip downloaded from Bulk mode.`,
          });
        }
      },

      clearComparison: () => {
        compareSeq++;
        set({ comparison: null, comparing: false, compareError: null });
      },

      download: async () => {
        const b = bulk.getState();
        const result = b.result;
        if (!result || get().downloading) return;
        const { threshold, comparison, targetFmr } = get();
        const built = get().built ?? { threshold: null, targetFmr: null, comparison: null, labels: b.labels };
        const labelsNow = b.reopened ? built.labels : b.labels;
        if (built.threshold === threshold && built.targetFmr === targetFmr && built.comparison === comparison && built.labels === labelsNow) {
          b.downloadAgain();
          return;
        }
        set({ downloading: true, downloadError: null });
        try {
          let base = b.reopened ? null : b.archiveInput;
          if (!base) base = reportInputFromArchive(await readArchive(result.blob, result.fileName));
          const chosen = evaluationLabels(b);
          const input = withEvaluationChoice(base, {
            labels: chosen?.labels ?? null,
            labelsSource: chosen?.source ?? '',
            attributes: attributeTable(chosen?.attributes),
            threshold,
            comparison,
            ...(targetFmr !== null ? { targetFmrs: targetFmrsWith(targetFmr) } : {}),
          });
          const bytes = await build(input);
          const blob = new Blob([bytes as Uint8Array<ArrayBuffer>], { type: 'application/zip' });
          const current = bulk.getState();
          if (current.result !== result) {
            set({ downloading: false });
            return;
          }
          bulk.setState({ result: { ...result, blob }, ...(b.reopened ? {} : { archiveInput: input }) });
          set({ downloading: false, built: { threshold, targetFmr, comparison, labels: labelsNow } });
          bulk.getState().downloadAgain();
        } catch {
          set({
            downloading: false,
            downloadError: `The results archive with your choices (threshold${targetFmr !== null ? ', target FMR' : ''}${comparison ? ', comparison' : ''}) could not be built. Try Download again; if it keeps failing, go back to the API's decision to download the archive of the run.`,
          });
        }
      },
    };
  });

  // Follow the Bulk store: a newly loaded ZIP gets the chosen CSV; a new run or archive starts
  // from the API's decision, and its archive is what the run wrote.
  bulk.subscribe((s, prev) => {
    if (s.zip !== prev.zip && s.zip && store.getState().labelsFile) {
      store.setState({ zipLabels: s.labels });
      const file = store.getState().labelsFile!;
      bulk.setState({ labels: parseLabels(file.text, { source: file.name, pairIds: s.zip.pairs.map((p) => p.pair_id) }) });
    }
    if (s.phase !== prev.phase && (s.phase === 'running' || s.phase === 'idle')) {
      compareSeq++;
      store.setState({ threshold: null, thresholdText: null, thresholdProblem: null, comparison: null, comparing: false, compareError: null, downloadError: null, built: null });
    }
    if (s.phase === 'finished' && prev.phase !== 'finished') {
      store.setState({ built: { threshold: null, targetFmr: null, comparison: null, labels: s.labels } });
    }
  });

  return store;
}

/** The app's one evaluation store, beside the app's Bulk store. */
export const useEvaluationStore = createEvaluationStore({ bulk: useBulkStore });
