/**
 * `run.json` at the root of a results archive: what a run was, readable without the xlsx, so an
 * archive can be reopened, merged or compared. Never holds a secret: credentials appear by name
 * only, the endpoint and Base URL lose userinfo, query and fragment, and every string passes the
 * run's scrubber.
 */
import type { ProviderContract } from '../contracts/contracts.ts';
import type { JobSnapshot, FinishedRun } from '../run/job.ts';
import { safeEndpoint } from '../secrets/safe-url.ts';
import { scrubber } from '../secrets/secrets.ts';
import type { SkippedEntry } from '../run/records.ts';
import { endpointUrl } from '../request/request.ts';
import { summarise, type RunStats } from '../run/stats.ts';
import { APP_NAME, APP_VERSION } from '../common/version.ts';
import type { SweepManifest } from '../sweep/variants.ts';

export const MANIFEST_NAME = 'run.json';
export const MANIFEST_FORMAT = 'facematch-bulk-run';
export const MANIFEST_VERSION = 1;

/** The input ZIP the run read. */
export interface InputInfo {
  name: string;
  size: number;
  /** A fingerprint of its central directory (names, sizes, CRCs), when the caller computed one. */
  fingerprint?: string | null;
  /**
   * A shard's pairs' places (1-based) among the ZIP's pairs, in `pair_ids` order, so `facematch
   * merge` can put the shards' records back in the ZIP's order without the ZIP.
   */
  positions?: readonly number[];
}

export interface RunManifest {
  format: typeof MANIFEST_FORMAT;
  format_version: typeof MANIFEST_VERSION;
  app: string;
  app_version: string;
  /** The settings the run used (the snapshot taken at Run), without secrets. */
  settings: {
    provider: string;
    provider_label: string;
    endpoint: string;
    base_url: string;
    timeout_ms: number;
    retries: number;
    concurrency: number;
    max_requests_per_second: number | null;
    /** Names of the credentials that were set (never their values). */
    credentials: string[];
    /**
     * The provider definition the run called, as data (a preset's or the user's own): the exact
     * request shape, verdict and score rules that made this archive. It names credentials, never
     * holds their values.
     */
    provider_definition: ProviderContract;
    /** The reference server's engine mode ("real" or "instant"), when the API said it. */
    engine?: string;
  };
  input: { name: string; size: number; fingerprint: string | null; positions?: number[] } | null;
  started_at: string;
  finished_at: string;
  stopped: boolean;
  stop_reason: string | null;
  counts: {
    pairs: number;
    succeeded: number;
    failed: number;
    not_run: number;
    matches: number;
    non_matches: number;
    skipped_files: number;
  };
  /** Every pair's id, in input order (the order of the Summary sheet). */
  pair_ids: string[];
  /** Entries of the input ZIP that were not part of a pair, and why. */
  skipped: SkippedEntry[];
  /** Notices about the input (e.g. pairs found in several folders). */
  notices: string[];
  /** A robustness sweep: its perturbations, levels, side, image libraries and every variant's fingerprint. */
  sweep?: SweepManifest;
  /** Where the run's labels came from (e.g. "labels.csv in pairs.zip"), when it had labels. */
  labels_source?: string;
}

/** The snapshot as written to run.json (no secret values). */
/** run.json's counts, from the run's stats (the merged run's too). */
export function manifestCounts(stats: RunStats, skippedFiles: number): RunManifest['counts'] {
  return {
    pairs: stats.pairs,
    succeeded: stats.succeeded,
    failed: stats.failed,
    not_run: stats.notRun,
    matches: stats.matches,
    non_matches: stats.nonMatches,
    skipped_files: skippedFiles,
  };
}

export function manifestSettings(s: JobSnapshot, scrub: (v: string) => string = (v) => v): RunManifest['settings'] {
  return {
    provider: s.contract.id,
    provider_label: s.contract.label,
    endpoint: scrub(safeEndpoint(endpointUrl(s.contract, s.baseUrl))),
    base_url: scrub(safeEndpoint(s.baseUrl)),
    timeout_ms: s.timeoutMs,
    retries: s.retries,
    concurrency: s.concurrency,
    max_requests_per_second: s.ratePerSecond,
    credentials: s.contract.credentials.filter((c) => (s.credentials[c.key] ?? '').trim() !== '').map((c) => c.key),
    provider_definition: scrubbedCopy(s.contract, scrub),
  };
}

/** A deep copy of plain data with every string (and key) passed through the run's scrubber. */
function scrubbedCopy<T>(value: T, scrub: (v: string) => string): T {
  if (typeof value === 'string') return scrub(value) as T;
  if (Array.isArray(value)) return value.map((v: unknown) => scrubbedCopy(v, scrub)) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [scrub(k), scrubbedCopy(v, scrub)])) as T;
  }
  return value;
}

export function buildManifest(
  run: FinishedRun,
  extra: { input?: InputInfo | null; skipped?: readonly SkippedEntry[]; notices?: readonly string[]; sweep?: SweepManifest; labelsSource?: string } = {},
): RunManifest {
  const scrub = scrubber(run.secrets) ?? ((v: string) => v);
  const stats = summarise(run.records, run.snapshot.contract);
  const input = extra.input
    ? { name: scrub(extra.input.name), size: extra.input.size, fingerprint: extra.input.fingerprint ?? null, ...(extra.input.positions ? { positions: [...extra.input.positions] } : {}) }
    : null;
  return {
    format: MANIFEST_FORMAT,
    format_version: MANIFEST_VERSION,
    app: APP_NAME,
    app_version: APP_VERSION,
    settings: { ...manifestSettings(run.snapshot, scrub), ...(run.engine ? { engine: run.engine } : {}) },
    input,
    started_at: run.startedAt,
    finished_at: run.finishedAt,
    stopped: run.stopped,
    stop_reason: run.stopReason !== undefined ? scrub(run.stopReason) : null,
    counts: manifestCounts(stats, extra.skipped?.length ?? 0),
    pair_ids: run.records.map((r) => r.pair_id),
    skipped: (extra.skipped ?? []).map((e) => ({ path: scrub(e.path), reason: scrub(e.reason) })),
    notices: (extra.notices ?? []).map(scrub),
    ...(extra.sweep ? { sweep: extra.sweep } : {}),
    ...(extra.labelsSource ? { labels_source: scrub(extra.labelsSource) } : {}),
  };
}
