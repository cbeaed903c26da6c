/**
 * ALL /upstream/* → the one configured vendor origin (FACEMATCH_UPSTREAM) + the rest of the path.
 * Lets the browser call a vendor that sends no CORS headers, through this same origin.
 * Only that host is ever contacted; hop-by-hop headers are stripped; bodies stream both ways;
 * headers are never logged.
 */
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { formatBytes } from '../../src/core/zip/filetype.ts';
import { bodyLimitFor } from './common.ts';
import type { RouteDeps } from './deps.ts';

export const UPSTREAM_PREFIX = '/upstream';

const HOP_BY_HOP = [
  'connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'proxy-connection',
  'te', 'trailer', 'transfer-encoding', 'upgrade',
];
/** Request headers that describe this hop or this browser session, not the vendor call. */
const DROP_REQUEST = ['host', 'cookie', 'origin', 'referer', 'accept-encoding', 'content-length', 'expect'];
const DROP_RESPONSE = ['set-cookie'];

/** Validates the configured upstream and returns its base (origin plus optional path prefix, no trailing slash). */
export function parseUpstream(value: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`FACEMATCH_UPSTREAM "${value}" is not a URL; use an origin like https://api.example.com.`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error(`FACEMATCH_UPSTREAM must be an http: or https: URL, not ${url.protocol}.`);
  }
  if (url.username || url.password) throw new Error('FACEMATCH_UPSTREAM must not carry credentials in the URL.');
  url.search = '';
  url.hash = '';
  url.pathname = url.pathname.replace(/\/+$/, '');
  return url;
}

/** The target URL for a request path after /upstream, or null when it would leave the configured host. */
export function upstreamTarget(base: URL, rest: string, search: string): URL | null {
  if (rest !== '' && !rest.startsWith('/')) return null;
  const prefix = base.pathname.replace(/\/+$/, '');
  let target: URL;
  try {
    target = new URL(`${base.origin}${prefix}${rest}${search}`);
  } catch {
    return null;
  }
  if (target.origin !== base.origin) return null;
  if (prefix && target.pathname !== prefix && !target.pathname.startsWith(`${prefix}/`)) return null;
  return target;
}

function stripHeaders(headers: Headers, extra: readonly string[]): Headers {
  const out = new Headers(headers);
  const listed = (headers.get('connection') ?? '').split(',').map((h) => h.trim().toLowerCase()).filter(Boolean);
  for (const name of [...HOP_BY_HOP, ...listed, ...extra]) out.delete(name);
  return out;
}

export function upstreamRoutes({ config }: RouteDeps): Hono {
  const app = new Hono();
  const base = config.upstream ? parseUpstream(config.upstream) : null;
  const limit = bodyLimitFor(config.maxImageBytes);

  const handler = new Hono();
  handler.use(bodyLimit({ maxSize: limit, onError: (c) => c.json({ message: `The request body is larger than ${formatBytes(limit)}.` }, 413) }));
  handler.all('*', async (c) => {
    if (!base) {
      return c.json({ message: 'No upstream is configured. Start the server with FACEMATCH_UPSTREAM=https://your-vendor-host to use /upstream/*.' }, 404);
    }
    const url = new URL(c.req.url);
    const rest = url.pathname.slice(UPSTREAM_PREFIX.length);
    const target = upstreamTarget(base, rest, url.search);
    if (!target) {
      return c.json({ message: `The path would leave the configured upstream ${base.origin}; only that host is proxied.` }, 400);
    }
    const method = c.req.method;
    const hasBody = method !== 'GET' && method !== 'HEAD' && c.req.raw.body !== null;
    const headers = stripHeaders(c.req.raw.headers, DROP_REQUEST);
    headers.set('accept-encoding', 'identity');
    let res: Response;
    try {
      res = await fetch(target, {
        method,
        headers,
        body: hasBody ? c.req.raw.body : undefined,
        redirect: 'manual',
        signal: c.req.raw.signal,
        ...(hasBody ? { duplex: 'half' } : {}),
      } as RequestInit);
    } catch (err) {
      const cause = err instanceof Error && err.cause instanceof Error ? err.cause : err;
      const code = cause && typeof cause === 'object' && 'code' in cause ? String((cause as { code: unknown }).code) : '';
      const why = code || (cause instanceof Error ? cause.message : 'network error');
      return c.json({ message: `The upstream ${base.origin} could not be reached (${why}).` }, 502);
    }
    const out = stripHeaders(res.headers, DROP_RESPONSE);
    if (out.has('content-encoding')) {
      // fetch already decoded the body: what we pass on is identity-encoded, of another length.
      out.delete('content-encoding');
      out.delete('content-length');
    }
    return new Response(res.body, { status: res.status, statusText: res.statusText, headers: out });
  });

  app.route(UPSTREAM_PREFIX, handler);
  return app;
}
