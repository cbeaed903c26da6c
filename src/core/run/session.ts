/**
 * The run session: the one owner of a Bulk run, data in and events out. A host (the Bulk store
 * and the CLI in-thread; the tests) gives it a RunPlan of plain data and the platform pieces,
 * reads its events, and sends it two commands: stop, and the answer to an auth pause.
 *
 * It owns what a run needs besides the calls themselves (core's job, job.ts): the journal session,
 * the secrets seen (a renewed token included), one batcher of the records for the host, the
 * archive written as the run goes, and the report input (run/report-input.ts, the one builder).
 *
 * Events, in the order a host sees them:
 *   started → (records | in-flight | auth-pause | snapshot | journal-error)* → building → finished
 * or `failed` instead of finished. Every pair of the input reaches the host in exactly one record
 * of the `records` events (kept ones included, in input order) before `building`.
 */
import { archiveFileName, startArchive, type ArchiveSession } from '../archive/archive-client.ts';
import type { ArchiveStreamBegin } from '../archive/archive-stream.ts';
import { createArchiveBuilder } from '../archive/archive.ts';
import { zipFingerprint } from '../zip/fingerprint.ts';
import {
  canRefreshToken, pauseOnUnauthorized, refreshTokenPolicy, runJob,
  type AuthPolicy, type CallFn, type JobSnapshot,
} from './job.ts';
import type { Journal, JournalRun } from './journal.ts';
import { markResumed, rerunRecord } from './journal-run.ts';
import type { PairRecord } from './records.ts';
import type { ReportInput } from '../archive/report.ts';
import type { CallDeps, Credentials } from '../request/request.ts';
import { collectSecrets, snapshotSecrets } from '../secrets/secrets.ts';
import { summarise, type RunStats } from './stats.ts';
import type { SweepSettings } from '../sweep/spec.ts';
import type { SweepHooks } from '../sweep/variants.ts';
import { errorText } from '../common/text.ts';
import type { OpenedZip } from '../zip/zip.ts';
import { systemClock, type Clock } from './clock.ts';
import { continueSession, startSession, type JournalSession } from './journal-session.ts';
import type { RunLabels } from './report-input.ts';

/** What a run is: a fresh run, a resumed one, or a re-run of some pairs of the last run. */
export type RunKind = 'run' | 'resume' | 'rerun-failed' | 'rerun-remaining';

/** A run, as plain cloneable data. */
export interface RunPlan {
  kind: RunKind;
  /**
   * The input ZIP's file facts (its bytes are the host's RunSource); a shard's `positions` are its
   * pairs' places (1-based) among the ZIP's pairs, stated in run.json for merge.
   */
  input: { name: string; size: number; lastModified: number; positions?: readonly number[] };
  /** The settings snapshot taken at Run (resume: the journal's; re-run: the last run's). */
  snapshot: JobSnapshot;
  /** Records kept as they are: [index, record]. */
  existing?: readonly (readonly [number, PairRecord])[];
  /** Send exactly these indices (their existing records are replaced). */
  only?: readonly number[];
  /** Pairs not to send: [index, reason]. */
  excluded?: readonly (readonly [number, string])[];
  labels: RunLabels | null;
  /** The journal entry to continue (resume, re-run); null starts a new one. */
  journalRun?: JournalRun | null;
  /** Resume: the pairs whose call had started when the page died; their new records say `resumed`. */
  resent?: readonly number[];
  /** Re-run: the previous records, so attempts keep counting and previous_error is kept. */
  previous?: readonly PairRecord[];
  /** Whether "Remember on this device" is on (the journal then keeps the secrets too). */
  remember?: boolean;
  /** A robustness sweep's settings when the host's pairs are its pairs (sweep/variants.ts sweepSource): the journal keeps them for Resume. */
  sweep?: SweepSettings;
  /** The rate a budget shared with other runs kept (the CLI's --rate-store): the Run sheet and run.json state it. */
  sharedRate?: number | null;
}

/** A run paused on a 401 that cannot be fixed automatically. */
export interface AuthPause {
  /** 1-based position of the pair that was rejected. */
  pairNumber: number;
  total: number;
}

