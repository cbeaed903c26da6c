/**
 * `facematch` command-line arguments: parsed with node:util's parseArgs, then checked here so
 * every mistake gets one sentence that names the flag and says what to do (exit code 2).
 * Credentials are never flags: they come from the environment (see credentials.ts).
 */
import { parseArgs } from 'node:util';
import { deepvue, kwikid } from '../core/contracts/contracts.ts';
import { DEFAULT_CONCURRENCY, DEFAULT_RETRIES, DEFAULT_TIMEOUT_MS } from '../core/contracts/defaults.ts';
import { PRESET_IDS, type PresetId } from '../core/providers/emulation.ts';
import { VENDOR_PRESETS } from '../core/providers/vendor-presets.ts';
import { NUMERIC_SETTINGS, acceptedRange, readNumericSetting, type NumericSetting } from '../core/contracts/setting-rules.ts';
import type { Shard } from '../core/pairing/shard.ts';
import { joinOr } from '../core/common/text.ts';
import { mergeSteps, parseSweepSide, parseSweepStep, SweepSpecError, type SweepSettings } from '../core/sweep/spec.ts';

/** Every preset (the CLI loads them all at once; the browser loads the vendor presets on demand). */
const contracts = [kwikid, deepvue, ...VENDOR_PRESETS].sort((a, b) => PRESET_IDS.indexOf(a.id as PresetId) - PRESET_IDS.indexOf(b.id as PresetId));

export const DEFAULT_BASE_URL = 'http://127.0.0.1:8080';

/** A usage or input mistake; `message` is the sentence to print before exiting with code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export interface RunArgs {
  command: 'run';
  zip: string;
  /** A preset id; with `providerFile`, the definition's id once it is read. */
  provider: string;
  /** A definition file (JSON) to run instead of a preset. */
  providerFile?: string;
  baseUrl: string;
  /** Undefined: facematch-bulk-<ms>.zip in the current folder. */
  out?: string;
  concurrency: number;
  /** Calls per second; undefined = no limit. */
  rate?: number;
  timeoutMs: number;
  retries: number;
  labels?: string;
  junit?: string;
  shard?: Shard;
  rateStore?: string;
  /** Fraction 0–1. */
  failUnderAccuracy?: number;
  /** Exit 1 when FMR (failures excluded, at the API's decision) is over this fraction. */
  failOverFmr?: number;
  /** Exit 1 when FNMR (failures excluded, at the API's decision) is over this fraction. */
  failOverFnmr?: number;
  /** Failed pairs tolerated before the exit code is 1 (default 0: any failed pair fails the run). */
  maxErrors: number;
  /** A robustness sweep (--sweep, --sweep-side). */
  sweep?: SweepSettings;
}

export interface MergeArgs {
  command: 'merge';
  inputs: string[];
  out?: string;
}

/** `usage`: no command at all, a usage error that prints the usage (exit code 2). */
export type Command = RunArgs | MergeArgs | { command: 'serve' } | { command: 'help'; topic?: string } | { command: 'usage' } | { command: 'version' };

