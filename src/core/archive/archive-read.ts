/**
 * Reads a results archive (`facematch-bulk-<ts>.zip`) back into records and run information, so a
 * run can be reopened, merged or compared without calling any API.
 *
 * Only `results/*.json` (one record per pair) and, when present, the root manifest `run.json` are
 * read. `summary.xlsx` is NEVER parsed: the xlsx library has advisories on reading crafted files,
 * and every figure in it can be recomputed from the records.
 *
 * Tolerance, as a user who re-zipped or renamed an archive would expect:
 *  - The archive may sit one folder deep (`facematch-bulk-123/results/a.json`), as after
 *    "extract, then compress the folder" on macOS or Windows. `__MACOSX/` and dotfiles are ignored.
 *  - `run.json` is optional; unknown keys are kept in `run.manifest`, known ones are read with
 *    either snake_case or camelCase spelling, and a malformed manifest is reported as a notice
 *    rather than refusing the records.
 *  - Records keep every field they hold (`resumed`, `previous_error`, `expected`, ...).
 *
 * Order: records come in the manifest's pair order when run.json lists one (`pairs` / `pair_ids` /
 * `order`: pair_ids or objects with a pair_id), otherwise in the archive's entry order, which is
 * the input order for archives written by report.ts.
 *
 * Every failure is an ArchiveReadError whose message names the file (and the entry) and says
 * what to do.
 */
import { errorText } from '../common/text.ts';
import { contracts, readVerdict, type ProviderContract } from '../contracts/contracts.ts';
import { PRESET_IDS } from '../providers/emulation.ts';
import { loadPresets } from '../providers/presets-loader.ts';
import type { PairRecord, SkippedEntry } from '../run/records.ts';
import { ERROR_TYPES, type ErrorType } from '../request/error-types.ts';
import { formatBytes, sniff } from '../zip/filetype.ts';

/** A results archive that cannot be read; `message` is the sentence to show. */
export class ArchiveReadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ArchiveReadError';
  }
}

/** The input ZIP a run was made from, as the manifest describes it. */
export interface ArchiveInputInfo {
  name: string | null;
  size: number | null;
  fingerprint: string | null;
  /** A shard's pairs' places (1-based) among the input ZIP's pairs, in record order; null when not stated. */
  positions: number[] | null;
}

export interface ArchiveRunInfo {
  /** run.json as found (parsed), or null when the archive has none. */
  manifest: Record<string, unknown> | null;
  /** The contract whose verdicts the records hold: from run.json, else inferred from the bodies. */
  contract: ProviderContract;
  /** True when `contract` was named by run.json, false when it was inferred. */
  contractFromManifest: boolean;
  endpoint: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  stopReason: string | null;
  /** Whether the writer says the run was stopped before every pair was sent (null: not said). */
  stopped: boolean | null;
  appVersion: string | null;
  input: ArchiveInputInfo | null;
  /** The settings snapshot (never holds secrets: the writer leaves them out). */
  settings: Record<string, unknown> | null;
  /** Counts as the writer recorded them (the reader recomputes figures from the records). */
  counts: Record<string, number> | null;
  /** How many pairs the writer says were re-run, when it says so. */
  rerun: number | null;
  skipped: SkippedEntry[];
  notices: string[];
  /** Problems with the archive that did not prevent reading it (e.g. a malformed run.json). */
  warnings: string[];
}

export interface ReadResultsArchive {
  fileName: string;
  records: PairRecord[];
  run: ArchiveRunInfo;
}

export interface ReadArchiveOptions {
  /** Largest single JSON entry read (uncompressed). */
  maxEntryBytes?: number;
  /** Largest total of JSON read (uncompressed). */
  maxTotalBytes?: number;
}

export const MAX_RECORD_BYTES = 32 * 1024 * 1024;
export const MAX_ARCHIVE_JSON_BYTES = 1024 * 1024 * 1024;

