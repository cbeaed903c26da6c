/**
 * Whether a call can be made with the credentials the user entered, for Single, Bulk and the CLI
 * alike. A credential a header needs must be set, unless the contract can issue it: a missing
 * bearer token is fine when the token endpoint's fields (Deepvue: client ID and client secret)
 * are set, because the caller fetches a token before the first call.
 */
import type { CredentialKey, ProviderContract } from './contracts.ts';
import type { Credentials } from '../request/request.ts';
import { joinAnd } from '../common/text.ts';

const has = (creds: Credentials, key: CredentialKey) => Boolean(creds[key]?.trim());

/** True when the token is empty and the contract's token endpoint can issue one from what is set. */
export function canIssueToken(contract: ProviderContract, creds: Credentials): boolean {
  const te = contract.tokenEndpoint;
  if (!te) return false;
  return (Object.keys(te.fields) as CredentialKey[]).every((k) => has(creds, k));
}

/** True when a token must be fetched before the first call (none is set, but one can be issued). */
export function needsTokenFirst(contract: ProviderContract, creds: Credentials): boolean {
  return contract.headers.some((h) => h.from === 'token') && !has(creds, 'token') && canIssueToken(contract, creds);
}

/**
 * Why no call can be made, as a sentence naming the settings to fill; null when one can.
 * E.g. "Enter the client ID and client secret in the connection settings: Deepvue issues the
 * bearer token from them, and sends the client secret with every call."
 */
export function credentialProblem(contract: ProviderContract, creds: Credentials): string | null {
  const label = (k: CredentialKey) => {
    const l = contract.credentials.find((c) => c.key === k)?.label ?? k;
    return l.charAt(0).toLowerCase() + l.slice(1);
  };
  const missing = new Set<CredentialKey>();
  for (const rule of contract.headers) {
    if (has(creds, rule.from)) continue;
    if (rule.from === 'token' && contract.tokenEndpoint) {
      for (const k of Object.keys(contract.tokenEndpoint.fields) as CredentialKey[]) if (!has(creds, k)) missing.add(k);
    } else {
      missing.add(rule.from);
    }
  }
  if (!missing.size) return null;
  // Keep the settings panel's order.
  const keys = contract.credentials.map((c) => c.key).filter((k) => missing.has(k));
  const names = joinAnd(keys.map(label));
  const te = contract.tokenEndpoint;
  if (te && !has(creds, 'token')) {
    const fields = contract.credentials.map((c) => c.key).filter((k) => k in te.fields);
    const all = fields.every((k) => missing.has(k)) && keys.length === fields.length;
    return all
      ? `Enter the ${names} in the connection settings: ${contract.label} issues the bearer token from them.`
      : `Enter the ${names} in the connection settings (or paste a bearer token): ${contract.label} issues the bearer token from the ${joinAnd(fields.map(label))}.`;
  }
  return `Enter the ${names} in the connection settings: ${contract.label} needs ${keys.length > 1 ? 'them' : 'it'} for every call.`;
}