export const USAGE = `Usage:
  facematch run <pairs.zip> [--provider ID | --provider-file def.json] [--base-url URL] [--out FILE]
                [--concurrency N] [--rate R] [--timeout S] [--retries N]
                [--labels CSV] [--junit FILE] [--shard I/N] [--rate-store redis://HOST:PORT]
                [--fail-under-accuracy X] [--fail-over-fmr X] [--fail-over-fnmr X] [--max-errors N]
                [--sweep NAME=L1,L2,... ...] [--sweep-side image2|image1|both]
  facematch merge <a.zip> <b.zip> [...] [--out FILE]
  facematch serve            the reference server (PORT, HOST and the server's variables apply)

Providers (--provider): ${contracts.map((c) => c.id).join(', ')};
or your own definition with --provider-file def.json (see docs/providers.md).

Credentials come from the environment, never from flags: each as FACEMATCH_CRED_<KEY>, the key
in upper snake case (e.g. FACEMATCH_CRED_API_KEY). Also read:
  FACEMATCH_TOKEN                               bearer token (KwikID)
  DEEPVUE_CLIENT_ID, DEEPVUE_CLIENT_SECRET      Deepvue client credentials (the token is fetched and refreshed)
With none set and a Base URL on this machine, the reference server's demo values are used.

Defaults: --provider kwikid, --base-url ${DEFAULT_BASE_URL} (plus the preset's emulator path,
e.g. /emulate/facepp), --out facematch-bulk-<ms>.zip,
--concurrency ${DEFAULT_CONCURRENCY} (up to ${NUMERIC_SETTINGS.concurrency.max}), no rate limit (--rate: calls per second, ${NUMERIC_SETTINGS.rate.min} to ${NUMERIC_SETTINGS.rate.max}), --timeout ${DEFAULT_TIMEOUT_MS / 1000}, --retries ${DEFAULT_RETRIES}.
--shard I/N runs the pairs whose position (natural order of pair ids) mod N is I-1; write
--shard auto/N to take I from JOB_COMPLETION_INDEX + 1 (Kubernetes Indexed Jobs).

--sweep sends every pair as it is and once per perturbation level, as <pair_id>~<name>-<level>
(repeat it: --sweep jpeg=90,50,15 --sweep blur=2,4; a name alone takes its default levels):
jpeg (quality), size (% of the longest side, scaled back up), blur (σ px), brightness (%),
contrast (%), rotation (degrees clockwise), noise (σ on 0–255). --sweep-side picks the image
perturbed (default image2). The archive gets a Robustness sheet and report.html section;
only the pairs as loaded count against --max-errors (a variant's failure is what is measured).


Exit codes: 0 every pair succeeded (at most --max-errors N pairs failed, default 0) and the
accuracy threshold holds; 1 a pair failed (more than --max-errors), the run was stopped, or
--fail-under-accuracy failed; 2 a usage or input error (no command included).`;

type Env = Readonly<Record<string, string | undefined>>;

