/**
 * "Copy as cURL": the exact request the playground sends, as a shell command.
 * Secrets are masked unless the caller asks for them.
 */
import { buildHeaders, type ProviderContract } from './contracts.ts';
import { endpointUrl, type Credentials } from './request.ts';
import { redactUrl } from './safe-url.ts';

export const MASK = '<hidden>';

export interface CurlInput {
  contract: ProviderContract;
  baseUrl: string;
  credentials: Credentials;
  uniqueId?: string;
  /** File names for the two parts, as the user will have them on disk. */
  fileNames: readonly [string, string];
  includeSecrets: boolean;
}

/** Quotes a value for POSIX shells. */
export function shellQuote(value: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(value)) return value;
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

export function buildCurl(input: CurlInput): string {
  const { contract } = input;
  const creds: Credentials = { ...input.credentials };
  if (!input.includeSecrets) {
    for (const c of contract.credentials) if (c.secret && creds[c.key]) creds[c.key] = MASK;
  }
  // Credentials never belong in the URL (the settings refuse them); they are left out even with secrets shown.
  const lines = [`curl -sS -X POST ${shellQuote(redactUrl(endpointUrl(contract, input.baseUrl)))}`];
  for (const [name, value] of Object.entries(buildHeaders(contract, creds))) {
    lines.push(`-H ${shellQuote(`${name}: ${value}`)}`);
  }
  contract.imageFields.forEach((field, i) => {
    lines.push(`-F ${shellQuote(`${field}=@${input.fileNames[i]}`)}`);
  });
  const uid = input.uniqueId?.trim();
  if (uid && contract.uniqueIdField) lines.push(`-F ${shellQuote(`${contract.uniqueIdField}=${uid}`)}`);
  return lines.join(' \\\n  ');
}
