/**
 * The one builder of a ReportInput, the description of an archive that report.ts writes. Every
 * archive goes through it: a run's (browser and CLI, resumed and re-run ones), "Download results
 * so far", a merged archive and a reopened one. The parts differ (a finished run's snapshot, or
 * an archive read back), the assembly is here once: records, settings for the Run sheet, input,
 * version, engine, run.json, and the evaluation when there are labels.
 */
import type { EvaluationInput } from '../evaluation/evaluation-report.ts';
import { attributesFromRecords, evaluationInputOf, type AttributeTable } from '../evaluation/input.ts';
import type { FinishedRun } from './job.ts';
import type { Expected, LabelSet } from '../pairing/labels.ts';
import { buildManifest, MANIFEST_FORMAT, type InputInfo, type RunManifest } from '../archive/manifest.ts';
import type { ReadResultsArchive } from '../archive/archive-read.ts';
import type { PairRecord, SkippedEntry } from './records.ts';
import type { ReportInput, ReportRunSettings } from '../archive/report.ts';
import { endpointUrl } from '../request/request.ts';
import { APP_VERSION } from '../common/version.ts';
import type { ProviderContract } from '../contracts/contracts.ts';
import type { SweepManifest } from '../sweep/variants.ts';

/** Labels as plain data (cloneable, storable): [pair_id, expected] pairs and where they came from. */
export interface RunLabels {
  labels: readonly (readonly [string, Expected])[];
  source: string;
  /** labels.csv's other columns (subjects, groups), as the evaluation reads them. */
  attributes?: AttributeTable;
  /** What was wrong in labels.csv (a label for no pair, a bad value…): the archive's notices state them. */
  problems?: readonly string[];
}

/** A LabelSet as plain data; null when it labels no pair. */
export function runLabels(set: LabelSet | null | undefined): RunLabels | null {
  const e = evaluationInputOf(set ?? null);
  if (!e) return null;
  const problems = set?.problems ?? [];
  return { labels: e.labels, source: e.labelsSource, ...(e.attributes ? { attributes: e.attributes } : {}), ...(problems.length ? { problems: [...problems] } : {}) };
}

/** Where a reopened or merged archive's labels are said to come from. */
export const RECORD_LABELS_SOURCE = 'the expected field of the archive’s records';

/** The labels the records carry in their `expected` field, with labels.csv's other columns from `label_columns` (an archive read back), or null. */
export function labelsOfRecords(records: readonly PairRecord[], source: string = RECORD_LABELS_SOURCE): RunLabels | null {
  const labels = labelsFromRecords(records);
  const attributes = attributesFromRecords(records.filter((r) => labels.has(r.pair_id)));
  return labels.size ? { labels: [...labels], source, ...(attributes ? { attributes } : {}) } : null;
}

/** pair_id → expected, from records that carry an `expected` of "same" or "different". */
export function labelsFromRecords(records: readonly PairRecord[]): Map<string, Expected> {
  const labels = new Map<string, Expected>();
  for (const r of records) {
    if ((r.expected === 'same' || r.expected === 'different') && !labels.has(r.pair_id)) labels.set(r.pair_id, r.expected);
  }
  return labels;
}

/** Everything an archive is made of, whatever it comes from. */
export interface ReportParts {
  records: readonly PairRecord[];
  skipped: readonly SkippedEntry[];
  notices: readonly string[];
  contract: ProviderContract;
  endpoint: string;
  startedAt: string;
  finishedAt: string;
  stopReason?: string | null;
  secrets?: readonly string[];
  settings?: ReportRunSettings | null;
  input?: { name: string; size: number } | null;
  appVersion?: string | null;
  engine?: string | null;
  manifest?: RunManifest | null;
  labels?: RunLabels | null;
  sweep?: SweepManifest | null;
}

/** The one assembly: what every archive's ReportInput is. */
export function reportInput(p: ReportParts): ReportInput {
  const evaluation: EvaluationInput | null = p.labels && p.labels.labels.length
    ? { labels: p.labels.labels, labelsSource: p.labels.source, threshold: null, ...(p.labels.attributes ? { attributes: p.labels.attributes } : {}) }
    : null;
  return {
    records: [...p.records],
    skipped: [...p.skipped],
    notices: [...p.notices],
    contract: p.contract,
    endpoint: p.endpoint,
    startedAt: p.startedAt,
    finishedAt: p.finishedAt,
    ...(p.stopReason != null ? { stopReason: p.stopReason } : {}),
    ...(p.secrets ? { secrets: [...p.secrets] } : {}),
    ...(p.settings ? { settings: p.settings } : {}),
    ...(p.input ? { inputZip: { name: p.input.name, size: p.input.size } } : {}),
    ...(p.appVersion ? { appVersion: p.appVersion } : {}),
    ...(p.engine ? { engine: p.engine } : {}),
    ...(p.manifest ? { manifest: p.manifest } : {}),
    ...(p.sweep ? { sweep: p.sweep } : {}),
    ...(evaluation ? { evaluation } : {}),
  };
}

