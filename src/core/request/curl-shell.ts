/**
 * "Copy as cURL", the part that loads with the page: shell quoting, secret masking and the command
 * of a definition without a request template (KwikID, Deepvue: multipart from the run's own
 * plainParts). Definitions with templates, steps or signing are rendered by curl.ts, loaded with them.
 */
import { buildHeaders, type ProviderContract } from '../contracts/contracts.ts';
import { endpointUrl } from '../contracts/contracts.ts';
import type { Credentials } from './request.ts';
import { redactUrl } from '../secrets/safe-url.ts';
import { bytesPart, plainParts, type ImagePart, type Part } from '../providers/parts.ts';

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

/** True when the definition's request needs curl.ts (a request template, steps or signing). */
export function needsTemplateCurl(contract: ProviderContract): boolean {
  return Boolean(contract.request || contract.steps?.length || contract.signing);
}

/** The credentials with every secret one masked, unless the user asked for secrets. */
export function maskedCredentials(contract: ProviderContract, credentials: Credentials, includeSecrets: boolean): Credentials {
  const creds: Credentials = { ...credentials };
  if (!includeSecrets) {
    for (const c of contract.credentials) if (c.secret && creds[c.key]) creds[c.key] = MASK;
  }
  return creds;
}

/** How a built string becomes one shell word (curl.ts also expands the values the shell computes). */
export type Quote = (value: string) => string;

/** A multipart part as a curl argument: a file with @, a value as text (--form-string when it starts with @ or <, e.g. <hidden>). */
export function formPart(p: Part, quote: Quote = shellQuote): string {
  return 'image' in p
    ? `-F ${shellQuote(`${p.name}=@${p.image.name}`)}`
    : `${/^[@<]/.test(p.value) ? '--form-string' : '-F'} ${quote(`${p.name}=${p.value}`)}`;
}

/** The two images as parts named like the user's files (never read: a command names files). */
export function fileParts(fileNames: readonly [string, string]): readonly [ImagePart, ImagePart] {
  const type = (name: string) => (/\.png$/i.test(name) ? 'image/png' : /\.webp$/i.test(name) ? 'image/webp' : 'image/jpeg');
  return [bytesPart(fileNames[0], new Uint8Array(0), type(fileNames[0])), bytesPart(fileNames[1], new Uint8Array(0), type(fileNames[1]))];
}

/** The first line of a call: credentials never belong in the URL (the settings refuse them), so none is shown even with secrets. */
export function curlStart(url: string): string {
  return `curl -sS -X POST ${shellQuote(redactUrl(url))}`;
}

export function headerArgs(headers: Readonly<Record<string, string>>, quote: Quote = shellQuote): string[] {
  return Object.entries(headers).map(([name, value]) => `-H ${quote(`${name}: ${value}`)}`);
}

export const joinArgs = (lines: readonly string[]): string => lines.join(' \\\n  ');

/** The command of a definition without a request template: its headers and multipart fields, as the run builds them. */
export function plainCurl(input: CurlInput): string {
  const { contract } = input;
  if (needsTemplateCurl(contract)) throw new Error(`"${contract.id}" has a request template: its command is built by curl.ts.`);
  const creds = maskedCredentials(contract, input.credentials, input.includeSecrets);
  return joinArgs([
    curlStart(endpointUrl(contract, input.baseUrl)),
    ...headerArgs(buildHeaders(contract, creds)),
    ...plainParts(contract, fileParts(input.fileNames), input.uniqueId, creds).map((p) => formPart(p)),
  ]);
}
