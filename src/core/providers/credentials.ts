/**
 * Credential rules shared by the settings panel and the CLI: which credentials the user supplies,
 * the environment variable each is read from, and the reference server's demo values.
 */
import { PRESET_DEMO_CREDENTIALS, type PresetId } from './emulation.ts';
import type { CredentialKey, ProviderContract } from './types.ts';

/** `clientId` → `client_id`, `api_key` → `api_key`. */
export function snakeKey(key: CredentialKey): string {
  return key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').replace(/[^A-Za-z0-9]+/g, '_').toLowerCase();
}

/** The variables the CLI read before every credential had its FACEMATCH_CRED_<KEY> (still read). */
const LEGACY_ENV: Readonly<Record<string, string>> = {
  token: 'FACEMATCH_TOKEN',
  clientId: 'DEEPVUE_CLIENT_ID',
  clientSecret: 'DEEPVUE_CLIENT_SECRET',
};

/** `FACEMATCH_CRED_<KEY>`, the key in upper snake case. */
export function credentialEnvName(key: CredentialKey): string {
  return `FACEMATCH_CRED_${snakeKey(key).toUpperCase()}`;
}

/** The variable named in messages: the long-standing one where a key has it, else FACEMATCH_CRED_<KEY>. */
export function credentialEnvLabel(key: CredentialKey): string {
  return LEGACY_ENV[key] ?? credentialEnvName(key);
}

/** A credential's value from the environment (FACEMATCH_CRED_<KEY>, then the long-standing name); undefined when unset or blank. */
export function credentialFromEnv(key: CredentialKey, env: Readonly<Record<string, string | undefined>>): string | undefined {
  for (const name of [credentialEnvName(key), LEGACY_ENV[key]]) {
    const v = name ? env[name]?.trim() : undefined;
    if (v) return v;
  }
  return undefined;
}

/** The credentials the user supplies (a token the definition issues itself is fetched, not supplied). */
export function suppliedKeys(contract: ProviderContract): CredentialKey[] {
  return contract.credentials.map((c) => c.key).filter((k) => !(k === 'token' && contract.tokenEndpoint));
}

/** The supplied credentials a call cannot do without. */
export function requiredKeys(contract: ProviderContract): CredentialKey[] {
  const optional = new Set(contract.credentials.filter((c) => c.optional).map((c) => c.key));
  return suppliedKeys(contract).filter((k) => !optional.has(k));
}

/** The reference server's demo value of each supplied credential of a preset ({} for other definitions). */
export function demoCredentials(contract: ProviderContract): Record<CredentialKey, string> {
  const demo = (PRESET_DEMO_CREDENTIALS as Readonly<Record<string, Readonly<Record<string, string>>>>)[contract.id];
  const out: Record<CredentialKey, string> = {};
  if (!demo || !(contract.id in PRESET_DEMO_CREDENTIALS)) return out;
  for (const key of suppliedKeys(contract)) {
    const v = demo[snakeKey(key)] ?? demo[key];
    if (v !== undefined) out[key] = v;
  }
  return out;
}

export type { PresetId };
