/**
 * Shared, lazily created resources of one `npm run bench`: a temp folder for generated inputs, the
 * production build + reference server (instant engine), the bench-page build + a tiny static
 * server, and one headless Chromium. Everything is torn down by close().
 */
import { createReadStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from '@playwright/test';
import { CHROMIUM_ARGS, findChromium } from '../../scripts/browser-path.mjs';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const DIST_DIR = path.join(REPO_ROOT, 'dist');

interface AppServer {
  url: string;
  close(): Promise<void>;
}

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.zip': 'application/zip',
  '.json': 'application/json',
};

export class BenchEnv {
  private tmp: string | undefined;
  private browserP: Promise<Browser> | undefined;
  private appP: Promise<AppServer> | undefined;
  private pageP: Promise<{ url: string; server: Server }> | undefined;
  private distBuilt: Promise<void> | undefined;
  readonly log: (msg: string) => void;

  constructor(log: (msg: string) => void) {
    this.log = log;
  }

  async tempDir(): Promise<string> {
    this.tmp ??= await mkdtemp(path.join(os.tmpdir(), 'facematch-bench-'));
    return this.tmp;
  }

  browser(): Promise<Browser> {
    this.browserP ??= chromium.launch({ executablePath: findChromium(), args: CHROMIUM_ARGS, headless: true });
    return this.browserP;
  }

  /** Builds the app into dist/ once per run (skip with BENCH_SKIP_BUILD=1 when dist/ is current). */
  buildApp(): Promise<void> {
    this.distBuilt ??= (async () => {
      if (process.env.BENCH_SKIP_BUILD === '1') {
        await stat(path.join(DIST_DIR, 'index.html')).catch(() => {
          throw new Error('BENCH_SKIP_BUILD=1 but dist/index.html is missing: run without it, or run npm run build first.');
        });
        this.log('Using the existing dist/ (BENCH_SKIP_BUILD=1).');
        return;
      }
      this.log('Building the app (vite build → dist/)…');
      const t0 = performance.now();
      const { build } = await import('vite');
      await build({ root: REPO_ROOT, logLevel: 'warn' });
      this.log(`  built in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    })();
    return this.distBuilt;
  }

  /** The reference server (instant engine) serving the production build. */
  appServer(): Promise<AppServer> {
    this.appP ??= (async () => {
      await this.buildApp();
      const { startServer } = await import('../../server/main.ts');
      const running = await startServer({ port: 0, engine: 'instant', staticDir: DIST_DIR });
      return { url: running.url, close: () => running.close() };
    })();
    return this.appP;
  }

  /**
   * The bench page (bench/pages/bench.html) built with the app's Vite config into a temp folder and
   * served, with the temp folder's generated inputs, by a tiny static server.
   * Returns the origin; the page is at `${origin}/bench/pages/bench.html`, inputs at `${origin}/<file>`.
   */
  benchPageServer(): Promise<string> {
    this.pageP ??= (async () => {
      const dir = path.join(await this.tempDir(), 'www');
      this.log('Building the bench page (vite build bench/pages/bench.html)…');
      const { build } = await import('vite');
      await build({
        root: REPO_ROOT,
        logLevel: 'warn',
        publicDir: false,
        build: {
          outDir: dir,
          emptyOutDir: true,
          rolldownOptions: { input: { bench: path.join(REPO_ROOT, 'bench/pages/bench.html') } },
        },
      });
      const server = createServer((req, res) => {
        const url = new URL(req.url ?? '/', 'http://x');
        const rel = path.normalize(decodeURIComponent(url.pathname)).replace(/^(\.\.[/\\])+/, '');
        const file = path.join(dir, rel);
        if (!file.startsWith(dir)) {
          res.writeHead(403).end();
          return;
        }
        stat(file).then((s) => {
          if (!s.isFile()) throw new Error('not a file');
          res.writeHead(200, { 'content-type': MIME[path.extname(file)] ?? 'application/octet-stream', 'content-length': s.size });
          createReadStream(file).pipe(res);
        }).catch(() => res.writeHead(404).end('not found'));
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
    })();
    return this.pageP.then((p) => p.url);
  }

  /** Folder the bench page server serves (put generated inputs here). */
  async wwwDir(): Promise<string> {
    await this.benchPageServer();
    return path.join(await this.tempDir(), 'www');
  }

  /** The Chromium version, when a browser was started. */
  async browserVersion(): Promise<string | undefined> {
    if (!this.browserP) return undefined;
    return this.browserP.then((b) => b.version(), () => undefined);
  }

  async close(): Promise<void> {
    const tasks: Promise<unknown>[] = [];
    if (this.browserP) tasks.push(this.browserP.then((b) => b.close()).catch(() => undefined));
    if (this.appP) tasks.push(this.appP.then((s) => s.close()).catch(() => undefined));
    if (this.pageP) tasks.push(this.pageP.then((p) => new Promise<void>((r) => { p.server.closeAllConnections(); p.server.close(() => r()); })).catch(() => undefined));
    await Promise.all(tasks);
    if (this.tmp) await rm(this.tmp, { recursive: true, force: true });
  }
}
