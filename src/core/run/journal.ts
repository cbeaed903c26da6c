/**
 * The run journal: what a bulk run needs to survive a reload, a closed tab or a crash.
 *
 * When a run starts, the journal stores the input ZIP's name, size, lastModified and fingerprint
 * (fingerprint.ts), the pair list, the settings snapshot WITHOUT secrets (unless the user turned on
 * "Remember on this device"), and the labels when there are any. While it runs, every final record
 * is appended, in batches, never leaving more than FLUSH_MS of records unwritten; each pair's send
 * is marked as it starts, so a Resume knows which pair was in flight (it is sent again and its
 * record says `resumed: true`).
 *
 * The journal logic lives here and in journal-run.ts (what a running, resumed or re-run run
 * needs: the recorder, the resume plan, re-run records), framework- and DOM-free; storage is injected as a JournalBackend
 * (the browser uses IndexedDB through `idb`: src/lib/journal-idb.ts; tests use fake-indexeddb or a
 * Map). A storage failure never stops a run: it is reported once through `onError` as a sentence.
 */
import { contractById, isContractLoaded, type CredentialKey, type ProviderContract } from '../contracts/contracts.ts';
import { PRESET_IDS } from '../providers/emulation.ts';
import type { PairEntry, PairRecord, SkippedEntry } from './records.ts';
import type { CallSettings, Credentials } from '../request/request.ts';
import type { SweepSettings } from '../sweep/spec.ts';
import { systemClock, type Clock } from './clock.ts';
import { isDone } from './done.ts';

/** The longest a final record waits in memory before it is written (it is usually written at once). */
export const FLUSH_MS = 500;
/** A batch this large is written without waiting for the timer. */
export const FLUSH_RECORDS = 500;
/** Runs kept in the journal; older ones are deleted when a run starts. */
export const KEEP_RUNS = 5;

export type JournalStatus = 'running' | 'stopped' | 'finished';

/** The settings a run used, as stored: the contract by id, secrets only when remembered. */
export interface JournalSettings {
  contractId: string;
  baseUrl: string;
  /** Non-secret credentials always (client ID); secret ones only when `remembered`. */
  credentials: Credentials;
  uniqueId?: string;
  timeoutMs: number;
  retries: number;
  concurrency?: number;
  ratePerSecond?: number | null;
  /** True when "Remember on this device" was on: the secret credentials were stored too. */
  remembered: boolean;
  /**
   * The user's own definition (not a preset), as data, so the run can be resumed after a reload
   * that no longer knows it. A definition holds no secret (its schema refuses one).
   */
  definition?: ProviderContract;
}

export interface JournalInput {
  name: string;
  size: number;
  lastModified: number;
  fingerprint: string;
}

export interface JournalProgress {
  /** Pairs done (run/done.ts: answered, or excluded by the user). */
  done: number;
  /** Of those, calls that did not succeed (not_run excluded). */
  failed: number;
  notRun: number;
}

export interface JournalRun {
  id: string;
  /** Date.now() when the run was created (the journal keeps the newest KEEP_RUNS). */
  createdAt: number;
  updatedAt: number;
  input: JournalInput;
  pairs: PairEntry[];
  skipped: SkippedEntry[];
  notices: string[];
  settings: JournalSettings;
  labels?: unknown;
  /** A robustness sweep's settings: `pairs` are the sweep's (each pair, then its variants), rebuilt from the ZIP on Resume. */
  sweep?: SweepSettings;
  status: JournalStatus;
  /** True once the run's archive was saved by the user (auto-download or "Download"). */
  downloaded: boolean;
  progress: JournalProgress;
  startedAt: string;
  finishedAt?: string;
  stopReason?: string;
  /** How many pairs the last re-run sent again ("Re-run failed" / "Run remaining"). */
  rerun?: number;
}

export interface JournalEntry {
  index: number;
  record: PairRecord;
}

/** What the journal needs from storage. Every method may reject (quota, storage disabled). */
export interface JournalBackend {
  putRun(run: JournalRun): Promise<void>;
  getRun(id: string): Promise<JournalRun | undefined>;
  /** Every run, any order. */
  listRuns(): Promise<JournalRun[]>;
  /**
   * Writes the records (replacing those with the same index), the run's new progress and the
   * pairs whose call started (`sent`), atomically.
   */
  append(runId: string, entries: readonly JournalEntry[], progress: JournalProgress, updatedAt: number, sent?: readonly number[]): Promise<void>;
  /** The run's records and the indices marked sent (the `unrecorded` register's included). */
  readRun(runId: string): Promise<{ records: JournalEntry[]; sent: number[] }>;
  deleteRun(runId: string): Promise<void>;
  /**
   * Optional: a synchronous register (the browser keeps it in localStorage) written before each
   * send. It holds every pair whose call started and whose record is not in the database yet, and
   * the records of those already answered, so a send waits for no database write and after a
   * crash only the calls in flight lack a record. Without it, each send awaits a `sent` marker
   * written with every earlier record (one storage round trip per pair). `write` may throw
   * (storage full or disabled): the recorder then falls back to the markers.
   */
  unrecorded?: UnrecordedRegister;
}

