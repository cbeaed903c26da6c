/**
 * The one place that keeps credentials in URLs out of everything the playground writes or shows.
 *
 * A Base URL may arrive with a user name and password (`https://user:pw@host`) or with a
 * credential-looking query parameter (`?api_key=…`). Browsers refuse to fetch the first, and the
 * second breaks the endpoint path, so the settings refuse both (baseUrlProblem); every message,
 * record, sheet, log line and cURL command that names a URL still passes it through redactUrl /
 * redactUrlsIn first, so a URL that slipped in (a remembered setting, a server's error text, a
 * fetch error that repeats the URL) is never written out with its credentials.
 */

/** Query parameter names that carry credentials. */
const CREDENTIAL_PARAM = /(^|[_.-])(api[_-]?key|apikey|key|token|access[_-]?token|id[_-]?token|refresh[_-]?token|auth|authorization|bearer|jwt|secret|client[_-]?secret|password|passwd|pwd|pass|sig|signature|session|sessionid|sid|credential|credentials|x-amz-signature|x-amz-credential|x-amz-security-token)$/i;

/** A URL anywhere inside a text (scheme://…, up to whitespace, a quote or a closing bracket). */
const URL_IN_TEXT = /\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>`]+/gi;

/** True when a query parameter name looks like it carries a credential. */
export function isCredentialParam(name: string): boolean {
  return CREDENTIAL_PARAM.test(name.trim());
}

/** The URL without user info and without credential-looking query parameters; anything else is kept. */
export function redactUrl(url: string): string {
  const raw = url.trim();
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    return redactLoosely(raw);
  }
  const hadQuery = raw.includes('?');
  u.username = '';
  u.password = '';
  for (const name of [...new Set(u.searchParams.keys())]) if (isCredentialParam(name)) u.searchParams.delete(name);
  let out = u.toString();
  // URL adds a "/" to a bare origin; keep the caller's spelling when it had none.
  if (!hadQuery && !raw.includes('#') && !/^[a-z][a-z0-9+.-]*:\/\/[^/]+\//i.test(raw) && out.endsWith('/')) out = out.slice(0, -1);
  return out;
}

/** For strings that are not a parsable URL (a relative path, a fragment of a message). */
function redactLoosely(raw: string): string {
  const noUserinfo = raw.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/?#@\s]*@/i, '$1');
  return noUserinfo.replace(/([?&])([^=&#\s]+)=[^&#\s]*/g, (m, sep: string, name: string) => (isCredentialParam(decodeSafely(name)) ? sep : m))
    .replace(/[?&]+(?=#|$)/, '')
    .replace(/\?&+/, '?');
}

function decodeSafely(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** Every URL inside a text, redacted (error messages, server answers, log lines). */
export function redactUrlsIn(text: string): string {
  if (!text.includes('://')) return text;
  return text.replace(URL_IN_TEXT, (m) => {
    // A sentence's final punctuation is not part of the URL.
    const tail = /[.,;:!?)\]]+$/.exec(m)?.[0] ?? '';
    return redactUrl(m.slice(0, m.length - tail.length)) + tail;
  });
}

/** The same redaction over every string of a JSON-like value (an error body kept in a record). */
export function redactUrlsDeep<T>(value: T): T {
  if (typeof value === 'string') return redactUrlsIn(value) as T;
  if (Array.isArray(value)) return value.map((v: unknown) => redactUrlsDeep(v)) as T;
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[redactUrlsIn(k)] = redactUrlsDeep(v);
    return out as T;
  }
  return value;
}

export const USERINFO_SENTENCE = 'Put credentials in the token fields, not in the URL.';

/**
 * Why a URL cannot be used as the Base URL because of what it carries (user info, a query string
 * or a fragment), or null. Never repeats the credentials it found.
 */
export function baseUrlCredentialProblem(value: string): string | null {
  let u: URL;
  try {
    u = new URL(value.trim());
  } catch {
    return null;
  }
  if (u.username || u.password) return `Base URL: remove the user name and password from the address. ${USERINFO_SENTENCE}`;
  if (u.search || u.hash) {
    const what = u.search ? 'a query string ("?…")' : 'a fragment ("#…")';
    return `Base URL: remove ${what}; the playground adds the API path to the Base URL, so give only the address, like ${u.origin}${u.pathname.replace(/\/+$/, '')}. Put credentials in the token fields.`;
  }
  return null;
}

/** Why a value cannot be the Base URL, as a sentence for the settings panel, or null when it can. */
export function baseUrlProblem(value: string): string | null {
  let u: URL;
  try {
    u = new URL(value.trim());
  } catch {
    return 'Base URL: enter an http:// or https:// address, like https://api.example.com.';
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return 'Base URL: enter an http:// or https:// address, like https://api.example.com.';
  return baseUrlCredentialProblem(value);
}

/** The endpoint without userinfo, query string or fragment. */
export function safeEndpoint(endpoint: string): string {
  return redactUrl(endpoint).replace(/[?#].*$/s, '');
}