/** The pairs sent and not answered yet: how many, and the stem of the one sent first. */
export interface InFlight {
  count: number;
  oldest: string;
}

export interface RunSummary {
  /** One record per pair, in input order. */
  records: PairRecord[];
  stats: RunStats;
  /** True when the run ended with pairs never answered (Stop, a 401 it stopped on, kept not_run pairs). */
  stopped: boolean;
  stopReason?: string;
  /** The snapshot at the end (a renewed token included). */
  snapshot: JobSnapshot;
  startedAt: string;
  finishedAt: string;
  /** The archive's file name, facematch-bulk-<ms>.zip. */
  fileName: string;
}

export type RunEvent =
  /** The run began: how many pairs, and the journal entry it writes (null without a journal). */
  | { type: 'started'; total: number; journalRun: JournalRun | null }
  /** Records in input order since the last batch (kept ones included), with how many pairs this run has done. */
  | { type: 'records'; records: readonly PairRecord[]; done: number }
  | { type: 'in-flight'; inFlight: InFlight | null }
  /** Asked: the API rejected the credentials and they cannot be renewed here; null once answered. */
  | { type: 'auth-pause'; pause: AuthPause | null }
  /** The credentials were renewed (a refreshed token, or the ones given with the pause's answer). */
  | { type: 'snapshot'; snapshot: JobSnapshot }
  | { type: 'journal-error'; sentence: string }
  /** Every record is in; the archive is being finished from this input. */
  | { type: 'building'; input: ReportInput }
  | { type: 'finished'; bytes: Uint8Array; summary: RunSummary; journalRun: JournalRun | null }
  /** The run or its archive failed unexpectedly (`building`: while the archive was finished); `reason` is the error's text. */
  | { type: 'failed'; building: boolean; reason: string };

/** The pairs and their bytes: an opened ZIP, or what a host made of it (a shard, a sweep's variants). */
export type RunSource = Pick<OpenedZip, 'pairs' | 'readPair' | 'skipped' | 'notices' | 'entries'>;

/** What the host provides besides the plan: the input and the platform pieces. */
export interface RunHost {
  zip: RunSource;
  journal?: Journal;
  call?: CallFn;
  fetch?: typeof fetch;
  pageOrigin?: string;
  /** Awaited before every attempt: a rate budget shared with other runs (the CLI's --rate-store). */
  beforeAttempt?: CallDeps['beforeAttempt'];
  /** What to do on a 401; default: renew the token when the settings can, else pause for an answer. */
  authPolicy?: AuthPolicy;
  startArchive?: (begin: ArchiveStreamBegin) => ArchiveSession;
  /** A robustness sweep: each variant's record gets its fingerprint; run.json's section is read from the records when the run ends. */
  sweep?: SweepHooks;
  clock?: Clock;
  /** Shortest interval between two record batches. */
  publishMs?: number;
}

export interface RunSessionHandle {
  /** Stop: the calls in flight are cancelled, the rest not_run; during a pause it is the pause's answer. */
  stop(): void;
  /** The answer to an auth pause: send again (with the credentials given, when any), or stop. */
  answer(answer: 'retry' | 'stop', credentials?: Credentials): void;
  /** Resolves when the run is over (after its 'finished' or 'failed' event and the journal's last write). */
  readonly done: Promise<void>;
}

/** Shortest interval between two record batches to the host. */
export const PUBLISH_MS = 200;

/** The reason of a run the user stopped, when the job gave none. */
export const STOPPED_REASON = 'The run was stopped; the pairs not sent are marked not_run.';

