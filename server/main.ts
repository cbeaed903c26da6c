/**
 * `npm start` / `npm run serve`: the reference server on PORT (default 8080), serving the built
 * app from dist/ at / and the API beside it. `startServer()` is the same thing in-process (tests).
 */
import { errorText } from '../src/core/common/text.ts';
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { getRequestListener } from '@hono/node-server';
import { createServerApp, type AppOptions } from './app.ts';
import type { Engine } from './engine/types.ts';
import {
  configFromEnv, DEFAULT_DEEPVUE_CLIENT_ID, DEFAULT_DEEPVUE_CLIENT_SECRET, DEFAULT_TOKEN,
  type DeepvueConfig, type ServerConfig,
} from './config.ts';
import { emulatorBannerLines } from './routes/emulate/index.ts';
import { staticDirMissingMessage } from './static.ts';
import { redactUrlsIn } from '../src/core/secrets/safe-url.ts';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const DEFAULT_STATIC_DIR = path.join(REPO_ROOT, 'dist');

/** Like Partial<ServerConfig>, but `deepvue` may be given in part. */
export type ServerOverrides = Omit<Partial<ServerConfig>, 'deepvue'> & { deepvue?: Partial<DeepvueConfig> };

export interface RunningServer {
  url: string;
  port: number;
  config: ServerConfig;
  engine: Engine;
  close(): Promise<void>;
}

/**
 * The configuration for a start: from the environment when no override is given; otherwise the
 * built-in defaults plus the overrides, without reading process.env at all (so in-process tests
 * are not affected by the shell they run in).
 */
export function resolveConfig(overrides: ServerOverrides = {}): ServerConfig {
  const given = Object.keys(overrides).length > 0;
  const base = configFromEnv(given ? {} : process.env);
  const { deepvue, ...rest } = overrides;
  const config: ServerConfig = { ...base, ...rest, deepvue: { ...base.deepvue, ...deepvue } };
  if (config.staticDir === undefined) config.staticDir = DEFAULT_STATIC_DIR;
  return config;
}

export async function startServer(overrides: ServerOverrides = {}, appOptions: AppOptions = {}): Promise<RunningServer> {
  const config = resolveConfig(overrides);
  const serverApp = createServerApp(config, appOptions);
  const listener = getRequestListener(serverApp.app.fetch, { overrideGlobalObjects: false });
  const server: Server = createServer((req, res) => { void listener(req, res); });

  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.port, config.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    await serverApp.close();
    throw err;
  }

  const port = (server.address() as AddressInfo).port;
  const shownHost = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host.includes(':') ? `[${config.host}]` : config.host;
  let closing: Promise<void> | undefined;

  return {
    url: `http://${shownHost}:${port}`,
    port,
    config: { ...config, port },
    engine: serverApp.engine,
    close() {
      closing ??= (async () => {
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        await serverApp.close(); // releases hanging fault requests and stops the engine's workers
        server.closeAllConnections();
        await closed;
      })();
      return closing;
    },
  };
}

/** The start-up banner. Prints the public demo defaults; a value the user set is reported as set, never shown. */
export function banner(s: RunningServer): string[] {
  const c = s.config;
  const lines = [`Facematch reference server: ${s.url}`];
  lines.push(c.staticDir && existsSync(path.join(c.staticDir, 'index.html'))
    ? `  App:      ${s.url}/ (from ${c.staticDir})`
    : `  App:      ${staticDirMissingMessage(c.staticDir ?? DEFAULT_STATIC_DIR)}`);
  lines.push(`  Engine:   ${c.engine}${c.engine === 'real' ? ` (${c.workers} worker${c.workers === 1 ? '' : 's'}, threshold ${c.threshold}; models load in the background)` : ' (no face analysis: answers are made up, marked x-facematch-engine: instant)'}`);
  lines.push(c.token === DEFAULT_TOKEN
    ? `  KwikID:   POST ${s.url}/facematch  with  Authorization: Bearer ${DEFAULT_TOKEN}   (public demo default; set FACEMATCH_TOKEN to change)`
    : '  KwikID:   POST /facematch; the bearer token is set from FACEMATCH_TOKEN');
  const id = c.deepvue.clientId === DEFAULT_DEEPVUE_CLIENT_ID ? `client_id=${DEFAULT_DEEPVUE_CLIENT_ID}` : 'client_id set from DEEPVUE_CLIENT_ID';
  const secret = c.deepvue.clientSecret === DEFAULT_DEEPVUE_CLIENT_SECRET ? `client_secret=${DEFAULT_DEEPVUE_CLIENT_SECRET}` : 'client_secret set from DEEPVUE_CLIENT_SECRET';
  lines.push(`  Deepvue:  POST ${s.url}/v1/authorize  ${id}  ${secret}   (demo defaults are public), then POST /v1/facematch`);
  lines.push('  Emulators (offline, same engine; demo credentials are public):', ...emulatorBannerLines(s.url, c.token === DEFAULT_TOKEN));
  lines.push(`  Limits:   ${Math.round(c.maxImageBytes / 1024 / 1024 * 10) / 10} MB per image`);
  if (c.faults) lines.push(`  Faults:   ${c.faults}${c.faultSeed !== undefined ? ` (seed ${c.faultSeed})` : ''} on /facematch and /v1/facematch`);
  if (c.latencyMs > 0) lines.push(`  Latency:  +${c.latencyMs} ms on every face-match answer`);
  lines.push(c.upstream ? `  Upstream: ${s.url}/upstream/* → ${new URL(c.upstream).origin}` : '  Upstream: off (set FACEMATCH_UPSTREAM=https://vendor-host to proxy /upstream/*)');
  return lines;
}

export async function runFromCli(): Promise<void> {
  let running: RunningServer;
  try {
    running = await startServer();
  } catch (err) {
    const code = err && typeof err === 'object' && 'code' in err ? err.code : undefined;
    console.error(code === 'EADDRINUSE'
      ? `Could not start the server: port ${process.env.PORT ?? 8080} is already in use. Stop the other server or choose another port, e.g. PORT=8081 npm start.`
      : code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND' || code === 'EAI_AGAIN'
        ? `Could not start the server: HOST is "${process.env.HOST ?? ''}", which is not an address of this machine; use 127.0.0.1 (the default), ::1 or 0.0.0.0.`
        : `Could not start the server: ${redactUrlsIn(errorText(err))}`);
    process.exit(1);
  }
  for (const line of banner(running)) console.log(line);
  if (running.config.engine === 'real') {
    const t0 = performance.now();
    running.engine.ready().then(
      () => console.log(`Engine ready after ${((performance.now() - t0) / 1000).toFixed(1)} s.`),
      (err: unknown) => console.error(`The face engine failed to load: ${errorText(err)}. Face-match calls answer 500; FACEMATCH_ENGINE=instant runs without it.`),
    );
  }
  const shutdown = (signal: string) => {
    console.log(`\n${signal}: shutting down…`);
    const force = setTimeout(() => process.exit(1), 5000);
    force.unref();
    void running.close().then(() => process.exit(0));
  };
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
}

const invokedDirectly = process.argv[1] !== undefined && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href;
if (invokedDirectly) void runFromCli();