/** What a run adds to its FinishedRun: the input, its skipped files and notices, the labels. */
export interface RunFacts {
  skipped?: readonly SkippedEntry[];
  notices?: readonly string[];
  input?: InputInfo | null;
  labels?: RunLabels | null;
  /**
   * The rate the run kept when a budget shared with other runs paced it (the CLI's --rate-store):
   * the job's own snapshot then has no rate, but the Run sheet and run.json state this one.
   */
  sharedRate?: number | null;
  /** A robustness sweep's run.json section, read from the run's records when it ends (they carry the variants' fingerprints). */
  sweep?: (records: readonly PairRecord[]) => SweepManifest;
}

/** The report input of a finished run: provider, endpoint, Run sheet and run.json from its snapshot. */
export function reportInputOfRun(run: FinishedRun, facts: RunFacts = {}): ReportInput {
  const snapshot = facts.sharedRate != null ? { ...run.snapshot, ratePerSecond: facts.sharedRate } : run.snapshot;
  const skipped = facts.skipped ?? [];
  const notices = [...(facts.notices ?? []), ...(facts.labels?.problems ?? [])];
  const sweep = facts.sweep?.(run.records);
  return reportInput({
    records: run.records,
    skipped,
    notices,
    contract: snapshot.contract,
    endpoint: endpointUrl(snapshot.contract, snapshot.baseUrl),
    startedAt: run.startedAt,
    finishedAt: run.finishedAt,
    stopReason: run.stopReason ?? null,
    secrets: run.secrets,
    settings: { timeoutMs: snapshot.timeoutMs, retries: snapshot.retries, concurrency: snapshot.concurrency, ratePerSecond: snapshot.ratePerSecond },
    input: facts.input ?? null,
    appVersion: APP_VERSION,
    engine: run.engine ?? null,
    manifest: buildManifest({ ...run, snapshot }, {
      input: facts.input ?? null, skipped, notices, ...(sweep ? { sweep } : {}), ...(facts.labels ? { labelsSource: facts.labels.source } : {}),
    }),
    labels: facts.labels ?? null,
    sweep: sweep ?? null,
  });
}

/**
 * The report input of an archive read back (reopen, merge): its records (expected/outcome left
 * for report.ts to recompute from the labels they carried), contract, endpoint, times, Run sheet
 * settings, input, version, skipped files, notices and, when it is one of ours, run.json as it was.
 */
export function reportInputOfArchive(read: ReadResultsArchive, over: Partial<ReportParts> = {}): ReportInput {
  const { run } = read;
  const manifest = run.manifest && run.manifest.format === MANIFEST_FORMAT ? (run.manifest as unknown as RunManifest) : null;
  const s = run.settings;
  const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
  const timeoutMs = num(s?.timeout_ms ?? s?.timeoutMs);
  const retries = num(s?.retries);
  const concurrency = num(s?.concurrency);
  const rate = s ? (s.max_requests_per_second ?? s.ratePerSecond) : undefined;
  const records = over.records ?? read.records;
  return reportInput({
    skipped: run.skipped,
    notices: run.notices,
    contract: run.contract,
    endpoint: run.endpoint ?? '',
    startedAt: run.startedAt ?? '',
    finishedAt: run.finishedAt ?? '',
    stopReason: run.stopReason,
    settings: timeoutMs !== undefined && retries !== undefined
      ? { timeoutMs, retries, ...(concurrency !== undefined ? { concurrency } : {}), ratePerSecond: typeof rate === 'number' ? rate : null }
      : null,
    input: run.input?.name ? { name: run.input.name, size: run.input.size ?? 0 } : null,
    appVersion: run.appVersion,
    engine: typeof s?.engine === 'string' ? s.engine : null,
    manifest,
    labels: labelsOfRecords(records, manifest?.labels_source),
    sweep: manifest?.sweep ?? null,
    ...over,
    records: records.map(withoutOutcome),
  });
}

function withoutOutcome(r: PairRecord): PairRecord {
  const { expected: _x, outcome: _o, label_columns: _l, ...seed } = r;
  return seed as PairRecord;
}
