/**
 * The token exchange of a definition with a token endpoint (Deepvue's client credentials → JWT).
 * Loaded when a token is first needed (Get token, or a run without one), not with the page.
 */
import { joinUrl, readErrorMessage, readPath, type ProviderContract } from '../contracts/contracts.ts';
import { explainNetwork, parseJson } from './answer.ts';
import type { CallDeps, Credentials, TokenResult } from './request.ts';
import { baseUrlCredentialProblem, redactUrlsIn } from '../secrets/safe-url.ts';
import { joinOr, lowerFirst, quoteSentence } from '../common/text.ts';

/** Exchanges client credentials for a bearer token at the contract's token endpoint. */
export async function exchangeToken(
  contract: ProviderContract,
  baseUrl: string,
  credentials: Credentials,
  signal?: AbortSignal,
  deps: Pick<CallDeps, 'fetch' | 'pageOrigin'> = {},
): Promise<TokenResult> {
  const refused = baseUrlCredentialProblem(baseUrl);
  if (refused) return { ok: false, status: null, message: refused };
  const te = contract.tokenEndpoint;
  if (!te) return { ok: false, status: null, message: `${contract.label} has no token endpoint: paste the token instead.` };
  const missing = Object.keys(te.fields).filter((k) => !credentials[k]?.trim());
  if (missing.length) {
    const labels = missing.map((k) => contract.credentials.find((c) => c.key === k)?.label ?? k);
    return { ok: false, status: null, message: `Enter the ${labels.join(' and ')} first.` };
  }
  const labels = Object.keys(te.fields).map((k) => contract.credentials.find((c) => c.key === k)?.label ?? k);
  const values = Object.entries(te.fields).map(([key, field]) => [field, credentials[key]!.trim()] as const);
  const init: RequestInit = te.encoding === 'json'
    ? { body: JSON.stringify(Object.fromEntries(values)), headers: { 'Content-Type': 'application/json' } }
    : { body: new URLSearchParams(values.map(([k, v]) => [k, v])) };
  const url = joinUrl(baseUrl, te.path);
  const doFetch = deps.fetch ?? globalThis.fetch.bind(globalThis);
  try {
    const res = await doFetch(url, { method: 'POST', ...init, signal });
    const text = await res.text();
    const parsed = parseJson(text);
    const body = parsed.ok ? parsed.value : undefined;
    if (!res.ok) {
      const msg = body !== undefined ? readErrorMessage(contract, body) : undefined;
      const said = msg ? ` The server said: ${quoteSentence(msg)}` : '';
      return { ok: false, status: res.status, message: res.status === 401
        ? `The ${joinOr(labels.map(lowerFirst))} was rejected (HTTP 401).${said} Check ${labels.length > 1 ? 'both' : 'it'} and try again.`
        : `Getting a token failed (HTTP ${res.status}).${said}` };
    }
    const token = readPath(body, te.tokenPath);
    if (typeof token !== 'string' || !token) {
      return { ok: false, status: res.status, message: `The token endpoint answered HTTP ${res.status} without an access token.` };
    }
    const read = te.expiryPath ? readPath(body, te.expiryPath) : undefined;
    const expiry = typeof read === 'string' ? read
      : te.lifetimeSeconds ? new Date(Date.now() + te.lifetimeSeconds * 1000).toISOString() : undefined;
    return { ok: true, status: res.status, token, expiry, message: 'Token received.' };
  } catch (err) {
    if (signal?.aborted) return { ok: false, status: null, message: 'Getting a token was cancelled.' };
    return { ok: false, status: null, message: redactUrlsIn(explainNetwork(url, err, deps.pageOrigin)) };
  }
}
