/**
 * `facematch run`: open the ZIP with core's reader, pick the shard, run the pairs through core's
 * bulk job, write the same archive as the browser (core's report builder), and the JUnit report.
 */
import { errorText } from '../core/common/text.ts';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { archiveFileName } from '../core/archive/archive-client.ts';
import type { ProviderContract } from '../core/contracts/contracts.ts';
import { loadContract } from '../core/providers/presets-loader.ts';
import { accuracyOf, confusionAt, evalRows, pct, withOutcomes } from '../core/evaluation/evaluation.ts';
import { loadZipLabels, parseLabels, zipLabelsOverridden, type Expected, type LabelSet } from '../core/pairing/labels.ts';
import { shardNotice } from '../core/archive/merge.ts';
import type { JobSnapshot } from '../core/run/job.ts';
import { buildResultsZip } from '../core/archive/report.ts';
import { runLabels } from '../core/run/report-input.ts';
import { inThreadHost } from '../core/run/host.ts';
import type { RunEvent, RunSummary } from '../core/run/session.ts';
import { endpointUrl } from '../core/request/request.ts';
import { queueTimeoutWarning } from '../core/run/queue-warning.ts';
import { shardIndices } from '../core/pairing/shard.ts';
import { summarise } from '../core/run/stats.ts';
import { openZip, ZipError, type OpenedZip } from '../core/zip/zip.ts';
import { sweepCountSentence } from '../core/sweep/spec.ts';
import { robustnessOf } from '../core/sweep/robustness.ts';
import { inThreadMaker, sweepSource } from '../core/sweep/variants.ts';
import type { PairEntry, SkippedEntry } from '../core/run/records.ts';
import { UsageError, type RunArgs } from './args.ts';
import { credentialsFromEnv } from './credentials.ts';
import { cliAuthPolicy } from './auth.ts';
import { junitXml } from './junit.ts';
import { reportCard, type ReportCard } from '../core/evaluation/card.ts';
import { attributeTable } from '../core/evaluation/input.ts';
import { CONVENTION_LABELS } from '../core/evaluation/acquisition.ts';
import type { Rate } from '../core/evaluation/evaluation.ts';
import { createProgress, type ProgressStream } from './progress.ts';
import { budgetKey, createRateGate, type RateGate } from './rate.ts';

export interface CliIO {
  stdout: ProgressStream;
  stderr: { write(chunk: string): boolean };
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
  /** Aborts the run (Ctrl-C); the partial archive is still written. */
  signal?: AbortSignal;
  now?: () => number;
}

const EXIT_OK = 0;
const EXIT_FAILED = 1;

function fileError(err: unknown, file: string, what: string): UsageError {
  const code = err && typeof err === 'object' && 'code' in err ? String(err.code) : '';
  if (code === 'ENOENT') return new UsageError(`${file} does not exist. Check the path to the ${what}.`);
  if (code === 'EISDIR') return new UsageError(`${file} is a folder, not the ${what}. Give the path of the file.`);
  if (code === 'EACCES' || code === 'EPERM') return new UsageError(`${file} cannot be read (permission denied). Check the ${what}'s permissions.`);
  return new UsageError(`${file} could not be read (${errorText(err)}). Check the path to the ${what}.`);
}

export async function openInputZip(file: string, cwd: string): Promise<{ zip: OpenedZip; bytes: Uint8Array; name: string }> {
  const full = path.resolve(cwd, file);
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(full));
  } catch (err) {
    throw fileError(err, file, 'ZIP of pairs');
  }
  const name = path.basename(file);
  try {
    return { zip: await openZip(bytes, name), bytes, name };
  } catch (err) {
    if (err instanceof ZipError) throw new UsageError(err.message);
    throw new UsageError(`${name} could not be read as a ZIP archive. Check that it is a .zip file that opens on your computer.`);
  }
}

/** Writes a file, turning a failure into a sentence naming it. */
export async function writeOutput(file: string, data: Uint8Array | string, what: string): Promise<void> {
  try {
    await writeFile(file, data);
  } catch (err) {
    const code = err && typeof err === 'object' && 'code' in err ? String(err.code) : '';
    const why = code === 'ENOENT' ? 'its folder does not exist' : code === 'EACCES' || code === 'EPERM' ? 'permission denied' : code === 'EISDIR' ? 'it is a folder' : errorText(err);
    throw new UsageError(`The ${what} could not be written to ${file} (${why}). Choose another path.`);
  }
}

