/**
 * A journalled run as a run again: its settings snapshot (Resume, "Download results so far") and
 * the archive of what it has so far, through the one ReportInput builder, so that archive has
 * run.json (it can be merged and reopened with its settings) and, with labels, the evaluation.
 */
import { journalContract, type JournalEntry, type JournalRun } from './journal.ts';
import type { JobSnapshot } from './job.ts';
import { recordsSoFar } from './journal-run.ts';
import type { Credentials } from '../request/request.ts';
import type { ReportInput } from '../archive/report.ts';
import { collectSecrets } from '../secrets/secrets.ts';
import { clampConcurrency, clampRate } from '../contracts/setting-rules.ts';
import { isDone } from './done.ts';
import { reportInputOfRun, type RunLabels } from './report-input.ts';
import { sweepManifest } from '../sweep/variants.ts';

/** The snapshot a journalled run used; `typed` are credentials typed again (they win when not empty). */
export function journalSnapshot(run: Pick<JournalRun, 'settings'>, typed: Credentials = {}): JobSnapshot {
  const saved = run.settings;
  const again = Object.fromEntries(Object.entries(typed).filter(([, v]) => typeof v === 'string' && v.trim() !== '')) as Credentials;
  return {
    contract: journalContract(run),
    baseUrl: saved.baseUrl,
    credentials: { ...saved.credentials, ...again },
    timeoutMs: saved.timeoutMs,
    retries: saved.retries,
    ...(saved.uniqueId !== undefined ? { uniqueId: saved.uniqueId } : {}),
    concurrency: clampConcurrency(saved.concurrency),
    ratePerSecond: clampRate(saved.ratePerSecond),
  };
}

/** The labels a journalled run stored (plain data), or null. */
export function journalLabels(run: Pick<JournalRun, 'labels'>): RunLabels | null {
  const l = run.labels as Partial<RunLabels> | undefined;
  if (!l || typeof l.source !== 'string' || !Array.isArray(l.labels)) return null;
  const labels = l.labels.filter((e): e is readonly [string, 'same' | 'different'] =>
    Array.isArray(e) && typeof e[0] === 'string' && (e[1] === 'same' || e[1] === 'different'));
  return labels.length ? { labels, source: l.source } : null;
}

/** The archive input of "Download results so far": journalled records, the others not_run, stopped. */
export function soFarReportInput(read: { run: JournalRun; entries: readonly JournalEntry[]; sent: readonly number[] }, nowMs: number): ReportInput {
  const { run } = read;
  const snapshot = journalSnapshot(run);
  const records = recordsSoFar(run, read.entries, read.sent);
  const stopped = run.status !== 'finished' || !records.every(isDone);
  const stopReason = run.stopReason ?? `The page was closed or reloaded after ${read.entries.length} of ${run.pairs.length} pairs; this archive holds the results so far, the rest as not_run.`;
  return reportInputOfRun({
    records,
    snapshot,
    startedAt: run.startedAt,
    finishedAt: run.finishedAt ?? new Date(nowMs).toISOString(),
    stopped,
    ...(stopped ? { stopReason } : {}),
    secrets: collectSecrets(snapshot).values(),
  }, {
    skipped: run.skipped,
    notices: run.notices,
    input: { name: run.input.name, size: run.input.size, fingerprint: run.input.fingerprint },
    labels: journalLabels(run),
    // A sweep's: its settings and the fingerprints its journalled records carry, so the archive has its Robustness sheet.
    ...(run.sweep ? { sweep: (done) => sweepManifest(run.sweep!, done) } : {}),
  });
}
