/** Security headers for every response and CORS for the API routes. */
import type { MiddlewareHandler } from 'hono';
import { cors } from 'hono/cors';
import { contracts } from '../src/core/contracts/contracts.ts';
import { ENGINE_HEADER } from './routes/common.ts';
import { EMULATOR_REQUEST_HEADERS } from './routes/emulate/index.ts';
import { FAULT_HEADER } from './faults.ts';

/**
 * The built app loads only its own hashed scripts and stylesheet (Vite emits no inline script or
 * <style>; React's `style={{}}` props go through the CSSOM, which style-src does not govern), so
 * scripts and styles are 'self' only.
 * connect-src: the playground calls whatever vendor Base URL the user types, so it must reach any
 * http(s) origin; it is limited to the http: and https: schemes (plus blob: for reading local
 * image previews) rather than `*`.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self' http: https: blob:",
  "worker-src 'self' blob:",
  "manifest-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

export function securityHeaders(): MiddlewareHandler {
  return async (c, next) => {
    await next();
    c.res.headers.set('Content-Security-Policy', CONTENT_SECURITY_POLICY);
    c.res.headers.set('X-Content-Type-Options', 'nosniff');
    c.res.headers.set('Referrer-Policy', 'no-referrer');
    c.res.headers.set('X-Frame-Options', 'DENY');
    c.res.headers.set('Cross-Origin-Opener-Policy', 'same-origin');
  };
}

/** Request headers a caller may send cross-origin: every header a contract builds, plus Content-Type. */
export const CORS_ALLOW_HEADERS: readonly string[] = [
  ...new Set([...contracts.flatMap((c) => c.headers.map((h) => h.name)), ...EMULATOR_REQUEST_HEADERS, 'Content-Type']),
];

export function apiCors(): MiddlewareHandler {
  return cors({
    origin: '*',
    allowMethods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
    allowHeaders: [...CORS_ALLOW_HEADERS],
    exposeHeaders: [ENGINE_HEADER, 'Retry-After', FAULT_HEADER],
    maxAge: 600,
  });
}

/** Names every loopback start answers to. */
const LOOPBACK_NAMES: readonly string[] = ['localhost', '127.0.0.1', '[::1]'];

/** A listen address as it appears in a Host header: IPv6 in brackets, lower case. */
function asHostName(address: string): string {
  const a = address.trim().toLowerCase();
  return a.includes(':') && !a.startsWith('[') ? `[${a}]` : a;
}

/**
 * The Host names the API answers: the address the server was started on (for a loopback or an
 * all-interfaces start, localhost, 127.0.0.1 and [::1]; for all interfaces also this machine's
 * name and addresses), plus FACEMATCH_ALLOWED_HOSTS.
 */
export function allowedHostNames(listenHost: string, extra: readonly string[] = [], machine: { hostname: string; addresses: readonly string[] } | null = null): Set<string> {
  const names = new Set<string>(LOOPBACK_NAMES);
  const listen = asHostName(listenHost);
  if (listen === '0.0.0.0' || listen === '[::]') {
    if (machine) {
      names.add(machine.hostname.toLowerCase());
      for (const a of machine.addresses) names.add(asHostName(a));
    }
  } else {
    names.add(listen);
  }
  for (const h of extra) names.add(asHostName(h));
  return names;
}

/** The host name of a Host header value (port removed), lower case; null when it has none. */
export function hostNameOf(hostHeader: string | undefined): string | null {
  const h = hostHeader?.trim().toLowerCase();
  if (!h) return null;
  if (h.startsWith('[')) {
    const end = h.indexOf(']');
    return end > 0 ? h.slice(0, end + 1) : null;
  }
  const colon = h.lastIndexOf(':');
  return colon >= 0 ? h.slice(0, colon) : h;
}

/**
 * Answers 421 for API requests whose Host is not one of `allowed`: a page on another site that
 * points its own name at 127.0.0.1 (DNS rebinding) cannot reach the API through it.
 */
export function hostAllowList(allowed: ReadonlySet<string>, applies: (path: string) => boolean): MiddlewareHandler {
  const shown = [...allowed].join(', ');
  return async (c, next) => {
    const url = new URL(c.req.url);
    if (!applies(url.pathname)) return next();
    const name = hostNameOf(c.req.header('host') ?? url.host);
    if (name !== null && allowed.has(name)) return next();
    const given = c.req.header('host') ?? '';
    return c.json({
      message: `This server does not answer requests for the host "${given.slice(0, 200)}". It answers ${shown}; to reach it under another name (for example behind a proxy), add that name to FACEMATCH_ALLOWED_HOSTS (comma-separated) and restart it.`,
    }, 421);
  };
}
