/** Serves the built app (dist/) at / with an SPA fallback to index.html. */
import { createReadStream, existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import type { Context, Hono } from 'hono';

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.wasm': 'application/wasm',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.webmanifest': 'application/manifest+json',
};

export function staticDirMissingMessage(dir: string): string {
  return `The built app was not found at ${dir} — run npm run build first (the API still works).`;
}

/** Resolves a URL path inside root; null when it would escape root or is malformed. */
export function resolveInside(root: string, urlPath: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes('\0')) return null;
  const full = path.resolve(root, `.${path.posix.normalize(`/${decoded}`)}`);
  const rel = path.relative(root, full);
  if (rel.startsWith('..') || path.isAbsolute(rel)) return null;
  return full;
}

async function fileResponse(c: Context, file: string, size: number, cache: string): Promise<Response> {
  const type = MIME[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
  const headers = { 'Content-Type': type, 'Content-Length': String(size), 'Cache-Control': cache };
  if (c.req.method === 'HEAD') return c.body(null, 200, headers);
  const stream = Readable.toWeb(createReadStream(file)) as ReadableStream<Uint8Array>;
  return c.body(stream, 200, headers);
}

async function statFile(file: string): Promise<{ size: number } | null> {
  try {
    const s = await stat(file);
    return s.isFile() ? { size: s.size } : null;
  } catch {
    return null;
  }
}

/** Adds GET/HEAD handlers for the app; call after the API routes so they take precedence. */
export function mountStatic(app: Hono, staticDir: string, isApiPath: (url: string) => boolean): void {
  const root = path.resolve(staticDir);
  const index = path.join(root, 'index.html');

  app.on(['GET', 'HEAD'], '*', async (c, next) => {
    const url = new URL(c.req.url);
    if (isApiPath(url.pathname)) return next();
    if (!existsSync(index)) {
      return c.html(`<!doctype html><meta charset="utf-8"><title>Facematch Playground</title><p>${staticDirMissingMessage(root)}</p>`, 503);
    }
    const file = resolveInside(root, url.pathname);
    if (file === null) return c.text('Bad path', 400);
    const found = file !== root ? await statFile(file) : null;
    if (found) {
      const hashed = url.pathname.startsWith('/assets/');
      return fileResponse(c, file, found.size, hashed ? 'public, max-age=31536000, immutable' : 'no-cache');
    }
    // A path with a file extension that does not exist is a missing asset, not an app route.
    if (path.posix.extname(url.pathname) !== '' && !url.pathname.endsWith('.html')) return c.text('Not found', 404);
    const idx = await statFile(index);
    if (!idx) return c.text('Not found', 404);
    return fileResponse(c, index, idx.size, 'no-cache');
  });
}