/** A definition file given with --provider-file, validated (each problem a sentence naming the field). */
async function readDefinition(file: string, io: CliIO): Promise<ProviderContract> {
  let text: string;
  try {
    text = await readFile(path.resolve(io.cwd, file), 'utf8');
  } catch (err) {
    throw fileError(err, file, 'provider definition');
  }
  const { checkDefinitionText } = await import('../core/providers/schema.ts');
  const checked = checkDefinitionText(text, path.basename(file));
  if (!checked.ok) throw new UsageError(checked.problems.join('\n'));
  return checked.definition;
}

async function readLabels(file: string, io: CliIO, pairIds: readonly string[]): Promise<LabelSet> {
  let text: string;
  try {
    text = await readFile(path.resolve(io.cwd, file), 'utf8');
  } catch (err) {
    throw fileError(err, file, 'labels CSV');
  }
  const set = parseLabels(text, { source: path.basename(file), pairIds });
  for (const problem of set.problems) io.stderr.write(`facematch: ${problem}\n`);
  if (set.labels.size === 0) {
    throw new UsageError(`${path.basename(file)} labels none of the pairs in the ZIP. Give it a header line "pair_id,expected" and one line per pair, e.g. "pair01,same".`);
  }
  return set;
}

/** pair_id → expected match, for the JUnit report. */
function expectedMatches(labels: ReadonlyMap<string, Expected>): Map<string, boolean> {
  return new Map([...labels].map(([id, e]) => [id, e === 'same']));
}

