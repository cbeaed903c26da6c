/**
 * Face-match API contracts, as data.
 *
 * Everything that differs between vendors lives here: the endpoint path, the multipart field
 * names, which credentials the user supplies and which headers they become, how to get a token,
 * and where the verdict, the confidence and the error message sit in a response body.
 * The browser (Single and Bulk), the reference server and the tests all read these objects;
 * no other module may branch on a provider id.
 */

/** A credential the user types into the connection settings. All of them are secrets except `clientId`. */
export type CredentialKey = 'token' | 'clientId' | 'clientSecret';

export interface CredentialField {
  key: CredentialKey;
  label: string;
  /** Rendered as a password field, masked in cURL and never written to the archive. */
  secret: boolean;
}

/** A request header whose value comes from one credential. */
export interface HeaderRule {
  name: string;
  from: CredentialKey;
  /** Prepended to the credential, e.g. "Bearer ". */
  prefix?: string;
}

/** How to exchange client credentials for a bearer token. */
export interface TokenEndpoint {
  path: string;
  /** Form field name for each credential sent. */
  fields: Partial<Record<CredentialKey, string>>;
  /** Where the token sits in the JSON answer. */
  tokenPath: readonly string[];
  /** Where the ISO expiry sits in the JSON answer, when the API gives one. */
  expiryPath?: readonly string[];
}

export type JsonPath = readonly string[];

/** A response field written to its own summary.xlsx column, as sent. */
export interface ReportField {
  header: string;
  path: JsonPath;
  /** Excel number format for numeric values. */
  numFmt?: string;
  /** Column width in characters. */
  width: number;
}

export interface ProviderContract {
  id: string;
  label: string;
  /** Endpoint path appended to the base URL. */
  path: string;
  /** Multipart field names for the first and second image, in slot order. */
  imageFields: readonly [string, string];
  /** Multipart text field for the optional correlation id, when the API has one. */
  uniqueIdField?: string;
  /** Credentials the settings panel asks for, in display order. */
  credentials: readonly CredentialField[];
  /** Headers built from the credentials. */
  headers: readonly HeaderRule[];
  tokenEndpoint?: TokenEndpoint;
  /** Where the verdict sits and which value means "match". */
  verdict: { path: JsonPath; matchValue: string | boolean };
  /** Where the confidence sits and its scale (1 for 0–1, 100 for 0–100). */
  confidence: { path: JsonPath; scale: number };
  /** Where the credits consumed sit, when the API reports them. */
  credits?: { path: JsonPath };
  /**
   * Response fields summary.xlsx keeps in their own columns exactly as the API sent them, beside
   * the normalised ones (e.g. Deepvue's 0–100 confidence and its transaction_id for a dispute).
   */
  reportFields?: readonly ReportField[];
  /** Paths tried in order to find a human-readable error message in an error body. */
  errorMessagePaths: readonly JsonPath[];
  /** Image types the API documents as accepted (MIME types). */
  acceptedTypes: readonly string[];
  /** Largest image the API documents, in bytes. */
  maxImageBytes: number;
}

const MB = 1024 * 1024;

export const kwikid: ProviderContract = {
  id: 'kwikid',
  label: 'KwikID',
  path: '/facematch',
  imageFields: ['image1', 'image2'],
  uniqueIdField: 'unique_id',
  credentials: [{ key: 'token', label: 'Bearer token', secret: true }],
  headers: [{ name: 'Authorization', from: 'token', prefix: 'Bearer ' }],
  verdict: { path: ['facematch_result'], matchValue: 'True' },
  confidence: { path: ['confidence_score'], scale: 1 },
  credits: { path: ['credits_consumed'] },
  errorMessagePaths: [['message'], ['msg'], ['detail']],
  acceptedTypes: ['image/jpeg', 'image/png'],
  maxImageBytes: 15 * MB,
};