const ERROR_TYPE_SET: ReadonlySet<ErrorType> = new Set(ERROR_TYPES);
const WHAT_TO_DO = 'Choose a facematch-bulk-<time>.zip downloaded from Bulk mode, as it was downloaded.';

/** True when a file name looks like one of our results archives (facematch-bulk-*.zip). */
export function isResultsArchiveName(name: string): boolean {
  return /^facematch-bulk-.*\.zip$/i.test(name.replace(/^.*[/\\]/, ''));
}

export async function readResultsArchive(
  data: Blob | ArrayBuffer | Uint8Array,
  fileName = 'The selected archive',
  options: ReadArchiveOptions = {},
): Promise<ReadResultsArchive> {
  const maxEntry = options.maxEntryBytes ?? MAX_RECORD_BYTES;
  const maxTotal = options.maxTotalBytes ?? MAX_ARCHIVE_JSON_BYTES;
  let bytes: Uint8Array;
  try {
    bytes = await toBytes(data);
  } catch {
    throw new ArchiveReadError(`${fileName} could not be read from disk. Choose the file again.`);
  }
  if (bytes.length === 0) throw new ArchiveReadError(`${fileName} is empty (0 bytes). ${WHAT_TO_DO}`);
  if (sniff(bytes.subarray(0, 512)) !== 'zip') {
    throw new ArchiveReadError(`${fileName} is not a ZIP archive, so it is not a results archive. ${WHAT_TO_DO}`);
  }

  if (!endRecordConsistent(bytes)) {
    throw new ArchiveReadError(`${fileName} looks like a ZIP but could not be read: it is truncated or damaged (its end record is missing or does not match its contents). Download it again.`);
  }

  const { unzipSync, strFromU8 } = await import('fflate');
  const wanted: string[] = [];
  let names: string[] = [];
  let total = 0;
  let tooBig: { name: string; size: number } | null = null;
  let unsupported: string | null = null;
  let files: Record<string, Uint8Array>;
  try {
    // A first pass over the central directory only (the filter extracts nothing): find the root
    // folder and check the declared sizes before anything is decompressed.
    unzipSync(bytes, { filter: (f) => { names.push(f.name); return false; } });
    const root = findRoot(names);
    names = [];
    files = unzipSync(bytes, {
      filter: (f) => {
        const rel = root === null || !f.name.startsWith(root) ? null : f.name.slice(root.length);
        if (rel === null || !(rel === 'run.json' || /^results\/[^/]+\.json$/i.test(rel)) || ignored(rel)) return false;
        if (f.originalSize > maxEntry) {
          tooBig ??= { name: f.name, size: f.originalSize };
          return false;
        }
        if (f.compression !== 0 && f.compression !== 8) {
          unsupported ??= f.name;
          return false;
        }
        total += f.originalSize;
        if (total > maxTotal) {
          tooBig ??= { name: f.name, size: total };
          return false;
        }
        wanted.push(f.name);
        return true;
      },
    });
    names = wanted.map((n) => (root ? n.slice(root.length) : n));
  } catch (err) {
    throw new ArchiveReadError(`${fileName} looks like a ZIP but could not be read: it is truncated or damaged (${plain(err)}). Download it again.`);
  }
  if (tooBig) {
    const big = tooBig as { name: string; size: number };
    throw new ArchiveReadError(`${big.name} in ${fileName} is ${formatBytes(big.size)} uncompressed, more than a results archive holds (at most ${formatBytes(Math.min(maxEntry, maxTotal))}); it was not decompressed. ${WHAT_TO_DO}`);
  }
  if (unsupported) {
    throw new ArchiveReadError(`${unsupported as string} in ${fileName} uses a compression method other than Stored or Deflate, so it cannot be read. ${WHAT_TO_DO}`);
  }

  const entries = wanted.map((full, i) => ({ full, rel: names[i]! }));
  const manifestEntry = entries.find((e) => e.rel === 'run.json');
  const recordEntries = entries.filter((e) => e !== manifestEntry);
  if (recordEntries.length === 0) {
    throw new ArchiveReadError(`${fileName} holds no results/*.json records, so it is not a results archive (or it was made by a run with no pairs). ${WHAT_TO_DO}`);
  }

  const warnings: string[] = [];
  let manifest: Record<string, unknown> | null = null;
  if (manifestEntry) {
    try {
      const parsed: unknown = JSON.parse(strFromU8(files[manifestEntry.full]!));
      if (isObject(parsed)) manifest = parsed;
      else warnings.push(`run.json in ${fileName} is not a JSON object; the run's settings and input file are unknown.`);
    } catch (err) {
      warnings.push(`run.json in ${fileName} is not valid JSON (${plain(err)}); the run's settings and input file are unknown.`);
    }
  }

  let records = recordEntries.map(({ full }) => {
    let json: unknown;
    try {
      json = JSON.parse(strFromU8(files[full]!));
    } catch (err) {
      throw new ArchiveReadError(`${full} in ${fileName} is not valid JSON (${plain(err)}). The archive was changed or damaged; ${WHAT_TO_DO.charAt(0).toLowerCase()}${WHAT_TO_DO.slice(1)}`);
    }
    return parseRecord(json, `${full} in ${fileName}`);
  });

  if (manifest) records = orderByManifest(records, manifest, fileName, warnings);

  await loadPresets(); // the archive may name, or read like, any preset
  const recorded = await recordedDefinition(manifest, fileName, warnings);
  return { fileName, records, run: runInfo(manifest, records, warnings, recorded) };
}

