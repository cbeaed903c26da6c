/**
 * The schema of a provider definition a user writes (the Custom… editor, `--provider-file`),
 * checked with a maintained schema library. Every problem comes back as a sentence that names
 * the field by its path (`request.encoding`, `credentials[1].key`) and says what to write.
 * Loaded on demand (`import('./schema.ts')`): the first page load never pays for it.
 */
import { z } from 'zod';
import { PRESET_IDS } from './emulation.ts';
import { snakeKey } from './credentials.ts';
import { jsonStrings, placeholderProblem, placeholders, wholeImage } from './template.ts';
import { DEFINITION_VERSION, type ProviderContract, type RequestTemplate } from './types.ts';

const MB = 1024 * 1024;

const jsonPath = z.array(z.string());
const field = z.object({ name: z.string().min(1), value: z.string() }).strict();
const credentialRule = z.object({ name: z.string().min(1), from: z.string().min(1), prefix: z.string().optional() }).strict();
const scalar = z.union([z.string(), z.number(), z.boolean()]);
const answerRule = z.object({
  status: z.array(z.number().int().min(100).max(599)).optional(),
  path: jsonPath.optional(),
  equals: scalar.optional(),
  contains: z.string().optional(),
  empty: z.boolean().optional(),
}).strict();
const requestTemplate = z.object({
  encoding: z.enum(['multipart', 'json', 'urlencoded', 'octet']),
  fields: z.array(field).optional(),
  json: z.unknown().optional(),
  octet: z.string().optional(),
  headers: z.array(field).optional(),
}).strict();

const definition = z.object({
  version: z.literal(DEFINITION_VERSION).optional(),
  id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,47}$/),
  label: z.string().min(1).max(80),
  group: z.string().optional(),
  docs: z.string().optional(),
  path: z.string().min(1),
  imageFields: z.tuple([z.string().min(1), z.string().min(1)]).optional(),
  uniqueIdField: z.string().min(1).optional(),
  request: requestTemplate.optional(),
  credentials: z.array(z.object({
    key: z.string().regex(/^[A-Za-z][A-Za-z0-9_]*$/),
    label: z.string().min(1),
    secret: z.boolean(),
    optional: z.boolean().optional(),
  }).strict()).default([]),
  headers: z.array(credentialRule).default([]),
  authFields: z.array(credentialRule).optional(),
  tokenEndpoint: z.object({
    path: z.string().min(1),
    encoding: z.enum(['urlencoded', 'json']).optional(),
    fields: z.record(z.string(), z.string().min(1)),
    tokenPath: jsonPath.min(1),
    expiryPath: jsonPath.optional(),
    lifetimeSeconds: z.number().positive().optional(),
  }).strict().optional(),
  signing: z.object({ kind: z.literal('aws-sigv4'), service: z.string().min(1) }).strict().optional(),
  steps: z.array(z.object({
    id: z.string().regex(/^[A-Za-z][A-Za-z0-9_]*$/),
    path: z.string().min(1),
    request: requestTemplate,
    capture: z.record(z.string(), jsonPath.min(1)),
  }).strict()).optional(),
  success: answerRule.optional(),
  verdict: z.object({ path: jsonPath.min(1).optional(), matchValue: z.union([z.string(), z.boolean()]).optional() }).strict(),
  confidence: z.object({ path: jsonPath.min(1), scale: z.union([z.literal(1), z.literal(100)]) }).strict().optional(),
  threshold: z.object({ value: z.number().optional(), path: jsonPath.min(1).optional() }).strict().optional(),
  noFace: z.array(answerRule).optional(),
  transactionIdPath: jsonPath.optional(),
  credits: z.object({ path: jsonPath }).strict().optional(),
  reportFields: z.array(z.object({
    header: z.string().min(1), path: jsonPath.min(1), numFmt: z.string().optional(), width: z.number().int().min(4).max(120).default(16),
  }).strict()).optional(),
  errorMessagePaths: z.array(jsonPath).default([['message'], ['error'], ['detail']]),
  acceptedTypes: z.array(z.string()).default(['image/jpeg', 'image/png']),
  maxImageBytes: z.number().int().positive().default(15 * MB),
  demoBasePath: z.string().optional(),
}).strict();

