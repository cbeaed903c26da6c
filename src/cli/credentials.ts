/**
 * Credentials for the CLI come from the environment only (flags show in process lists and shell
 * history). Names match the reference server's own variables.
 */
import type { CredentialKey, ProviderContract } from '../core/contracts.ts';
import { DEMO_CREDENTIALS } from '../core/defaults.ts';
import type { Credentials } from '../core/request.ts';
import { UsageError } from './args.ts';

export const CREDENTIAL_ENV: Readonly<Record<CredentialKey, string>> = {
  token: 'FACEMATCH_TOKEN',
  clientId: 'DEEPVUE_CLIENT_ID',
  clientSecret: 'DEEPVUE_CLIENT_SECRET',
};

/** The credentials the user supplies for a contract (a token the contract issues itself is fetched, not supplied). */
export function suppliedKeys(contract: ProviderContract): CredentialKey[] {
  return contract.credentials.map((c) => c.key).filter((k) => !(k === 'token' && contract.tokenEndpoint));
}

/** True for a Base URL on this machine (where the reference server's demo values may be used). */
export function isLocalBaseUrl(baseUrl: string): boolean {
  try {
    const host = new URL(baseUrl).hostname.replace(/^\[|\]$/g, '');
    return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
  } catch {
    return false;
  }
}

export interface ResolvedCredentials {
  credentials: Credentials;
  /** True when the reference server's public demo values are used. */
  demo: boolean;
}

/**
 * Reads the contract's credentials from the environment. With none set and a Base URL on this
 * machine, the reference server's demo values are used (as the browser does on its own origin);
 * against any other host a missing credential is a usage error naming the variable.
 */
export function credentialsFromEnv(
  contract: ProviderContract, baseUrl: string, env: Readonly<Record<string, string | undefined>>,
): ResolvedCredentials {
  const keys = suppliedKeys(contract);
  const given = keys.filter((k) => (env[CREDENTIAL_ENV[k]] ?? '').trim() !== '');
  if (given.length === 0 && isLocalBaseUrl(baseUrl)) {
    const credentials: Credentials = {};
    for (const k of keys) credentials[k] = DEMO_CREDENTIALS[k];
    return { credentials, demo: true };
  }
  const missing = keys.filter((k) => !given.includes(k));
  if (missing.length) {
    const names = missing.map((k) => CREDENTIAL_ENV[k]).join(' and ');
    throw new UsageError(`${contract.label} at ${baseUrl} needs ${names} in the environment (credentials are never read from flags), e.g. export ${CREDENTIAL_ENV[missing[0]!]}=...`);
  }
  const credentials: Credentials = {};
  for (const k of keys) credentials[k] = env[CREDENTIAL_ENV[k]]!.trim();
  return { credentials, demo: false };
}