export function startRunSession(plan: RunPlan, host: RunHost, emit: (event: RunEvent) => void): RunSessionHandle {
  const controller = new AbortController();
  let pauseResolver: ((a: { answer: 'retry' | 'stop'; credentials?: Credentials }) => void) | null = null;
  const handle: RunSessionHandle = {
    stop: () => {
      const paused = pauseResolver;
      if (paused) {
        // Stop on the pause banner is the pause's answer (its reason names the rejected pair);
        // the calls still in flight are then cancelled too, once the job has taken the answer.
        paused({ answer: 'stop' });
        setTimeout(() => controller.abort(), 0);
        return;
      }
      controller.abort();
    },
    answer: (answer, credentials) => pauseResolver?.({ answer, ...(credentials ? { credentials } : {}) }),
    done: run(),
  };
  return handle;

  async function run(): Promise<void> {
    const { zip } = host;
    const clock = host.clock ?? systemClock;
    const publishMs = host.publishMs ?? PUBLISH_MS;
    const snapshot = plan.snapshot;
    const contract = snapshot.contract;
    const existing = plan.existing ? new Map(plan.existing) : undefined;
    const secrets = collectSecrets(snapshot);
    const resent = new Set(plan.resent ?? []);
    const previous = plan.previous;
    let doneCount = plan.kind === 'resume' ? (existing?.size ?? 0) : 0;

    // The run journal: a new entry for a fresh run, the same entry for a resume or a re-run.
    let journal: JournalSession | null = null;
    let journalRun = plan.journalRun ?? null;
    if (host.journal) {
      // Every secret of the run, a token renewed mid-run included (onSnapshot adds it).
      const o = { journal: host.journal, onError: (sentence: string) => emit({ type: 'journal-error', sentence }), secrets: () => secrets.values() };
      if (journalRun) {
        journal = await continueSession(o, journalRun, existing ?? new Map());
      } else {
        const started = await startSession(o, {
          file: plan.input, zip, snapshot, remember: plan.remember ?? false, startedAt: new Date(clock.now()).toISOString(),
          ...(plan.labels ? { labels: plan.labels } : {}),
          ...(plan.sweep ? { sweep: plan.sweep } : {}),
        });
        journal = started.session;
        journalRun = started.run;
      }
    }
    emit({ type: 'started', total: zip.pairs.length, journalRun });

    // The one batcher for the host: records (kept ones included, in input order, as the archive
    // gets them) and the calls in flight leave at most every publishMs, so a fast run is not
    // slowed down by rendering.
    let pending: PairRecord[] = [];
    let timer: unknown = null;
    let lastPublish = -Infinity;
    const sending = new Set<number>();
    let sendingChanged = false;
    const flush = () => {
      if (timer !== null) clock.clearTimeout(timer);
      timer = null;
      if (pending.length > 0) {
        const records = pending;
        pending = [];
        emit({ type: 'records', records, done: doneCount });
      }
      if (sendingChanged) {
        sendingChanged = false;
        emit({ type: 'in-flight', inFlight: inFlightOf(sending, zip) });
      }
      lastPublish = clock.now();
    };
    const schedule = () => {
      if (timer !== null) return;
      timer = clock.setTimeout(flush, Math.max(0, lastPublish + publishMs - clock.now()));
    };

    const callDeps: CallDeps = {
      ...(host.pageOrigin ? { pageOrigin: host.pageOrigin } : {}),
      ...(host.fetch ? { fetch: host.fetch } : {}),
      ...(host.beforeAttempt ? { beforeAttempt: host.beforeAttempt } : {}),
    };
    let typed: Credentials | undefined;
    const pause = pauseOnUnauthorized(async (info) => {
      flush();
      emit({ type: 'auth-pause', pause: { pairNumber: info.index + 1, total: info.total } });
      const got = await new Promise<{ answer: 'retry' | 'stop'; credentials?: Credentials }>((resolve) => { pauseResolver = resolve; });
      pauseResolver = null;
      typed = got.credentials;
      emit({ type: 'auth-pause', pause: null });
      return got.answer;
    }, () => typed ?? {});
    const refresh = refreshTokenPolicy(callDeps);
    // Refresh when the snapshot can get its own token; else pause for the host's answer.
    const policy: AuthPolicy = host.authPolicy ?? {
      onUnauthorized: (info, s) => (canRefreshToken(info.snapshot) ? refresh : pause).onUnauthorized(info, s),
    };
    const authPolicy: AuthPolicy = {
      onUnauthorized: (info, s) => {
        flush();
        return policy.onUnauthorized(info, s);
      },
    };

    // The archive is written as records arrive, so it is ready moments after the last answer.
    const archiveSession = (host.startArchive ?? startArchive)({
      contract, secrets: snapshotSecrets(snapshot), labels: plan.labels?.labels ?? null, ...(plan.labels?.attributes ? { attributes: plan.labels.attributes } : {}), total: zip.pairs.length,
    });
    // The archive and the host get the same records, in the same order.
    const sink = {
      add: (record: PairRecord, index: number) => {
        archiveSession.add(record, index);
        pending.push(record);
        schedule();
      },
    };
    let building = false;
    try {
      const result = await runJob({
        pairs: zip.pairs,
        readPair: (pair) => zip.readPair(pair),
        snapshot,
        authPolicy,
        signal: controller.signal,
        deps: callDeps,
        clock,
        ...(host.call ? { call: host.call } : {}),
        ...(existing ? { existing } : {}),
        ...(plan.only ? { only: plan.only } : {}),
        ...(plan.excluded ? { excluded: new Map(plan.excluded) } : {}),
        ...(resent.size || previous || host.sweep
          ? {
            transform: (made: PairRecord, index: number) => {
              const record = host.sweep ? host.sweep.tag(made) : made;
              if (previous?.[index]) return rerunRecord(previous[index], record);
              return resent.has(index) ? markResumed(record) : record;
            },
          }
          : {}),
        onSend: (index) => {
          if (!sending.has(index)) { sending.add(index); sendingChanged = true; schedule(); }
          return journal?.sent(index);
        },
        onSettled: (index) => {
          if (sending.delete(index)) { sendingChanged = true; schedule(); }
        },
        onRecord: (record, index) => {
          doneCount++;
          journal?.record(record, index);
        },
        onSnapshot: (renewed) => {
          secrets.add(renewed);
          emit({ type: 'snapshot', snapshot: renewed });
        },
        archive: createArchiveBuilder({
          sink,
          skipped: zip.skipped,
          notices: zip.notices,
          input: { name: plan.input.name, size: plan.input.size, fingerprint: fingerprintOf(zip), ...(plan.input.positions ? { positions: plan.input.positions } : {}) },
          labels: plan.labels,
          ...(plan.sharedRate != null ? { sharedRate: plan.sharedRate } : {}),
          ...(host.sweep ? { sweep: host.sweep.manifest } : {}),
          build: async (input) => {
            building = true;
            flush();
            emit({ type: 'building', input });
            return archiveSession.finish(input);
          },
        }),
      });
      flush();
      const reason = result.stopReason ?? (result.stopped ? STOPPED_REASON : undefined);
      // The journal learns the run ended while the host shows it: the archive does not wait for storage.
      const journalled = journal?.finish({
        stopped: result.stopped, finishedAt: result.finishedAt,
        ...(reason !== undefined ? { stopReason: reason } : {}),
        ...((plan.kind === 'rerun-failed' || plan.kind === 'rerun-remaining') && plan.only ? { rerun: plan.only.length } : {}),
      });
      emit({
        type: 'finished',
        bytes: result.archive!,
        journalRun,
        summary: {
          records: result.records, stats: summarise(result.records, contract), stopped: result.stopped,
          ...(reason !== undefined ? { stopReason: reason } : {}), snapshot: result.snapshot,
          startedAt: result.startedAt, finishedAt: result.finishedAt, fileName: archiveFileName(clock.now()),
        },
      });
      await journalled;
      await journal?.downloaded();
    } catch (err) {
      archiveSession.cancel();
      flush();
      emit({ type: 'failed', building, reason: errorText(err) });
    } finally {
      if (timer !== null) clock.clearTimeout(timer);
      pauseResolver = null;
    }
  }
}

/** The calls in flight as the host shows them (a Set keeps the order they were sent in). */
export function inFlightOf(sending: ReadonlySet<number>, zip: RunSource): InFlight | null {
  const first = sending.values().next();
  if (first.done) return null;
  return { count: sending.size, oldest: zip.pairs[first.value]?.pair_id ?? '' };
}

/** The input ZIP's central-directory fingerprint, or null when it cannot be taken. */
export function fingerprintOf(zip: RunSource): string | null {
  try {
    return zipFingerprint(zip.entries);
  } catch {
    return null;
  }
}