export const deepvue: ProviderContract = {
  id: 'deepvue',
  label: 'Deepvue',
  path: '/v1/facematch',
  imageFields: ['file_a', 'file_b'],
  credentials: [
    { key: 'clientId', label: 'Client ID', secret: false },
    { key: 'clientSecret', label: 'Client secret', secret: true },
    { key: 'token', label: 'Bearer token', secret: true },
  ],
  headers: [
    { name: 'Authorization', from: 'token', prefix: 'Bearer ' },
    { name: 'x-api-key', from: 'clientSecret' },
  ],
  tokenEndpoint: {
    path: '/v1/authorize',
    fields: { clientId: 'client_id', clientSecret: 'client_secret' },
    tokenPath: ['access_token'],
    expiryPath: ['expiry'],
  },
  verdict: { path: ['data', 'match'], matchValue: true },
  confidence: { path: ['data', 'confidence'], scale: 100 },
  reportFields: [
    { header: 'confidence', path: ['data', 'confidence'], numFmt: '0.00', width: 12 },
    { header: 'transaction_id', path: ['transaction_id'], width: 38 },
  ],
  errorMessagePaths: [['message'], ['detail']],
  acceptedTypes: ['image/jpeg', 'image/png'],
  maxImageBytes: 15 * MB,
};

export const contracts: readonly ProviderContract[] = [kwikid, deepvue];

export type ProviderId = (typeof contracts)[number]['id'];

export function contractById(id: string): ProviderContract {
  const found = contracts.find((c) => c.id === id);
  if (!found) throw new Error(`Unknown provider "${id}". Known: ${contracts.map((c) => c.id).join(', ')}.`);
  return found;
}

/** Reads a value at a JSON path; undefined when any step is missing. */
export function readPath(body: unknown, path: JsonPath): unknown {
  let cur: unknown = body;
  for (const key of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}

export interface Verdict {
  match: boolean;
  /** The value exactly as the API sent it (0–1 or 0–100 by contract). */
  rawConfidence: number | null;
  /** Confidence on a 0–1 scale. */
  confidence: number | null;
  credits: number | null;
}

/** Reads the verdict from a 2xx body; null when the body does not carry one. */
export function readVerdict(contract: ProviderContract, body: unknown): Verdict | null {
  const v = readPath(body, contract.verdict.path);
  if (v === undefined || v === null) return null;
  const match = typeof contract.verdict.matchValue === 'string'
    ? String(v).toLowerCase() === contract.verdict.matchValue.toLowerCase()
    : v === contract.verdict.matchValue;
  const raw = toNumber(readPath(body, contract.confidence.path));
  const credits = contract.credits ? toNumber(readPath(body, contract.credits.path)) : null;
  return {
    match,
    rawConfidence: raw,
    confidence: raw === null ? null : normaliseConfidence(raw, contract.confidence.scale),
    credits,
  };
}

/**
 * Confidence on a 0–1 scale. Rounded to 12 significant digits so that 83.96 / 100 gives 0.8396,
 * not 0.8395999999999999 (far below any precision an API reports).
 */
export function normaliseConfidence(raw: number, scale: number): number {
  const n = Number((raw / scale).toPrecision(12));
  return Math.min(1, Math.max(0, n));
}

function toNumber(v: unknown): number | null {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return null;
}

/**
 * Finds a readable message in an error body: `{"msg"}`, `{"detail","message"}`,
 * `{"detail": "..."}` or a FastAPI-style `{"detail": [{"loc": [...], "msg": "..."}]}`.
 */
export function readErrorMessage(contract: ProviderContract, body: unknown): string | undefined {
  for (const path of contract.errorMessagePaths) {
    const text = describe(readPath(body, path));
    if (text) return text;
  }
  return undefined;
}

function describe(v: unknown): string | undefined {
  if (typeof v === 'string') return v.trim() || undefined;
  if (Array.isArray(v)) {
    const parts = v.map((item) => {
      if (item && typeof item === 'object' && 'msg' in item) {
        const loc = Array.isArray((item as { loc?: unknown }).loc) ? (item as { loc: unknown[] }).loc.join('.') : '';
        return `${loc ? `${loc}: ` : ''}${String((item as { msg: unknown }).msg)}`;
      }
      return typeof item === 'string' ? item : undefined;
    }).filter((s): s is string => Boolean(s));
    return parts.length ? parts.join('; ') : undefined;
  }
  return undefined;
}

/** Builds the request headers for a contract from the user's credentials. Empty credentials send no header. */
export function buildHeaders(contract: ProviderContract, creds: Partial<Record<CredentialKey, string>>): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const rule of contract.headers) {
    const value = creds[rule.from]?.trim();
    if (value) headers[rule.name] = `${rule.prefix ?? ''}${value}`;
  }
  return headers;
}

/** Joins a base URL and a path without doubling or dropping the slash. */
export function joinUrl(baseUrl: string, path: string): string {
  return `${baseUrl.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
}