export type DefinitionCheck =
  | { ok: true; definition: ProviderContract }
  | { ok: false; problems: string[] };

/** `request.fields[0].value`, or "The definition" for the whole thing. */
function where(path: readonly PropertyKey[]): string {
  if (path.length === 0) return 'The definition';
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : `${out ? '.' : ''}${String(p)}`;
  return `"${out}"`;
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let cur = input;
  for (const p of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[p];
  }
  return cur;
}

function shown(v: unknown): string {
  if (v === undefined) return 'missing';
  const s = JSON.stringify(v);
  return s.length > 40 ? `${s.slice(0, 37)}…` : s;
}

const TYPE_NAMES: Record<string, string> = {
  string: 'text in quotes', number: 'a number', boolean: 'true or false', array: 'a list in [ ]', object: 'an object in { }',
};

/** One sentence per schema problem, naming the field. */
function sentence(issue: z.core.$ZodIssue, input: unknown): string {
  const at = where(issue.path);
  const value = valueAt(input, issue.path);
  switch (issue.code) {
    case 'invalid_type':
      return value === undefined
        ? `${at} is missing; add it (${TYPE_NAMES[issue.expected] ?? issue.expected}).`
        : `${at} must be ${TYPE_NAMES[issue.expected] ?? issue.expected}, not ${shown(value)}.`;
    case 'invalid_value':
      return `${at} must be ${issue.values.map((v) => JSON.stringify(v)).join(' or ')}, not ${shown(value)}.`;
    case 'unrecognized_keys':
      return `${at} has ${issue.keys.length > 1 ? 'fields' : 'a field'} the format does not know: ${issue.keys.map((k) => `"${k}"`).join(', ')}; check the spelling or remove ${issue.keys.length > 1 ? 'them' : 'it'}.`;
    case 'too_small':
      return issue.origin === 'string'
        ? `${at} must not be empty.`
        : issue.origin === 'array' ? `${at} needs at least ${String(issue.minimum)} item${issue.minimum === 1 ? '' : 's'}.` : `${at} must be at least ${String(issue.minimum)}, not ${shown(value)}.`;
    case 'too_big':
      return issue.origin === 'string' ? `${at} is too long (at most ${String(issue.maximum)} characters).` : `${at} must be at most ${String(issue.maximum)}, not ${shown(value)}.`;
    case 'invalid_format':
      return issue.path[issue.path.length - 1] === 'id'
        ? `${at} must be lower-case letters, digits and dashes (e.g. "my-vendor"), not ${shown(value)}.`
        : `${at} must be letters, digits and underscores starting with a letter, not ${shown(value)}.`;
    case 'invalid_union':
      return `${at} is not one of the accepted forms (${shown(value)}); see docs/providers.md.`;
    default:
      return `${at}: ${issue.message}.`;
  }
}

/** Why a path would leave the Base URL's host, or null when it is a path on it. */
export function pathProblem(path: string): string | null {
  const p = path.trim();
  if (/^[a-z][a-z0-9+.-]*:/i.test(p) || p.startsWith('//') || p.includes('\\')) {
    return 'must be a path on the Base URL (starting with "/"), never a host or a full URL: a definition cannot send your images or credentials anywhere else';
  }
  if (!p.startsWith('/')) return 'must start with "/" (it is appended to the Base URL)';
  try {
    if (new URL(p, 'https://base.invalid').host !== 'base.invalid') return 'must stay on the Base URL\'s host';
  } catch {
    return 'is not a valid path';
  }
  if (/(^|\/)\.\.(\/|$)/.test(p)) return 'must not climb out of the Base URL with ".."';
  return null;
}

/**
 * True for a header, field or query parameter whose name says it carries a credential
 * (Authorization, x-api-key, api_secret, client_secret, password, Ocp-Apim-Subscription-Key, …).
 */
function credentialName(name: string): boolean {
  const n = name.toLowerCase().replace(/[^a-z0-9]/g, '');
  return /^(authorization|proxyauthorization|token|accesstoken|bearer|password|passwd|secret)$/.test(n)
    || /(apikey|appkey|apisecret|clientsecret|secretkey|secretaccesskey|subscriptionkey|password|sessiontoken|accesstoken|authtoken)$/.test(n)
    || /^x.*key$/.test(n);
}

