/**
 * The one app module: `npm start` (server/main.ts), the Vite dev server (as middleware, see
 * vite.config.ts) and the tests all build the API from here.
 */
import { errorText } from '../src/core/common/text.ts';
import type { IncomingMessage, ServerResponse } from 'node:http';
import os from 'node:os';
import { getRequestListener } from '@hono/node-server';
import { Hono } from 'hono';
import { contracts, deepvue } from '../src/core/contracts/contracts.ts';
import { EMULATOR_PREFIX } from '../src/core/providers/emulation.ts';
import { redactUrlsIn } from '../src/core/secrets/safe-url.ts';
import { configFromEnv, type ServerConfig } from './config.ts';
import { createEngine } from './engine/index.ts';
import type { Engine } from './engine/types.ts';
import { createFaultInjector, type FaultInjector } from './faults.ts';
import { deepvueRoutes } from './routes/deepvue.ts';
import { emulatorRoutes } from './routes/emulate/index.ts';
import { FACES_PATH, facesRoutes } from './routes/faces.ts';
import type { RouteDeps } from './routes/deps.ts';
import { HEALTH_PATH, healthRoutes } from './routes/health.ts';
import { kwikidRoutes } from './routes/kwikid.ts';
import { parseUpstream, UPSTREAM_PREFIX, upstreamRoutes } from './routes/upstream.ts';
import { allowedHostNames, apiCors, hostAllowList, securityHeaders } from './security.ts';
import { mountStatic } from './static.ts';

export interface ServerApp {
  app: Hono;
  engine: Engine;
  close(): Promise<void>;
}

export interface AppOptions {
  /** Use this engine instead of building one from the config (tests). */
  engine?: Engine;
}

/** Endpoint paths of the contracts served at the root, not under /v1/ (KwikID's /facematch); the other presets are under /emulate/<id>. */
const ROOT_CONTRACTS = contracts.filter((c) => c.demoBasePath === '');
const CONTRACT_PATHS: readonly string[] = ROOT_CONTRACTS.flatMap((c) => [c.path, ...(c.tokenEndpoint ? [c.tokenEndpoint.path] : [])]);
const V1_PREFIX = deepvue.path.slice(0, deepvue.path.indexOf('/', 1) + 1); // "/v1/"

/** True for URLs the API answers (the rest is the browser app). Accepts a path or a path with a query. */
export function isApiPath(url: string): boolean {
  let pathname = url;
  const q = pathname.search(/[?#]/);
  if (q >= 0) pathname = pathname.slice(0, q);
  if (/^https?:\/\//i.test(pathname)) {
    try { pathname = new URL(pathname).pathname; } catch { return false; }
  }
  if (pathname.length > 1) pathname = pathname.replace(/\/+$/, '');
  return CONTRACT_PATHS.includes(pathname)
    || pathname === HEALTH_PATH
    || pathname === FACES_PATH
    || pathname.startsWith(V1_PREFIX)
    || pathname === UPSTREAM_PREFIX
    || pathname.startsWith(`${UPSTREAM_PREFIX}/`)
    || pathname.startsWith(`${EMULATOR_PREFIX}/`);
}

/** Checks the settings that could only fail at request time; throws a readable Error. */
export function validateConfig(config: ServerConfig): void {
  if (!(config.maxImageBytes > 0)) throw new Error(`The image size limit must be positive (got ${config.maxImageBytes} bytes).`);
  if (!(config.latencyMs >= 0)) throw new Error(`FACEMATCH_LATENCY_MS must be 0 or more (got ${config.latencyMs}).`);
  if (!config.token) throw new Error('The KwikID token must not be empty.');
  if (!config.deepvue.clientId || !config.deepvue.clientSecret) throw new Error('The Deepvue client id and secret must not be empty.');
  if (!config.deepvue.jwtSecret) throw new Error('The Deepvue JWT signing secret must not be empty.');
  if (config.upstream) parseUpstream(config.upstream);
}

/** This machine's name and interface addresses, for a server listening on all interfaces. */
function thisMachine(): { hostname: string; addresses: string[] } {
  const addresses = Object.values(os.networkInterfaces()).flatMap((list) => (list ?? []).map((i) => i.address));
  return { hostname: os.hostname(), addresses };
}

export function createServerApp(config: ServerConfig, options: AppOptions = {}): ServerApp {
  validateConfig(config);
  let faults: FaultInjector;
  try {
    faults = createFaultInjector(config.faults, config.faultSeed);
  } catch (err) {
    throw new Error(`Bad fault spec (FACEMATCH_FAULTS="${config.faults}"): ${errorText(err)}`, { cause: err });
  }
  const engine = options.engine ?? createEngine({ mode: config.engine, threshold: config.threshold, workers: config.workers });
  const deps: RouteDeps = { config, engine, faults };

  const app = new Hono();
  app.use('*', securityHeaders());
  app.use('*', hostAllowList(allowedHostNames(config.host, config.allowedHosts ?? [], thisMachine()), isApiPath));
  const corsMiddleware = apiCors();
  app.use('*', async (c, next) => {
    if (isApiPath(new URL(c.req.url).pathname)) return corsMiddleware(c, next);
    return next();
  });

  app.route('/', healthRoutes(deps));
  app.route('/', kwikidRoutes(deps));
  app.route('/', deepvueRoutes(deps));
  app.route('/', facesRoutes(deps));
  app.route('/', emulatorRoutes(deps));
  app.route('/', upstreamRoutes(deps));

  if (config.staticDir) mountStatic(app, config.staticDir, isApiPath);

  app.notFound((c) => {
    const path = new URL(c.req.url).pathname;
    return c.json({ message: `Nothing at ${c.req.method} ${path}. The API serves POST ${ROOT_CONTRACTS.map((k) => k.path).join(', ')}, POST ${deepvue.tokenEndpoint?.path ?? ''}, POST ${FACES_PATH}, GET ${HEALTH_PATH} and the vendor emulators under ${EMULATOR_PREFIX}/<preset>.` }, 404);
  });
  app.onError((err, c) => {
    // Never log request contents: only the error's own message.
    console.error(`[facematch] ${c.req.method} ${new URL(c.req.url).pathname} failed: ${redactUrlsIn(err.message)}`);
    return c.json({ message: 'Internal server error.' }, 500);
  });

  let closing: Promise<void> | undefined;
  return {
    app,
    engine,
    close() {
      closing ??= (async () => {
        faults.releaseAll();
        await engine.close();
      })();
      return closing;
    },
  };
}

/** A Node (req, res) handler over the app, for the Vite dev server's middleware stack. */
export async function createNodeHandler(config: ServerConfig = configFromEnv()): Promise<(req: IncomingMessage, res: ServerResponse) => Promise<void>> {
  const { app } = createServerApp(config);
  const listener = getRequestListener(app.fetch, { overrideGlobalObjects: false });
  return (req, res) => listener(req, res);
}
