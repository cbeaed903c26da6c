/**
 * The job's archive builder (job.ts ArchiveBuilder): collects each final record as the run goes
 * and, when it ends, writes summary.xlsx, results/<pair>.json and run.json with the snapshot the
 * run actually used. `build` is where the bytes are made: buildResultsZip in this thread by
 * default; in the browser, the archive session that the `sink` fed as the run went
 * (archive-client.ts startArchive).
 */
import type { ArchiveBuilder, FinishedRun } from './job.ts';
import { buildManifest, type InputInfo } from './manifest.ts';
import type { PairRecord, SkippedEntry } from './records.ts';
import type { ReportInput } from './report.ts';
import { endpointUrl } from './request.ts';
import { APP_VERSION } from './version.ts';
import type { SweepManifest } from './sweep/variants.ts';

export interface ArchiveBuilderOptions {
  skipped?: readonly SkippedEntry[];
  notices?: readonly string[];
  input?: InputInfo | null;
  build?: (input: ReportInput) => Promise<Uint8Array>;
  /** Also receives each record as it arrives, in order (an archive written as the run goes: archive-client.ts startArchive). */
  sink?: { add(record: PairRecord, index: number): void };
  /** A robustness sweep's run.json section, read when the run ends (the variants' fingerprints are known then). */
  sweep?: () => SweepManifest;
}

async function buildHere(input: ReportInput): Promise<Uint8Array> {
  const { buildResultsZip } = await import('./report.ts');
  return buildResultsZip(input);
}

/** The report input for a finished run: provider, endpoint and Run sheet from the run's snapshot. */
export function reportInputFor(run: FinishedRun, o: Omit<ArchiveBuilderOptions, 'build'> = {}, records: readonly PairRecord[] = run.records): ReportInput {
  const skipped = [...(o.skipped ?? [])];
  const sweep = o.sweep?.();
  return {
    records: [...records],
    skipped,
    notices: [...(o.notices ?? [])],
    contract: run.snapshot.contract,
    endpoint: endpointUrl(run.snapshot.contract, run.snapshot.baseUrl),
    startedAt: run.startedAt,
    finishedAt: run.finishedAt,
    ...(run.stopReason !== undefined ? { stopReason: run.stopReason } : {}),
    secrets: run.secrets,
    settings: {
      timeoutMs: run.snapshot.timeoutMs, retries: run.snapshot.retries,
      concurrency: run.snapshot.concurrency, ratePerSecond: run.snapshot.ratePerSecond,
    },
    ...(o.input ? { inputZip: { name: o.input.name, size: o.input.size } } : {}),
    appVersion: APP_VERSION,
    ...(run.engine ? { engine: run.engine } : {}),
    ...(sweep ? { sweep } : {}),
    manifest: buildManifest(run, { input: o.input ?? null, skipped, notices: o.notices ?? [], ...(sweep ? { sweep } : {}) }),
  };
}

export function createArchiveBuilder(o: ArchiveBuilderOptions = {}): ArchiveBuilder {
  const records: PairRecord[] = [];
  const build = o.build ?? buildHere;
  return {
    add: (record, index) => {
      records[index] = record;
      o.sink?.add(record, index);
    },
    finish: (run) => build(reportInputFor(run, o, records.length === run.records.length ? records : run.records)),
  };
}