/**
 * Why a written value looks like a credential's value, or null: a definition names credentials
 * and never holds one, since it is shown, exported, stored and written to every archive's run.json.
 */
function embeddedSecret(at: string, name: string, value: string, exampleKey: string): string | null {
  const literal = value.replace(/\{\{[^}]*\}\}/g, '').trim();
  const bearer = /^(bearer|basic|token)\s+\S{4,}/i.test(literal);
  if (!bearer && !(credentialName(name) && literal.replace(/^(bearer|basic|token)\s*/i, '').length >= 4)) return null;
  return `"${at}" holds a value for "${name}" written out: a definition never holds a secret (it is shown, exported and recorded in each archive's run.json). `
    + `Declare it in "credentials" with "secret": true and write "{{credentials.${exampleKey}}}" instead.`;
}

/** Checks that go beyond shapes: paths on the Base URL, known placeholders, declared credentials, no secret written out. */
function semanticProblems(d: z.infer<typeof definition>): string[] {
  const out: string[] = [];
  if ((PRESET_IDS as readonly string[]).includes(d.id)) out.push(`"id" is "${d.id}", a preset's id; give your definition its own id, e.g. "${d.id}-custom".`);
  const checkPath = (at: string, p: string) => {
    const problem = pathProblem(p);
    if (problem) out.push(`"${at}" ${problem} (it is ${shown(p)}).`);
  };
  checkPath('path', d.path);
  if (d.tokenEndpoint) checkPath('tokenEndpoint.path', d.tokenEndpoint.path);
  d.steps?.forEach((s, i) => checkPath(`steps[${i}].path`, s.path));
  if (d.demoBasePath) checkPath('demoBasePath', d.demoBasePath);

  const keys = d.credentials.map((c) => c.key);
  const stepIds = (d.steps ?? []).map((s) => s.id);
  const credential = (at: string, key: string) => {
    if (!keys.includes(key)) out.push(`"${at}" names the credential "${key}", which "credentials" does not declare; add it there or fix the name.`);
  };
  d.headers.forEach((h, i) => credential(`headers[${i}].from`, h.from));
  d.authFields?.forEach((h, i) => credential(`authFields[${i}].from`, h.from));
  if (d.tokenEndpoint) for (const k of Object.keys(d.tokenEndpoint.fields)) credential(`tokenEndpoint.fields.${k}`, k);

  const checkTemplate = (at: string, text: string, earlierSteps: readonly string[]) => {
    for (const name of placeholders(text)) {
      const problem = placeholderProblem(name, keys, earlierSteps);
      if (problem) out.push(`"${at}": ${problem}.`);
    }
  };
  const secret = (where: string, name: string, value: string) => {
    const problem = embeddedSecret(where, name, value, snakeKey(name) || 'api_key');
    if (problem) out.push(problem);
  };
  const queryOf = (where: string, p: string) => {
    const q = p.indexOf('?');
    if (q >= 0) new URLSearchParams(p.slice(q + 1)).forEach((v, k) => secret(where, k, v));
  };
  queryOf('path', d.path);
  d.steps?.forEach((s, i) => queryOf(`steps[${i}].path`, s.path));
  if (d.tokenEndpoint) queryOf('tokenEndpoint.path', d.tokenEndpoint.path);
  const checkRequest = (at: string, t: RequestTemplate, earlierSteps: readonly string[]) => {
    t.fields?.forEach((f, i) => secret(`${at}.fields[${i}].value`, f.name, f.value));
    t.headers?.forEach((f, i) => secret(`${at}.headers[${i}].value`, f.name, f.value));
    for (const s of jsonStrings(t.json)) secret(`${at}.json${s.path.map((p) => `.${p}`).join('')}`, s.path[s.path.length - 1] ?? '', s.text);
    t.fields?.forEach((f, i) => checkTemplate(`${at}.fields[${i}].value`, f.value, earlierSteps));
    t.headers?.forEach((f, i) => checkTemplate(`${at}.headers[${i}].value`, f.value, earlierSteps));
    if (t.json !== undefined) for (const s of jsonStrings(t.json)) checkTemplate(`${at}.json${s.path.map((p) => `.${p}`).join('')}`, s.text, earlierSteps);
    if (t.octet !== undefined) checkTemplate(`${at}.octet`, t.octet, earlierSteps);
    if ((t.encoding === 'multipart' || t.encoding === 'urlencoded') && !t.fields?.length) out.push(`"${at}.fields" is needed for a ${t.encoding} body: list the fields, e.g. [{ "name": "image1", "value": "{{image1}}" }].`);
    if (t.encoding === 'json' && t.json === undefined) out.push(`"${at}.json" is needed for a json body, e.g. { "img1": "{{image1.base64}}" }.`);
    if (t.encoding === 'octet' && (t.octet === undefined || wholeImage(t.octet) === null)) out.push(`"${at}.octet" must be "{{image1}}" or "{{image2}}" for an octet body.`);
  };
  d.steps?.forEach((s, i) => checkRequest(`steps[${i}].request`, s.request, stepIds.slice(0, i)));
  if (d.request) checkRequest('request', d.request, stepIds);
  if (d.signing && d.request?.encoding === 'multipart') out.push('"signing" needs a json, urlencoded or octet body: "request.encoding" is multipart.');
  if (d.signing) for (const k of ['access_key_id', 'secret_access_key', 'region']) if (!keys.includes(k)) out.push(`"signing" (aws-sigv4) needs the credential "${k}" in "credentials".`);
  if (!d.verdict.path && !d.threshold) out.push('"verdict" has no "path", so the verdict is score >= threshold, but there is no "threshold": add "verdict.path" or "threshold" ({ "value": 0.5 } or { "path": [...] }).');
  if ((!d.verdict.path || d.threshold) && !d.confidence) out.push(`"confidence" is missing: ${d.verdict.path ? 'a "threshold" is' : 'without "verdict.path" the verdict is score >= threshold, and the score is'} read on it; add { "path": [...], "scale": 1 or 100 }.`);
  if (d.threshold && d.threshold.value === undefined && !d.threshold.path) out.push('"threshold" needs "value" (a number on the score\'s scale) or "path" (where the answer gives it).');
  if (!d.request && !d.imageFields) out.push('The definition needs "request" (the body to send) or "imageFields" (the two multipart file fields).');
  return out;
}