const RUN_OPTIONS = {
  provider: { type: 'string' },
  'provider-file': { type: 'string' },
  'base-url': { type: 'string' },
  out: { type: 'string' },
  concurrency: { type: 'string' },
  rate: { type: 'string' },
  timeout: { type: 'string' },
  retries: { type: 'string' },
  labels: { type: 'string' },
  junit: { type: 'string' },
  shard: { type: 'string' },
  'rate-store': { type: 'string' },
  'fail-under-accuracy': { type: 'string' },
  'fail-over-fmr': { type: 'string' },
  'fail-over-fnmr': { type: 'string' },
  'max-errors': { type: 'string' },
  sweep: { type: 'string', multiple: true },
  'sweep-side': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

const MERGE_OPTIONS = {
  out: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

const NO_OPTIONS = { help: { type: 'boolean', short: 'h' } } as const;

type OptionSpec = Readonly<Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }>>;

interface Parsed {
  values: Record<string, string | boolean | undefined>;
  /** Every value of an option that may be repeated (`multiple`), in order. */
  lists: Record<string, string[]>;
  positionals: string[];
}

/** Parses one command's arguments; every problem becomes a UsageError sentence. */
function parseFor(command: string, args: readonly string[], options: OptionSpec): Parsed {
  // Non-strict so that each problem can be worded here, naming the flag.
  const { tokens } = parseArgs({ args: [...args], options, strict: false, allowPositionals: true, tokens: true });
  const values: Parsed['values'] = {};
  const lists: Parsed['lists'] = {};
  const positionals: string[] = [];
  const known = Object.keys(options);
  for (const t of tokens) {
    if (t.kind === 'positional') {
      positionals.push(t.value);
      continue;
    }
    if (t.kind !== 'option') continue;
    const spec = options[t.name];
    if (!spec) {
      const near = known.find((k) => k.startsWith(t.name) || t.name.startsWith(k));
      throw new UsageError(`facematch ${command} has no option ${t.rawName}${near ? ` (did you mean --${near}?)` : ''}. Run facematch ${command} --help for the list.`);
    }
    if (values[t.name] !== undefined && !spec.multiple) throw new UsageError(`${t.rawName} is given twice; give it once.`);
    if (spec.type === 'boolean') {
      if (t.inlineValue) throw new UsageError(`${t.rawName} takes no value; write it alone.`);
      values[t.name] = true;
    } else {
      if (t.value === undefined || t.value === '') throw new UsageError(`${t.rawName} needs a value, e.g. ${example(t.name)}.`);
      values[t.name] = t.value;
      if (spec.multiple) (lists[t.name] ??= []).push(t.value);
    }
  }
  return { values, lists, positionals };
}

function example(name: string): string {
  switch (name) {
    case 'provider': return '--provider deepvue';
    case 'provider-file': return '--provider-file my-vendor.json';
    case 'base-url': return '--base-url https://api.example.com';
    case 'out': return '--out results.zip';
    case 'concurrency': return '--concurrency 4';
    case 'rate': return '--rate 5';
    case 'timeout': return '--timeout 30';
    case 'retries': return '--retries 2';
    case 'labels': return '--labels labels.csv';
    case 'junit': return '--junit junit.xml';
    case 'shard': return '--shard 1/3';
    case 'rate-store': return '--rate-store redis://127.0.0.1:6379';
    case 'fail-under-accuracy': return '--fail-under-accuracy 0.95';
    case 'fail-over-fmr': return '--fail-over-fmr 0.1%';
    case 'fail-over-fnmr': return '--fail-over-fnmr 5%';
    case 'max-errors': return '--max-errors 5';
    case 'sweep': return '--sweep jpeg=90,50,15';
    case 'sweep-side': return '--sweep-side image2';
    default: return `--${name} VALUE`;
  }
}

function str(v: string | boolean | undefined): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/**
 * A number flag that is a connection setting, read by the settings' own rule (core/setting-rules):
 * what the panel accepts, the flag accepts; otherwise a sentence naming the flag (exit code 2).
 */
function settingFlag(flag: string, field: NumericSetting, raw: string, what: string): number | null {
  const got = readNumericSetting(field, raw);
  if (!got.ok) throw new UsageError(`--${flag} must be ${acceptedRange(field)} (${what}), not "${raw}".`);
  return got.value;
}

function wholeNumber(flag: string, raw: string, min: number, max: number, what: string): number {
  if (!/^\d+$/.test(raw.trim()) || Number(raw) < min || Number(raw) > max) {
    throw new UsageError(`--${flag} must be a whole number from ${min} to ${max} (${what}), not "${raw}".`);
  }
  return Number(raw);
}

/** `I/N` (1-based), or `auto/N` with I from JOB_COMPLETION_INDEX (0-based) + 1. */
export function parseShard(raw: string, env: Env = {}): Shard {
  const m = /^\s*(\d+|auto)\s*\/\s*(\d+)\s*$/i.exec(raw);
  if (!m) throw new UsageError(`--shard must look like I/N, e.g. --shard 2/3 for the second of three shards (or auto/3 with JOB_COMPLETION_INDEX set), not "${raw}".`);
  const count = Number(m[2]);
  if (count < 1) throw new UsageError(`--shard ${raw}: the number of shards must be 1 or more.`);
  let index: number;
  if (m[1]!.toLowerCase() === 'auto') {
    const jci = env.JOB_COMPLETION_INDEX;
    if (jci === undefined || jci.trim() === '') {
      throw new UsageError(`--shard ${raw} takes the shard number from JOB_COMPLETION_INDEX, which is not set. Set it (Kubernetes Indexed Jobs do) or write the number, e.g. --shard 1/${count}.`);
    }
    if (!/^\d+$/.test(jci.trim())) throw new UsageError(`JOB_COMPLETION_INDEX must be a whole number from 0 to ${count - 1}, not "${jci}".`);
    index = Number(jci) + 1;
    if (index > count) throw new UsageError(`JOB_COMPLETION_INDEX is ${jci}, but --shard ${raw} has only ${count} shard${count === 1 ? '' : 's'} (indices 0 to ${count - 1}). Make the job's completions equal N.`);
  } else {
    index = Number(m[1]);
    if (index < 1 || index > count) throw new UsageError(`--shard ${raw}: the shard number must be from 1 to ${count}.`);
  }
  return { index, count };
}

function parseBaseUrl(raw: string): string {
  let u: URL;
  try {
    u = new URL(raw.trim());
  } catch {
    throw new UsageError(`--base-url "${raw}" is not a URL. Give one like https://api.example.com or ${DEFAULT_BASE_URL}.`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') {
    throw new UsageError(`--base-url must start with http:// or https://, not ${u.protocol}//.`);
  }
  if (u.username || u.password) {
    throw new UsageError('--base-url must not hold a user name or password (flags show in process lists); put credentials in the environment (FACEMATCH_CRED_<KEY>, FACEMATCH_TOKEN or DEEPVUE_CLIENT_ID / DEEPVUE_CLIENT_SECRET).');
  }
  if (u.search || u.hash) throw new UsageError(`--base-url must not have a query string or fragment; give only the origin and path, e.g. ${u.origin}${u.pathname}.`);
  return raw.trim().replace(/\/+$/, '');
}

function parseRateStore(raw: string): string {
  let u: URL;
  try {
    u = new URL(raw.trim());
  } catch {
    throw new UsageError(`--rate-store must be a Redis URL like redis://127.0.0.1:6379, not "${raw}".`);
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') throw new UsageError(`--rate-store must start with redis:// or rediss://, not ${u.protocol}//.`);
  if (!u.hostname) throw new UsageError(`--rate-store ${raw} names no host; write redis://HOST:PORT.`);
  if (u.password) throw new UsageError('--rate-store must not hold a password (flags show in process lists); set FACEMATCH_REDIS_PASSWORD instead.');
  return raw.trim();
}

function parseAccuracy(raw: string, flag = '--fail-under-accuracy', example = '0.95) or a percentage (e.g. 95%'): number {
  const s = raw.trim();
  const pct = /^(\d+(?:\.\d+)?)\s*%$/.exec(s);
  const n = pct ? Number(pct[1]) / 100 : /^\d*\.?\d+$/.test(s) ? Number(s) : NaN;
  if (!Number.isFinite(n) || n < 0 || n > 1) {
    throw new UsageError(`${flag} must be a fraction from 0 to 1 (e.g. ${example}), not "${raw}".`);
  }
  return n;
}

function parseSweep(steps: readonly string[], side: string | undefined): SweepSettings | undefined {
  if (!steps.length) {
    if (side !== undefined) throw new UsageError('--sweep-side picks the image a sweep perturbs, so it needs --sweep too, e.g. --sweep jpeg=90,50,15 --sweep-side image2.');
    return undefined;
  }
  try {
    return { steps: mergeSteps(steps.map(parseSweepStep)), side: side === undefined ? 'image2' : parseSweepSide(side) };
  } catch (err) {
    if (err instanceof SweepSpecError) throw new UsageError(`--sweep${side !== undefined && err.message.includes('image to perturb') ? '-side' : ''}: ${err.message}`);
    throw err;
  }
}

function parseRun(args: readonly string[], env: Env): RunArgs | { command: 'help'; topic: string } {
  const { values: v, lists, positionals } = parseFor('run', args, RUN_OPTIONS);
  if (v.help) return { command: 'help', topic: 'run' };
  if (positionals.length === 0) throw new UsageError('facematch run needs the ZIP of pairs to run, e.g. facematch run pairs.zip.');
  if (positionals.length > 1) throw new UsageError(`facematch run takes one ZIP, but got ${positionals.length}: ${positionals.join(', ')}. Run them one at a time, or join them into one ZIP.`);
  const providerFile = str(v['provider-file']);
  if (providerFile !== undefined && v.provider !== undefined) {
    throw new UsageError('Give either --provider or --provider-file, not both: --provider names a preset, --provider-file your own definition.');
  }
  const provider = (str(v.provider) ?? 'kwikid').trim().toLowerCase();
  const preset = contracts.find((c) => c.id === provider);
  if (!preset && providerFile === undefined) {
    throw new UsageError(`--provider must be one of ${joinOr(contracts.map((c) => c.id))}, not "${str(v.provider)}"; for another API write a definition and give it with --provider-file.`);
  }
  // No --rate is no limit (an empty value is refused before this as a flag without a value).
  const rate = v.rate === undefined ? undefined : settingFlag('rate', 'rate', str(v.rate)!, 'calls started per second') ?? undefined;
  const timeoutS = v.timeout === undefined ? null : settingFlag('timeout', 'timeout', str(v.timeout)!, 'seconds');
  const timeoutMs = timeoutS === null ? DEFAULT_TIMEOUT_MS : Math.round(timeoutS * 1000);
  const rateStore = str(v['rate-store']);
  if (rateStore !== undefined && rate === undefined) {
    throw new UsageError('--rate-store shares a rate budget, so it needs --rate too, e.g. --rate 5 --rate-store redis://127.0.0.1:6379.');
  }
  const out: RunArgs = {
    command: 'run',
    zip: positionals[0]!,
    provider,
    baseUrl: parseBaseUrl(str(v['base-url']) ?? `${DEFAULT_BASE_URL}${providerFile === undefined ? preset?.demoBasePath ?? '' : ''}`),
    concurrency: v.concurrency === undefined ? DEFAULT_CONCURRENCY : settingFlag('concurrency', 'concurrency', str(v.concurrency)!, 'calls in flight at once')!,
    timeoutMs,
    retries: v.retries === undefined ? DEFAULT_RETRIES : settingFlag('retries', 'retries', str(v.retries)!, 'extra attempts after a transient failure')!,
    maxErrors: v['max-errors'] === undefined ? 0 : wholeNumber('max-errors', str(v['max-errors'])!, 0, 1_000_000, 'failed pairs tolerated'),
  };
  if (providerFile !== undefined) out.providerFile = providerFile;
  if (str(v.out) !== undefined) out.out = str(v.out)!;
  if (rate !== undefined) out.rate = rate;
  if (str(v.labels) !== undefined) out.labels = str(v.labels)!;
  if (str(v.junit) !== undefined) out.junit = str(v.junit)!;
  if (str(v.shard) !== undefined) out.shard = parseShard(str(v.shard)!, env);
  if (rateStore !== undefined) out.rateStore = parseRateStore(rateStore);
  if (str(v['fail-under-accuracy']) !== undefined) out.failUnderAccuracy = parseAccuracy(str(v['fail-under-accuracy'])!);
  if (str(v['fail-over-fmr']) !== undefined) out.failOverFmr = parseAccuracy(str(v['fail-over-fmr'])!, '--fail-over-fmr', '0.001) or a percentage (e.g. 0.1%');
  if (str(v['fail-over-fnmr']) !== undefined) out.failOverFnmr = parseAccuracy(str(v['fail-over-fnmr'])!, '--fail-over-fnmr', '0.05) or a percentage (e.g. 5%');
  const sweep = parseSweep(lists.sweep ?? [], str(v['sweep-side']));
  if (sweep) out.sweep = sweep;
  return out;
}

function parseMerge(args: readonly string[]): MergeArgs | { command: 'help'; topic: string } {
  const { values: v, positionals } = parseFor('merge', args, MERGE_OPTIONS);
  if (v.help) return { command: 'help', topic: 'merge' };
  if (positionals.length < 2) {
    throw new UsageError(`facematch merge needs at least two archives to join, e.g. facematch merge shard1.zip shard2.zip --out all.zip${positionals.length ? `; only ${positionals[0]} was given` : ''}.`);
  }
  const out: MergeArgs = { command: 'merge', inputs: positionals };
  if (str(v.out) !== undefined) out.out = str(v.out)!;
  return out;
}

/** Parses process.argv.slice(2). Throws UsageError with a sentence. */
export function parseCommand(argv: readonly string[], env: Env = {}): Command {
  const [command, ...rest] = argv;
  switch (command) {
    case undefined:
      return { command: 'usage' };
    case 'help':
    case '--help':
    case '-h':
      return { command: 'help', ...(rest[0] ? { topic: rest[0] } : {}) };
    case '--version':
    case '-v':
    case 'version':
      return { command: 'version' };
    case 'run':
      return parseRun(rest, env);
    case 'merge':
      return parseMerge(rest);
    case 'serve': {
      const { values, positionals } = parseFor('serve', rest, NO_OPTIONS);
      if (values.help) return { command: 'help', topic: 'serve' };
      if (positionals.length) throw new UsageError(`facematch serve takes no arguments (got ${positionals.join(' ')}); set PORT or HOST in the environment instead, e.g. PORT=8081 facematch serve.`);
      return { command: 'serve' };
    }
    default:
      throw new UsageError(`"${command}" is not a facematch command. Use run, merge or serve (facematch --help lists them).`);
  }
}