/**
 * Checks that a parsed JSON value is a result record and returns it (all its fields kept).
 * `where` names the entry in the error sentence.
 */
export function parseRecord(value: unknown, where: string): PairRecord {
  const fail = (what: string): never => {
    throw new ArchiveReadError(`${where} is not a result record: ${what}. The archive was changed or damaged; ${WHAT_TO_DO.charAt(0).toLowerCase()}${WHAT_TO_DO.slice(1)}`);
  };
  if (!isObject(value)) return fail('it is not a JSON object');
  for (const key of ['pair_id', 'image1_path', 'image2_path'] as const) {
    if (typeof value[key] !== 'string') fail(`"${key}" is missing or not text`);
  }
  if (typeof value.success !== 'boolean') fail('"success" is missing or not true/false');
  if (typeof value.attempts !== 'number' || !Number.isFinite(value.attempts) || value.attempts < 0) fail('"attempts" is missing or not a number');
  const nullableNumber = (key: 'http_status' | 'response_time_ms') => {
    const v = value[key];
    if (value.success ? typeof v !== 'number' : v !== null && v !== undefined && typeof v !== 'number') {
      fail(`"${key}" is ${v === undefined ? 'missing' : 'not a number'}`);
    }
  };
  nullableNumber('http_status');
  nullableNumber('response_time_ms');
  if (value.success) {
    if (!('body' in value)) fail('"body" is missing on a successful record');
  } else {
    const e = value.error;
    if (!isObject(e) || typeof e.message !== 'string' || !ERROR_TYPE_SET.has(e.type as ErrorType)) {
      fail(`"error" must hold a "type" (one of ${[...ERROR_TYPES].join(', ')}) and a "message"`);
    }
    // Older or hand-made records may leave the nullable fields out: make them explicit.
    if (value.http_status === undefined) value.http_status = null;
    if (value.response_time_ms === undefined) value.response_time_ms = null;
  }
  return value as unknown as PairRecord;
}

/** The folder (ending in "/", or "" for the archive root) that holds results/, or null when none does. */
function findRoot(names: readonly string[]): string | null {
  let best: string | null = null;
  for (const n of names) {
    if (ignored(n)) continue;
    const m = /^(?:([^/]+)\/)?results\/[^/]+\.json$/i.exec(n);
    if (!m) continue;
    const root = m[1] ? `${m[1]}/` : '';
    if (root === '') return '';
    best ??= root;
  }
  return best;
}