export interface UnrecordedRegister {
  write(runId: string, state: { sent: readonly number[]; records: readonly JournalEntry[] }): void;
  /** May answer later (a register in files is read asynchronously on the page). */
  read(runId: string): { sent: number[]; records: JournalEntry[] } | Promise<{ sent: number[]; records: JournalEntry[] }>;
  /**
   * Optional: makes `write` for this run possible (a file handle opened asynchronously), called
   * when the run's journal session starts; when it rejects, or without it for a register that
   * needs it, `write` throws and the recorder falls back to the database's `sent` markers.
   */
  open?(runId: string): Promise<void>;
  /** Optional: the run's journal session ended (everything is in the database). */
  close?(runId: string): void;
}

export type { Clock } from './clock.ts';

/** The sentence shown when the journal cannot write; the run goes on either way. */
export function journalErrorSentence(err: unknown, zipName: string): string {
  const name = err && typeof err === 'object' && 'name' in err ? String((err as { name: unknown }).name) : '';
  const inner = err && typeof err === 'object' && 'inner' in err ? (err as { inner?: { name?: unknown } }).inner?.name : undefined;
  if (name === 'QuotaExceededError' || inner === 'QuotaExceededError' || /quota/i.test(String((err as Error)?.message ?? ''))) {
    return `The browser's storage for this site is full, so the run of ${zipName} is no longer saved as it goes: the run continues, but after a reload it could not be resumed. Free some space (for example delete other sites' data), or keep this tab open until the archive is downloaded.`;
  }
  return `The run of ${zipName} could not be saved in this browser's storage, so after a reload it could not be resumed; the run continues. Keep this tab open until the archive is downloaded (private windows may not allow storage).`;
}

/** The settings to store: secrets stripped unless remembered, the Base URL without userinfo. */
export function journalSettings(
  s: CallSettings & { concurrency?: number; ratePerSecond?: number | null },
  remember: boolean,
): JournalSettings {
  const credentials: Credentials = {};
  for (const c of s.contract.credentials) {
    const v = s.credentials[c.key];
    if (v && (remember || !c.secret)) credentials[c.key] = v;
  }
  const out: JournalSettings = {
    contractId: s.contract.id,
    baseUrl: remember ? s.baseUrl : withoutUserinfo(s.baseUrl),
    credentials,
    timeoutMs: s.timeoutMs,
    retries: s.retries,
    remembered: remember,
  };
  if (s.uniqueId !== undefined) out.uniqueId = s.uniqueId;
  if (!(PRESET_IDS as readonly string[]).includes(s.contract.id)) out.definition = s.contract;
  if (s.concurrency !== undefined) out.concurrency = s.concurrency;
  if (s.ratePerSecond !== undefined) out.ratePerSecond = s.ratePerSecond;
  return out;
}

/** The contract of a stored run: a loaded one by id, else the user's definition stored with the run. */
export function journalContract(run: Pick<JournalRun, 'settings'>): ProviderContract {
  const { contractId, definition } = run.settings;
  return definition && !isContractLoaded(contractId) ? definition : contractById(contractId);
}

/** Secret credentials the contract needs that the journal did not store (ask the user again). */
export function missingSecrets(run: Pick<JournalRun, 'settings'>): ProviderContract['credentials'][number][] {
  const contract = journalContract(run);
  return contract.credentials.filter((c) => c.secret && !run.settings.credentials[c.key]);
}

/**
 * The resume card's sentence about secrets the journal did not store: it names only those whose field
 * is still empty ("Bearer token was not stored … enter it again"), so it never speaks over a filled-in
 * field; null when every one is filled.
 */
export function resumeSecretsSentence(
  run: Pick<JournalRun, 'settings'>,
  values: Partial<Record<CredentialKey, string>>,
): string | null {
  const empty = missingSecrets(run).filter((c) => (values[c.key] ?? '').trim() === '');
  if (empty.length === 0) return null;
  const one = empty.length === 1;
  return `${empty.map((c) => c.label).join(' and ')} ${one ? 'was' : 'were'} not stored ("Remember on this device" was off): enter ${one ? 'it' : 'them'} again.`;
}

