/**
 * "Copy as cURL": the exact request the playground sends, as a shell command, for any definition:
 * multipart, JSON, urlencoded or octet bodies, template headers, a query in the path, preparatory
 * steps (each answer's captured values kept in shell variables with jq) and AWS signing (curl's
 * own --aws-sigv4). It is built by the run's own request builders (providers/parts.ts, body.ts)
 * with the images standing in as their files: an image sent as text becomes
 * `$(base64 < file | tr -d '\n')`, `{{uuid}}` becomes `$uuid`, set once with `uuid=$(uuidgen)`.
 * Secrets are masked unless the caller asks for them. Loaded on demand (a definition without a
 * template is rendered at once by curl-shell.ts `plainCurl`).
 */
import { buildHeaders, joinUrl, type JsonPath, type RequestTemplate } from '../contracts/contracts.ts';
import { endpointUrl, withContentType } from './request.ts';
import {
  curlStart, fileParts, formPart, headerArgs, joinArgs, maskedCredentials, needsTemplateCurl, plainCurl, shellQuote, type CurlInput,
} from './curl-shell.ts';
import {
  BODY_CONTENT_TYPE, fieldParts, jsonBodyValue, octetSlot, templateHeaders, type TemplateContext,
} from '../providers/body.ts';
import { plainParts } from '../providers/parts.ts';

export { MASK, shellQuote, type CurlInput } from './curl-shell.ts';

// A value the shell computes is marked inside the built strings (private-use characters never
// appear in a definition's JSON as written by JSON.stringify, nor in a file name a user types).
const OPEN = '\uE000';
const CLOSE = '\uE001';
const mark = (token: string): string => `${OPEN}${token}${CLOSE}`;
const MARKED = new RegExp(`${OPEN}([^${CLOSE}]*)${CLOSE}`, 'g');

type Expand = (token: string) => string;
type Piece = { text: string } | { shell: string };

/** A built string as literal text and shell expansions. */
function pieces(value: string, expand: Expand): Piece[] {
  const out: Piece[] = [];
  let at = 0;
  for (const m of value.matchAll(MARKED)) {
    if (m.index > at) out.push({ text: value.slice(at, m.index) });
    out.push({ shell: expand(m[1]!) });
    at = m.index + m[0].length;
  }
  if (at < value.length) out.push({ text: value.slice(at) });
  return out;
}

/** One shell word: single-quoted when nothing is computed, else double-quoted with the expansions. */
function word(value: string, expand: Expand): string {
  const parts = pieces(value, expand);
  if (parts.every((p) => 'text' in p)) return shellQuote(value);
  return `"${parts.map((p) => ('text' in p ? p.text.replace(/["\\$`]/g, '\\$&') : p.shell)).join('')}"`;
}

/** A here-document body (expansions live, literal backslash, dollar and backquote escaped). */
function hereDoc(value: string, expand: Expand): string {
  return pieces(value, expand).map((p) => ('text' in p ? p.text.replace(/[\\$`]/g, '\\$&') : p.shell)).join('');
}

const HEREDOC = 'JSON';

/** A shell variable for a step's captured value: `detect1_faceId`. */
function stepVariable(step: string, name: string): string {
  return `${step}_${name}`.replace(/[^A-Za-z0-9_]/g, '_');
}

/** A jq filter for a JSON path: `.[0]["faceId"]`. */
function jqFilter(path: JsonPath): string {
  return `.${path.map((p) => (/^\d+$/.test(p) ? `[${p}]` : `[${JSON.stringify(p)}]`)).join('')}`;
}

export function buildCurl(input: CurlInput): string {
  const { contract, fileNames } = input;
  if (!needsTemplateCurl(contract)) return plainCurl(input);
  const creds = maskedCredentials(contract, input.credentials, input.includeSecrets);
  let usesUuid = false;
  const expand: Expand = (token) => {
    const b64 = /^b64:([01])$/.exec(token);
    if (b64) return `$(base64 < ${shellQuote(fileNames[Number(b64[1])]!)} | tr -d '\\n')`;
    // One {{uuid}} per call, as the run sends: a shell variable set once.
    if (token === 'uuid') usesUuid = true;
    return `\${${token === 'uuid' ? 'uuid' : token.slice('var:'.length)}}`;
  };
  const images = fileParts(fileNames);
  const steps: Record<string, Record<string, string>> = {};
  for (const step of contract.steps ?? []) {
    steps[step.id] = Object.fromEntries(Object.keys(step.capture).map((name) => [name, mark(`var:${stepVariable(step.id, name)}`)]));
  }
  const ctx: TemplateContext = {
    images, uniqueId: input.uniqueId, credentials: creds, steps, uuid: mark('uuid'), base64: [mark('b64:0'), mark('b64:1')],
  };

  /** One call: its URL, headers and body, as curl arguments. */
  const command = (url: string, template: RequestTemplate | null): string[] => {
    const lines = [curlStart(url)];
    const contentType = template && template.encoding !== 'multipart' ? BODY_CONTENT_TYPE[template.encoding] : undefined;
    const headers = withContentType({ ...buildHeaders(contract, creds), ...(template ? templateHeaders(template, ctx) : {}) }, { contentType });
    if (contract.signing) {
      lines.push(`--aws-sigv4 ${shellQuote(`aws:amz:${creds.region?.trim() || 'us-east-1'}:${contract.signing.service}`)}`);
      lines.push(`--user ${shellQuote(`${creds.access_key_id?.trim() ?? ''}:${creds.secret_access_key?.trim() ?? ''}`)}`);
      if (creds.session_token?.trim()) headers['X-Amz-Security-Token'] = creds.session_token.trim();
    }
    const quote = (v: string) => word(v, expand);
    lines.push(...headerArgs(headers, quote));
    if (!template) {
      lines.push(...plainParts(contract, images, input.uniqueId, creds).map((p) => formPart(p, quote)));
    } else if (template.encoding === 'multipart') {
      lines.push(...fieldParts(template, contract.authFields, ctx).map((p) => formPart(p, quote)));
    } else if (template.encoding === 'urlencoded') {
      for (const p of fieldParts(template, contract.authFields, ctx)) lines.push(`--data-urlencode ${word(`${p.name}=${'value' in p ? p.value : ''}`, expand)}`);
    } else if (template.encoding === 'octet') {
      lines.push(`--data-binary ${shellQuote(`@${fileNames[octetSlot(template)]}`)}`);
    } else {
      lines.push(`--data-binary @- <<${HEREDOC}\n${hereDoc(JSON.stringify(jsonBodyValue(template, contract.authFields, ctx)), expand)}\n${HEREDOC}`);
    }
    return lines;
  };

  const out: string[] = [];
  for (const step of contract.steps ?? []) {
    const answer = stepVariable(step.id, 'answer');
    out.push(`# ${step.id}: its answer's ${Object.values(step.capture).map((p) => p.join('.')).join(', ')} ${Object.keys(step.capture).length > 1 ? 'are' : 'is'} used below (needs jq)`);
    out.push(`${answer}=$(${joinArgs(command(joinUrl(input.baseUrl, step.path), step.request))}\n)`);
    for (const [name, path] of Object.entries(step.capture)) {
      out.push(`${stepVariable(step.id, name)}=$(printf '%s' "$${answer}" | jq -r ${shellQuote(jqFilter(path))})`);
    }
  }
  out.push(joinArgs(command(endpointUrl(contract, input.baseUrl), contract.request ?? null)));
  if (usesUuid) out.unshift('uuid=$(uuidgen)');
  return out.join('\n');
}