/**
 * True when the last end-of-central-directory record points at a central directory that ends
 * right where the record starts. A truncated archive fails this even when a ZIP stored inside it
 * (summary.xlsx is stored as is) still holds an end record of its own that a reader would take.
 * ZIP64 archives (offsets of 0xFFFFFFFF) are left to the reader.
 */
function endRecordConsistent(bytes: Uint8Array): boolean {
  const min = Math.max(0, bytes.length - 22 - 0xffff);
  for (let i = bytes.length - 22; i >= min; i--) {
    if (bytes[i] !== 0x50 || bytes[i + 1] !== 0x4b || bytes[i + 2] !== 0x05 || bytes[i + 3] !== 0x06) continue;
    const view = new DataView(bytes.buffer, bytes.byteOffset + i, 22);
    const size = view.getUint32(12, true);
    const offset = view.getUint32(16, true);
    if (size === 0xffffffff || offset === 0xffffffff) return true;
    return offset + size === i;
  }
  return false;
}

function ignored(path: string): boolean {
  return path.split('/').some((s) => s === '__MACOSX' || s.startsWith('.'));
}

function orderByManifest(records: PairRecord[], manifest: Record<string, unknown>, fileName: string, warnings: string[]): PairRecord[] {
  const list = manifest.pairs ?? manifest.pair_ids ?? manifest.pairIds ?? manifest.order;
  if (!Array.isArray(list)) return records;
  const ids = list.map((p) => (typeof p === 'string' ? p : isObject(p) && typeof p.pair_id === 'string' ? p.pair_id : null));
  if (ids.some((id) => id === null) || ids.length !== records.length) {
    warnings.push(`run.json in ${fileName} lists ${ids.length} pairs but the archive holds ${records.length} records; the records are shown in the archive's order.`);
    return records;
  }
  const queues = new Map<string, PairRecord[]>();
  for (const r of records) {
    const q = queues.get(r.pair_id);
    if (q) q.push(r);
    else queues.set(r.pair_id, [r]);
  }
  const out: PairRecord[] = [];
  for (const id of ids as string[]) {
    const r = queues.get(id)?.shift();
    if (!r) {
      warnings.push(`run.json in ${fileName} lists pair ${id}, which has no record in results/; the records are shown in the archive's order.`);
      return records;
    }
    out.push(r);
  }
  return out;
}

/**
 * The user's own definition an archive was made with (run.json's settings.provider_definition),
 * checked with the definition schema (loaded only then); undefined for a preset's archive, an
 * archive without one, or one that no longer passes (with a warning).
 */
async function recordedDefinition(manifest: Record<string, unknown> | null, fileName: string, warnings: string[]): Promise<ProviderContract | undefined> {
  const settings = manifest ? pickObject(manifest, 'settings') : null;
  const def = settings?.provider_definition;
  if (!isObject(def) || typeof def.id !== 'string' || (PRESET_IDS as readonly string[]).includes(def.id)) return undefined;
  const { checkDefinition } = await import('../providers/schema.ts');
  const checked = checkDefinition(def);
  if (checked.ok) return checked.definition;
  warnings.push(`run.json in ${fileName} records the provider definition "${def.id}", which this version cannot read (${checked.problems[0]}); its answers are read with the preset they fit best.`);
  return undefined;
}

