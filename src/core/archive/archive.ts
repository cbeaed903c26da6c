/**
 * The job's archive builder (job.ts ArchiveBuilder): collects each final record as the run goes
 * and, when it ends, writes summary.xlsx, results/<pair>.json and run.json with the snapshot the
 * run actually used. `build` is where the bytes are made: buildResultsZip in this thread by
 * default; in the browser, the archive session that the `sink` fed as the run went
 * (archive-client.ts startArchive). The report input is run/report-input.ts's, as every archive's.
 */
import type { ArchiveBuilder } from '../run/job.ts';
import type { PairRecord } from '../run/records.ts';
import type { ReportInput } from './report.ts';
import { reportInputOfRun, type RunFacts } from '../run/report-input.ts';

export interface ArchiveBuilderOptions extends RunFacts {
  build?: (input: ReportInput) => Promise<Uint8Array>;
  /** Also receives each record as it arrives, in order (an archive written as the run goes: archive-client.ts startArchive). */
  sink?: { add(record: PairRecord, index: number): void };
}

async function buildHere(input: ReportInput): Promise<Uint8Array> {
  const { buildResultsZip } = await import('./report.ts');
  return buildResultsZip(input);
}

export function createArchiveBuilder(o: ArchiveBuilderOptions = {}): ArchiveBuilder {
  const records: PairRecord[] = [];
  const build = o.build ?? buildHere;
  return {
    add: (record, index) => {
      records[index] = record;
      o.sink?.add(record, index);
    },
    finish: (run) => build(reportInputOfRun(records.length === run.records.length ? { ...run, records } : run, o)),
  };
}