export async function runCommand(args: RunArgs, io: CliIO): Promise<number> {
  const out = io.stdout;
  const contract = args.providerFile !== undefined ? await readDefinition(args.providerFile, io) : await loadContract(args.provider);
  const { credentials, demo } = credentialsFromEnv(contract, args.baseUrl, io.env);
  const { zip, name, bytes: input } = await openInputZip(args.zip, io.cwd);
  if (zip.pairs.length === 0) {
    throw new UsageError(zip.notices[0] ?? `${name} contains no image pairs. Name the files <stem>_image1.<ext> and <stem>_image2.<ext>.`);
  }
  // Labels: --labels FILE, else the ZIP's own labels.csv (as the browser reads it).
  let labels: LabelSet | null;
  let skipped: SkippedEntry[];
  if (args.labels !== undefined) {
    labels = await readLabels(args.labels, io, zip.pairs.map((p) => p.pair_id));
    skipped = zipLabelsOverridden(zip.skipped, `--labels ${args.labels}`);
  } else {
    const fromZip = await loadZipLabels(zip, name);
    skipped = fromZip.skipped;
    labels = fromZip.labels && fromZip.labels.labels.size > 0 ? fromZip.labels : null;
    for (const problem of fromZip.labels?.problems ?? []) io.stderr.write(`facematch: ${problem}\n`);
  }
  for (const [flag, set] of [['--fail-over-fmr', args.failOverFmr], ['--fail-over-fnmr', args.failOverFnmr]] as const) {
    if (set !== undefined && !labels) throw new UsageError(`${flag} needs labels: ${name} has no labels.csv, so give one with --labels, e.g. --labels labels.csv ${flag} 1%.`);
  }
  if (args.failUnderAccuracy !== undefined && !labels) {
    throw new UsageError(`--fail-under-accuracy needs labels: ${name} has no labels.csv, so give one with --labels, e.g. --labels labels.csv --fail-under-accuracy 0.95.`);
  }
  const indices = args.shard ? shardIndices(zip.pairs, args.shard) : zip.pairs.map((_, i) => i);
  const basePairs = indices.map((i) => zip.pairs[i]!);
  // A sweep: each pair as it is, then one variant pair per perturbation level (core/sweep).
  const sweep = args.sweep;
  const swept = sweep ? sweepSource({ pairs: basePairs, readPair: (p) => zip.readPair(p) }, sweep, inThreadMaker()) : null;
  const pairs: PairEntry[] = swept?.pairs ?? basePairs;
  const readPair = swept ? swept.readPair : (p: PairEntry) => zip.readPair(p);
  if (labels && swept) labels = swept.labels(labels);
  const outFile = path.resolve(io.cwd, args.out ?? archiveFileName(io.now?.() ?? Date.now()));
  const junitFile = args.junit !== undefined ? path.resolve(io.cwd, args.junit) : undefined;

  const snapshot: JobSnapshot = {
    contract,
    baseUrl: args.baseUrl,
    credentials,
    timeoutMs: args.timeoutMs,
    retries: args.retries,
    concurrency: args.concurrency,
    // A shared store paces the attempts itself (deps.beforeAttempt); otherwise core's limiter does.
    ratePerSecond: args.rateStore ? null : args.rate ?? null,
  };
  const endpoint = endpointUrl(contract, args.baseUrl);
  let gate: RateGate | undefined;
  if (args.rate !== undefined && args.rateStore) {
    const account = credentials.clientId ?? credentials.token ?? Object.values(credentials)[0] ?? '';
    gate = await createRateGate({
      rate: args.rate,
      key: budgetKey(endpoint, account),
      store: args.rateStore,
      ...(io.env.FACEMATCH_REDIS_PASSWORD ? { password: io.env.FACEMATCH_REDIS_PASSWORD } : {}),
    });
  }

  // labels.csv's problems join the notices in core (reportInputOfRun), as in the browser.
  const notices = [...zip.notices];
  if (args.shard) notices.push(shardNotice(args.shard.index, args.shard.count, pairs.length, zip.pairs.length, name));

  const counted = sweep ? `sweep of ${sweepCountSentence(basePairs.length, sweep)} (${sweep.side === 'both' ? 'both images' : sweep.side} perturbed)` : `${pairs.length} pair${pairs.length === 1 ? '' : 's'}`;
  out.write(`facematch: ${counted}${args.shard ? ` (shard ${args.shard.index}/${args.shard.count} of ${zip.pairs.length} pairs)` : ''} from ${name} → ${contract.label} ${endpoint}${demo ? ' (demo credentials of the reference server)' : ''}\n`);
  const progress = createProgress(pairs.length, out);
  // The run is core's session, in this thread: the same one the browser runs, without a journal.
  const ended: { summary?: RunSummary; bytes?: Uint8Array; failed?: Extract<RunEvent, { type: 'failed' }> } = {};
  const session = inThreadHost({
    authPolicy: cliAuthPolicy(snapshot),
    ...(gate ? { beforeAttempt: async (s?: AbortSignal) => { await gate.acquire(s); } } : {}),
    // Built whole at the end: written as the run goes, in the one thread that also makes the
    // calls, it measured no faster here (cli-overhead 1.361 either way, 2026-12-02).
    startArchive: () => ({ add: () => {}, finish: (report) => buildResultsZip(report), cancel: () => {} }),
    ...(swept ? { sweep: swept } : {}),
  }).start({
    kind: 'run',
    // A shard states where its pairs are in the ZIP, for merge (a sweep's records are its variants: not stated).
    input: { name, size: input.length, lastModified: 0, ...(args.shard && !swept ? { positions: indices.map((i) => i + 1) } : {}) },
    snapshot,
    // With labels, the archive gets expected/outcome, the Evaluation sheet and report.html's evaluation, as the browser's does.
    labels: runLabels(labels),
    // A shared store paced the calls: the archive states its rate (core's snapshot has none then).
    sharedRate: args.rateStore ? args.rate ?? null : null,
  }, { file: null, zip: { pairs, readPair, skipped, notices, entries: zip.entries } }, (event) => {
    if (event.type === 'records') for (const rec of event.records) progress.record(rec);
    else if (event.type === 'finished') { ended.summary = event.summary; ended.bytes = event.bytes; }
    else if (event.type === 'failed') ended.failed = event;
  });
  const stop = () => session.send({ type: 'stop' });
  if (io.signal?.aborted) stop();
  io.signal?.addEventListener('abort', stop, { once: true });
  try {
    await session.done;
  } finally {
    io.signal?.removeEventListener('abort', stop);
    progress.stop();
    await gate?.close();
  }
  const { summary: result, bytes } = ended;
  if (!result || !bytes) {
    const why = ended.failed ? ` (${ended.failed.reason})` : '';
    throw new Error(ended.failed?.building ? `the results archive of ${name} could not be built${why}` : `the run of ${name} failed${why}`);
  }
  const records = withOutcomes(result.records, contract, labels?.labels ?? null, attributeTable(labels?.attributes));
  await writeOutput(outFile, bytes, 'results archive');
  const headline = labels ? headlineFigures(reportCard(evalRows(records, contract, labels.labels), { threshold: null, ...(labels.attributes ? { attributes: attributeTable(labels.attributes)! } : {}) })) : null;
  if (junitFile) {
    await writeOutput(junitFile, junitXml({
      suite: name, contract, records, timestamp: result.startedAt,
      ...(labels ? { expected: expectedMatches(labels.labels) } : {}), ...(headline ? { properties: headline.properties } : {}),
    }), 'JUnit report');
  }

  const stats = summarise(records, contract);
  out.write(`facematch: ${stats.pairs} record${stats.pairs === 1 ? '' : 's'}: ${stats.succeeded} succeeded (${stats.matches} match, ${stats.nonMatches} no match), ${stats.failed} failed, ${stats.notRun} not run.\n`);
  const queued = queueTimeoutWarning(records, snapshot, { concurrency: '--concurrency', timeout: '--timeout' });
  if (queued) io.stderr.write(`facematch: ${queued}\n`);
  let accuracyFailed = false;
  if (labels) {
    const accuracy = accuracyOf(confusionAt(evalRows(records, contract, labels.labels), null));
    const shown = accuracy.value === null ? 'not measurable (no labelled pair in this run)' : `${pct(accuracy.value)} (${accuracy.correct} of ${accuracy.labelled} labelled pairs decided right)`;
    out.write(`facematch: accuracy against ${labels.source}: ${shown}.\n`);
    if (args.failUnderAccuracy !== undefined && (accuracy.value === null || accuracy.value < args.failUnderAccuracy)) {
      accuracyFailed = true;
      io.stderr.write(`facematch: accuracy ${accuracy.value === null ? 'could not be measured' : `is ${pct(accuracy.value)}`}, under the required ${pct(args.failUnderAccuracy)} (--fail-under-accuracy).\n`);
    }
    for (const line of headline?.lines ?? []) out.write(`facematch: ${line}\n`);
    for (const [flag, limit, r, word] of [['--fail-over-fmr', args.failOverFmr, headline?.fmr, 'FMR'], ['--fail-over-fnmr', args.failOverFnmr, headline?.fnmr, 'FNMR']] as const) {
      if (limit === undefined || !r) continue;
      if (r.value === null || r.value > limit) {
        accuracyFailed = true;
        io.stderr.write(`facematch: ${word} ${r.value === null ? 'could not be measured' : `is ${pct(r.value)}`}, over the allowed ${pct(limit)} (${flag}).\n`);
      }
    }
  }
  const robustness = swept ? robustnessOf(records, contract) : null;
  for (const c of robustness?.curves ?? []) out.write(`facematch: ${c.label}: ${c.sentence}\n`);
  out.write(`facematch: archive written to ${outFile}${junitFile ? `; JUnit report to ${junitFile}` : ''}.\n`);
  if (result.stopped) {
    io.stderr.write(`facematch: ${result.stopReason ?? 'The run was stopped.'} The archive holds a record for every pair; those not sent are not_run.\n`);
    return EXIT_FAILED;
  }
  // In a sweep, a variant that fails (no face at 12.5 %) is what is measured (the Robustness sheet's
  // failures to acquire): only the pairs as loaded count against --max-errors.
  const failed = swept ? summarise(records.filter((_, i) => swept.pairs[i]!.variant === null), contract).failed : stats.failed;
  const tooManyFailed = failed > args.maxErrors;
  if (tooManyFailed) {
    const allowed = args.maxErrors === 0 ? ' (--max-errors N tolerates N failed pairs)' : `, more than the ${args.maxErrors} that --max-errors tolerates`;
    io.stderr.write(`facematch: ${failed} ${swept ? 'original ' : ''}pair${failed === 1 ? '' : 's'} failed${allowed}. The archive's records say why.\n`);
  }
  return accuracyFailed || tooManyFailed ? EXIT_FAILED : EXIT_OK;
}