function runInfo(manifest: Record<string, unknown> | null, records: readonly PairRecord[], warnings: string[], recorded?: ProviderContract): ArchiveRunInfo {
  const m = manifest ?? {};
  const settings = pickObject(m, 'settings', 'settings_snapshot', 'settingsSnapshot');
  const inputRaw = pickObject(m, 'input', 'input_zip', 'inputZip');
  const app = pickObject(m, 'app');
  const named = pickString(m, 'contract', 'contract_id', 'contractId', 'provider', 'provider_id', 'providerId')
    ?? (settings ? pickString(settings, 'contract', 'contract_id', 'contractId', 'provider', 'provider_id', 'providerId') : null);
  const fromManifest = recorded
    ?? (named ? contracts.find((c) => c.id === named.toLowerCase() || c.label.toLowerCase() === named.toLowerCase()) : undefined);
  const countsRaw = pickObject(m, 'counts', 'stats');
  const counts = countsRaw
    ? Object.fromEntries(Object.entries(countsRaw).filter((e): e is [string, number] => typeof e[1] === 'number'))
    : null;
  const rerunRaw = m.rerun ?? m.re_run ?? m.rerunCount ?? m.rerun_count ?? countsRaw?.rerun ?? countsRaw?.re_run;
  return {
    manifest,
    contract: fromManifest ?? inferContract(records),
    contractFromManifest: fromManifest !== undefined,
    endpoint: pickString(m, 'endpoint') ?? (settings ? pickString(settings, 'endpoint') : null),
    startedAt: pickString(m, 'started_at', 'startedAt', 'started'),
    finishedAt: pickString(m, 'finished_at', 'finishedAt', 'finished'),
    stopReason: pickString(m, 'stop_reason', 'stopReason'),
    stopped: typeof m.stopped === 'boolean' ? m.stopped : null,
    appVersion: pickString(m, 'app_version', 'appVersion') ?? (app ? pickString(app, 'version') : null),
    input: inputRaw
      ? {
        name: pickString(inputRaw, 'name', 'file_name', 'fileName'),
        size: pickNumber(inputRaw, 'size', 'bytes'),
        fingerprint: pickString(inputRaw, 'fingerprint'),
        positions: Array.isArray(inputRaw.positions) && inputRaw.positions.every((n) => Number.isInteger(n) && (n as number) > 0)
          ? (inputRaw.positions as number[])
          : null,
      }
      : null,
    settings,
    counts,
    rerun: typeof rerunRaw === 'number' && Number.isFinite(rerunRaw) ? rerunRaw : null,
    skipped: Array.isArray(m.skipped)
      ? m.skipped.filter((s): s is SkippedEntry => isObject(s) && typeof s.path === 'string' && typeof s.reason === 'string')
      : [],
    notices: Array.isArray(m.notices) ? m.notices.filter((n): n is string => typeof n === 'string') : [],
    warnings,
  };
}

/** The contract whose verdict reads most successful bodies; KwikID (the primary spec) on a tie. */
function inferContract(records: readonly PairRecord[]): ProviderContract {
  let best = contracts[0]!;
  let bestHits = -1;
  for (const c of contracts) {
    let hits = 0;
    for (const r of records) if (r.success && readVerdict(c, r.body)) hits++;
    if (hits > bestHits) {
      best = c;
      bestHits = hits;
    }
  }
  return best;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function pickString(o: Record<string, unknown>, ...keys: string[]): string | null {
  for (const k of keys) if (typeof o[k] === 'string' && o[k]) return o[k] as string;
  return null;
}

function pickNumber(o: Record<string, unknown>, ...keys: string[]): number | null {
  for (const k of keys) if (typeof o[k] === 'number' && Number.isFinite(o[k])) return o[k] as number;
  return null;
}

function pickObject(o: Record<string, unknown>, ...keys: string[]): Record<string, unknown> | null {
  for (const k of keys) if (isObject(o[k])) return o[k] as Record<string, unknown>;
  return null;
}

/** An error's message without a stack or a library's name. */
function plain(err: unknown): string {
  const msg = errorText(err);
  return msg.replace(/^(SyntaxError|Error):\s*/, '').replace(/\s+/g, ' ').trim() || 'unknown reason';
}

async function toBytes(data: Blob | ArrayBuffer | Uint8Array): Promise<Uint8Array> {
  if (data instanceof Uint8Array) return data;
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return new Uint8Array(await data.arrayBuffer());
}
