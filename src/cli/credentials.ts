/**
 * Credentials for the CLI come from the environment only (flags show in process lists and shell
 * history): every credential as FACEMATCH_CRED_<KEY> (upper snake case), and the long-standing
 * FACEMATCH_TOKEN and DEEPVUE_CLIENT_ID / DEEPVUE_CLIENT_SECRET.
 */
import type { ProviderContract } from '../core/contracts/contracts.ts';
import {
  credentialEnvLabel, credentialFromEnv, demoCredentials, requiredKeys, suppliedKeys,
} from '../core/providers/credentials.ts';
import type { Credentials } from '../core/request/request.ts';
import { UsageError } from './args.ts';

export { suppliedKeys };

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
  const given = keys.filter((k) => credentialFromEnv(k, env) !== undefined);
  const demo = demoCredentials(contract);
  if (given.length === 0 && isLocalBaseUrl(baseUrl) && Object.keys(demo).length > 0) {
    return { credentials: { ...demo }, demo: true };
  }
  const missing = requiredKeys(contract).filter((k) => !given.includes(k));
  if (missing.length) {
    const names = missing.map(credentialEnvLabel).join(' and ');
    throw new UsageError(`${contract.label} at ${baseUrl} needs ${names} in the environment (credentials are never read from flags), e.g. export ${credentialEnvLabel(missing[0]!)}=...`);
  }
  const credentials: Credentials = {};
  for (const k of given) credentials[k] = credentialFromEnv(k, env)!;
  return { credentials, demo: false };
}
