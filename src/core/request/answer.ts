/**
 * Reading a face-match API's answer: whether it is a success, no face, an HTTP error, or not JSON,
 * and the sentence a user sees for each way a call can fail. Shared by the call itself
 * (request.ts), a definition's preparatory steps (providers/defined-call.ts) and the token
 * exchange (token.ts). request.ts loads it when the first answer (or failure) arrives, so the
 * page's first load does not carry these sentences.
 */
import { isNoFace, matchesRule, readErrorMessage, readPath, type ProviderContract } from '../contracts/contracts.ts';
import type { ErrorType } from './request.ts';
import { joinAnd, quoteSentence } from '../common/text.ts';

export const TEXT_EXCERPT_BYTES = 2048;

export type ParsedBody = { ok: true; value: unknown } | { ok: false };

/**
 * What is wrong with an answer, or null when it is a success: no face (the definition's rules),
 * an HTTP error, a 2xx that is not JSON, or a 2xx whose body does not meet the success rule.
 */
export function answerProblem(
  contract: ProviderContract, res: Response, text: string, parsed: ParsedBody, imageName?: string,
): { ok: false; status: number; error: { type: ErrorType; message: string }; errorBody: unknown } | null {
  const body = parsed.ok ? parsed.value : text;
  const errorBody = parsed.ok ? parsed.value : excerpt(text);
  const status = res.status;
  if (isNoFace(contract, status, body)) {
    const msg = parsed.ok ? readErrorMessage(contract, parsed.value) : undefined;
    const said = msg ? ` The server said: ${quoteSentence(msg)}` : '';
    return { ok: false, status, errorBody, error: { type: 'no_face', message: `The API found no face in ${imageName ?? 'one of the images'} (HTTP ${status}).${said}` } };
  }
  if (res.ok) {
    if (!parsed.ok) {
      return { ok: false, status, errorBody, error: { type: 'invalid_json', message: `HTTP ${status} arrived but its body is not JSON (${describeText(text)}).` } };
    }
    const rule = contract.success;
    if (rule && !matchesRule(rule, status, parsed.value)) {
      const where = rule.path?.join('.') ?? 'the body';
      const got = rule.path ? readPath(parsed.value, rule.path) : undefined;
      const want = rule.equals !== undefined ? ` "${String(rule.equals)}"` : ' the success value';
      const msg = readErrorMessage(contract, parsed.value);
      const said = msg ? ` The server said: ${quoteSentence(msg)}` : '';
      return {
        ok: false, status, errorBody,
        error: { type: 'http', message: `The API answered HTTP ${status} but ${where} is ${got === undefined ? 'missing' : `"${String(got)}"`}, not${want}, so the call did not succeed.${said}` },
      };
    }
    return null;
  }
  return { ok: false, status, errorBody, error: { type: 'http', message: explainHttp(contract, status, parsed.ok ? parsed.value : undefined, text) } };
}

export function parseJson(text: string): ParsedBody {
  if (text.trim() === '') return { ok: false };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

/** The first 2 KB of a text body (by UTF-8 bytes, never splitting a character). */
export function excerpt(text: string): string {
  const bytes = new TextEncoder().encode(text);
  if (bytes.length <= TEXT_EXCERPT_BYTES) return text;
  return new TextDecoder().decode(bytes.slice(0, TEXT_EXCERPT_BYTES)).replace(/\uFFFD$/, '');
}

function describeText(text: string): string {
  if (text.trim() === '') return 'the body is empty';
  if (/^\s*</.test(text)) return 'it looks like an HTML page, often a gateway or proxy error';
  return 'the first characters are shown in error_body';
}

/** A sentence for an HTTP error: what happened, the server's own message, and what to do. */
export function explainHttp(contract: ProviderContract, status: number, body: unknown, text = ''): string {
  const server = body !== undefined ? readErrorMessage(contract, body) : undefined;
  const quoted = server ?? (text && !/^\s*</.test(text) ? excerpt(text).slice(0, 200) : '');
  const said = quoted ? ` The server said: ${quoteSentence(quoted)}` : '';
  const secrets = contract.credentials.filter((c) => c.secret).map((c) => c.label.toLowerCase());
  switch (status) {
    case 400:
      return `The API rejected the request as invalid (HTTP 400).${said} Check that both images are readable JPEG or PNG files.`;
    case 401:
      return secrets.length > 1
        ? `The ${joinAnd(secrets)} were rejected (HTTP 401).${said} Update them in the connection settings and run again.`
        : `The ${secrets[0] ?? 'credentials'} was rejected (HTTP 401).${said} Update it in the connection settings and run again.`;
    case 403:
      return `Access was refused (HTTP 403).${said} The credentials are valid but not allowed to call this endpoint.`;
    case 404:
      return `Nothing answers at ${contract.path} on this host (HTTP 404). Check the Base URL and the provider.`;
    case 413:
      return `An image is larger than the API accepts (HTTP 413).${said} Use a smaller file.`;
    case 415:
      return `The API did not accept the request format (HTTP 415).${said}`;
    case 422:
      return `The API could not use an image (HTTP 422).${said}`;
    case 429:
      return `The API is rate-limiting requests (HTTP 429).${said} Wait a little, or lower the pace, and run again.`;
    default:
      if (status >= 500) return `The API failed on its side (HTTP ${status}).${said} Try again later.`;
      return `The API answered HTTP ${status}.${said}`;
  }
}

/** A sentence for a call that got no answer: an invalid URL, a likely CORS refusal, or an unreachable host. */
export function explainNetwork(url: string, err: unknown, pageOrigin?: string): string {
  let targetOrigin: string | undefined;
  try {
    targetOrigin = new URL(url, pageOrigin).origin;
  } catch {
    return `The Base URL "${url}" is not a valid URL. Enter one like https://api.example.com.`;
  }
  const crossOrigin = pageOrigin !== undefined && targetOrigin !== pageOrigin;
  const detail = err instanceof Error && err.message ? ` (${err.message})` : '';
  if (crossOrigin) {
    return `Could not reach ${url}${detail}. The browser gives no reason for a failed cross-origin call; if the same call works with curl, the host most likely does not allow CORS from this page. Start the playground with FACEMATCH_UPSTREAM=${targetOrigin} and pick "Upstream proxy" as the Base URL.`;
  }
  return `Could not reach ${url}${detail}. Check that the server is running and the Base URL is right.`;
}
