/** GET /health: liveness plus the engine's state, answered at once (nothing here waits on the engine). */
import { readFileSync } from 'node:fs';
import { Hono } from 'hono';
import type { RouteDeps } from './deps.ts';

export const HEALTH_PATH = '/health';

function packageVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : '0.0.0';
  } catch {
    return '0.0.0';
  }
}

const VERSION = packageVersion();

export function healthRoutes({ config, engine }: RouteDeps): Hono {
  const app = new Hono();
  const upstream = config.upstream ? new URL(config.upstream).origin : null;
  app.get(HEALTH_PATH, (c) => {
    const info = engine.info();
    c.header('Cache-Control', 'no-store');
    return c.json({
      status: 'ok',
      engine: {
        state: info.state,
        mode: info.mode,
        model: info.model,
        version: info.version,
        threshold: info.threshold,
        workers: info.workers,
        ...(info.error ? { error: info.error } : {}),
      },
      version: VERSION,
      upstream,
    });
  });
  return app;
}