function withoutUserinfo(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@?#]*@/i, '$1');
}

/** Adds (sign 1) or takes away (sign -1) one record's share of a progress. */
export function countProgress(progress: JournalProgress, record: PairRecord, sign: 1 | -1 = 1): void {
  // "Done" is run/done.ts's rule: a not_run or aborted record is written but its pair is not done.
  if (isDone(record)) progress.done += sign;
  if (!record.success) {
    if (record.error.type === 'not_run') progress.notRun += sign;
    else progress.failed += sign;
  }
}

export function progressOf(records: Iterable<PairRecord>): JournalProgress {
  const progress = { done: 0, failed: 0, notRun: 0 };
  for (const r of records) countProgress(progress, r);
  return progress;
}

/** "Unfinished run of regress.zip: 812 of 10,000 pairs done (3 failed)." */
export function bannerSentence(run: Pick<JournalRun, 'input' | 'pairs' | 'progress' | 'status' | 'downloaded'>): string {
  const total = run.pairs.length;
  const { done, failed } = run.progress;
  const n = (x: number) => x.toLocaleString('en');
  const failedPart = failed ? ` (${n(failed)} failed)` : '';
  if (run.status === 'running') {
    return `Unfinished run of ${run.input.name}: ${n(done)} of ${n(total)} pair${total === 1 ? '' : 's'} done${failedPart}.`;
  }
  return `The results of ${run.input.name} (${n(total)} pair${total === 1 ? '' : 's'}${failedPart}) were not downloaded.`;
}

/** Which runs to delete when a new run starts: downloaded ones, then the oldest beyond `keep - 1`. */
export function runsToDelete(runs: readonly JournalRun[], keep = KEEP_RUNS): JournalRun[] {
  const downloaded = runs.filter((r) => r.downloaded);
  const rest = runs.filter((r) => !r.downloaded).sort((a, b) => b.createdAt - a.createdAt);
  return [...downloaded, ...rest.slice(Math.max(0, keep - 1))];
}

/** The newest run that is unfinished or whose archive was not downloaded, for the banner. */
export function pickBannerRun(runs: readonly JournalRun[]): JournalRun | null {
  const open = runs.filter((r) => r.status === 'running' || !r.downloaded);
  open.sort((a, b) => b.createdAt - a.createdAt);
  return open[0] ?? null;
}

export class Journal {
  readonly #backend: JournalBackend;
  readonly #clock: Clock;
  #seq = 0;

  constructor(backend: JournalBackend, clock: Clock = systemClock) {
    this.#backend = backend;
    this.#clock = clock;
  }

  get backend(): JournalBackend {
    return this.#backend;
  }

  get clock(): Clock {
    return this.#clock;
  }

  newId(): string {
    return `run-${this.#clock.now().toString(36)}-${(this.#seq++).toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
  }

  /** Stores a new run and deletes downloaded and surplus old runs. Rejects when storage fails. */
  async start(run: Omit<JournalRun, 'createdAt' | 'updatedAt' | 'progress' | 'downloaded' | 'status'> & Partial<Pick<JournalRun, 'progress' | 'status'>>): Promise<JournalRun> {
    const now = this.#clock.now();
    const full: JournalRun = {
      ...run, createdAt: now, updatedAt: now, downloaded: false,
      status: run.status ?? 'running', progress: run.progress ?? { done: 0, failed: 0, notRun: 0 },
    };
    const others = (await this.#backend.listRuns()).filter((r) => r.id !== full.id);
    for (const old of runsToDelete(others)) await this.#backend.deleteRun(old.id);
    await this.#backend.putRun(full);
    return full;
  }

  async update(id: string, patch: Partial<Omit<JournalRun, 'id'>>): Promise<JournalRun | undefined> {
    const run = await this.#backend.getRun(id);
    if (!run) return undefined;
    const next = { ...run, ...patch, updatedAt: this.#clock.now() };
    await this.#backend.putRun(next);
    return next;
  }

  async list(): Promise<JournalRun[]> {
    return (await this.#backend.listRuns()).sort((a, b) => b.createdAt - a.createdAt);
  }

  async banner(): Promise<JournalRun | null> {
    return pickBannerRun(await this.#backend.listRuns());
  }

  async read(id: string): Promise<{ run: JournalRun; entries: JournalEntry[]; sent: number[] } | null> {
    const run = await this.#backend.getRun(id);
    if (!run) return null;
    const { records, sent } = await this.#backend.readRun(id);
    records.sort((a, b) => a.index - b.index);
    return { run, entries: records, sent };
  }

  discard(id: string): Promise<void> {
    return this.#backend.deleteRun(id);
  }

}

