/**
 * The CLI's one seam to core's bulk run. Everything the run does (reading pairs, the request,
 * retries, records, the order of records, not_run on stop) happens in core; this file only maps
 * the CLI's options onto it, and holds the CLI's auth policy (where a rejected token comes from
 * and what to tell the user).
 */
import type { ProviderContract } from '../core/contracts.ts';
import { fetchToken, type CallDeps, type CallSettings, type Credentials, type ImagePart } from '../core/request.ts';
import type { PairEntry, PairRecord } from '../core/records.ts';
import { runBulk } from '../core/runner.ts';
import { UsageError } from './args.ts';
import { CREDENTIAL_ENV, suppliedKeys } from './credentials.ts';

export interface CliAuthAction {
  action: 'retry' | 'stop';
  credentials?: Credentials;
  reason?: string;
}

export interface CliJobOptions {
  pairs: readonly PairEntry[];
  readPair: (pair: PairEntry) => Promise<[ImagePart, ImagePart]>;
  settings: CallSettings;
  concurrency: number;
  signal: AbortSignal;
  onRecord: (record: PairRecord, index: number) => void;
  /** Awaited before every attempt (the shared rate budget). */
  beforeAttempt?: (signal?: AbortSignal) => Promise<void>;
  deps?: CallDeps;
}

export interface CliJobResult {
  records: PairRecord[];
  startedAt: string;
  finishedAt: string;
  stopped: boolean;
  stopReason?: string;
  /** Every secret used, renewed tokens included: scrubbed from the archive. */
  secrets: string[];
}

/** What to do about an HTTP 401: fetch a new token once when the contract issues them, else stop with a sentence. */
export async function cliAuthDecision(
  contract: ProviderContract, settings: CallSettings, refreshed: boolean, signal?: AbortSignal, deps: CallDeps = {},
): Promise<CliAuthAction> {
  const names = suppliedKeys(contract).map((k) => CREDENTIAL_ENV[k]).join(' and ');
  if (!contract.tokenEndpoint) {
    return { action: 'stop', reason: `The API rejected the ${contract.label} credentials (HTTP 401), so the run was stopped. Set ${names} to valid values and run again; the archive holds what was done.` };
  }
  if (refreshed) {
    return { action: 'stop', reason: `The API rejected a freshly issued token too (HTTP 401), so the run was stopped. Check ${names}; the archive holds what was done.` };
  }
  const token = await fetchToken(contract, settings.baseUrl, settings.credentials, signal, { ...(deps.fetch ? { fetch: deps.fetch } : {}) });
  if (token.ok && token.token) return { action: 'retry', credentials: { token: token.token } };
  return { action: 'stop', reason: `The API rejected the token (HTTP 401) and getting a new one failed: ${token.message} Check ${names}; the archive holds what was done.` };
}

function secretsOf(s: CallSettings): string[] {
  return s.contract.credentials.filter((c) => c.secret).map((c) => s.credentials[c.key] ?? '').filter((v) => v.trim() !== '');
}

export async function runCliJob(opts: CliJobOptions): Promise<CliJobResult> {
  if (opts.concurrency > 1) {
    throw new UsageError(`--concurrency ${opts.concurrency}: this version sends one pair at a time (core's concurrent bulk job has not landed yet); leave out --concurrency.`);
  }
  let settings: CallSettings = { ...opts.settings, credentials: { ...opts.settings.credentials } };
  const secrets = new Set(secretsOf(settings));
  let authReason: string | undefined;
  // Until core's job takes a beforeAttempt hook, the rate budget gates each fetch.
  const gate = opts.beforeAttempt;
  const baseFetch = opts.deps?.fetch ?? globalThis.fetch.bind(globalThis);
  const deps: CallDeps | undefined = gate
    ? { ...opts.deps, fetch: async (input, init) => { await gate(init?.signal ?? undefined); return baseFetch(input, init); } }
    : opts.deps;
  const summary = await runBulk({
    pairs: opts.pairs,
    readPair: opts.readPair,
    settings: () => settings,
    signal: opts.signal,
    ...(deps ? { deps } : {}),
    onRecord: opts.onRecord,
    onAuthFailure: async (_rec, info) => {
      const decision = await cliAuthDecision(settings.contract, settings, info.refreshed, opts.signal, opts.deps);
      if (decision.action === 'retry') {
        if (decision.credentials) {
          settings = { ...settings, credentials: { ...settings.credentials, ...decision.credentials } };
          for (const s of secretsOf(settings)) secrets.add(s);
        }
        return 'retry';
      }
      authReason = decision.reason;
      return 'stop';
    },
  });
  const stopReason = authReason ?? summary.stopReason;
  return {
    records: summary.records,
    startedAt: summary.startedAt,
    finishedAt: summary.finishedAt,
    stopped: summary.stopped,
    ...(stopReason !== undefined ? { stopReason } : {}),
    secrets: [...secrets],
  };
}