/** The two image names a definition shows: its imageFields, else the fields that carry {{image1}} / {{image2}}. */
function imageNames(d: z.infer<typeof definition>): [string, string] {
  if (d.imageFields) return d.imageFields;
  const names: [string, string] = ['image1', 'image2'];
  for (const f of d.request?.fields ?? []) {
    const m = /\{\{\s*image([12])/.exec(f.value);
    if (m) names[Number(m[1]) - 1] = f.name;
  }
  for (const s of jsonStrings(d.request?.json)) {
    const m = /\{\{\s*image([12])/.exec(s.text);
    if (m) names[Number(m[1]) - 1] = s.path.join('.');
  }
  return names;
}

/** Validates a definition a user wrote (parsed JSON); sentences name each problem's field. */
export function checkDefinition(input: unknown): DefinitionCheck {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    return { ok: false, problems: ['The definition must be a JSON object ({ "id": ..., "label": ..., ... }).'] };
  }
  const parsed = definition.safeParse(input);
  if (!parsed.success) return { ok: false, problems: parsed.error.issues.map((i) => sentence(i, input)) };
  const problems = semanticProblems(parsed.data);
  if (problems.length) return { ok: false, problems };
  const d = parsed.data;
  return {
    ok: true,
    definition: { ...d, version: DEFINITION_VERSION, imageFields: imageNames(d) } as ProviderContract,
  };
}

/** Parses and validates a definition's JSON text; `source` (a file name, "The editor") starts each sentence. */
export function checkDefinitionText(text: string, source: string): DefinitionCheck {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    const detail = err instanceof Error ? err.message.replace(/^JSON\.parse: /, '') : '';
    return { ok: false, problems: [`${source} is not valid JSON${detail ? ` (${detail})` : ''}; fix the syntax first.`] };
  }
  const r = checkDefinition(value);
  return r.ok ? r : { ok: false, problems: r.problems.map((p) => `${source}: ${p}`) };
}
