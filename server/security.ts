/** Security headers for every response and CORS for the API routes. */
import type { MiddlewareHandler } from 'hono';
import { cors } from 'hono/cors';
import { contracts } from '../src/core/contracts.ts';
import { ENGINE_HEADER } from './routes/common.ts';
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
  ...new Set([...contracts.flatMap((c) => c.headers.map((h) => h.name)), 'Content-Type']),
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