/** The report card's headline figures: lines the CLI prints and the JUnit suite's properties (fractions). */
export function headlineFigures(card: ReportCard): { lines: string[]; properties: [string, string | number][]; fmr: Rate; fnmr: Rate } {
  const a = card.acquisition;
  const lines = [
    `FMR (${CONVENTION_LABELS.excluded}, at the API's decision): ${a.excluded.fmr.text}.`,
    `FNMR (${CONVENTION_LABELS.excluded}, at the API's decision): ${a.excluded.fnmr.text}.`,
    `FMR (${CONVENTION_LABELS.included}): ${a.included.fmr.text}; FNMR (${CONVENTION_LABELS.included}): ${a.included.fnmr.text}.`,
    `failures to acquire: same-person ${a.fta.same.text}; different-person ${a.fta.different.text}.`,
    ...card.targets.map((t) => `threshold for FMR ≤ ${t.label}: ${t.threshold === null ? t.note : `${t.threshold}, FNMR there ${t.fnmr.text}`}${t.warning ? ` (${t.warning})` : ''}.`),
    card.intervals.sentence,
  ];
  const v = (r: Rate): string | number => (r.value === null ? '' : r.value);
  const properties: [string, string | number][] = [
    ['fmr', v(a.excluded.fmr)], ['fnmr', v(a.excluded.fnmr)],
    ['fmr_failures_included', v(a.included.fmr)], ['fnmr_failures_included', v(a.included.fnmr)],
    ['fta_same', v(a.fta.same)], ['fta_different', v(a.fta.different)],
    ...card.targets.map((t): [string, string | number] => [`threshold_fmr_${t.target}`, t.threshold ?? '']),
    ['intervals', card.intervals.method],
  ];
  return { lines, properties, fmr: a.excluded.fmr, fnmr: a.excluded.fnmr };
}
