// Where the tests find redis-server (the shared rate budget test of `facematch run --rate-store`).
import { existsSync } from 'node:fs';
import path from 'node:path';

export const DEBIAN_REDIS = '/usr/bin/redis-server';

/** @returns {string | undefined} the redis-server executable: REDIS_SERVER_PATH, Debian's, or one on PATH. */
export function findRedisServer() {
  const fromEnv = process.env.REDIS_SERVER_PATH;
  if (fromEnv && existsSync(fromEnv)) return fromEnv;
  if (existsSync(DEBIAN_REDIS)) return DEBIAN_REDIS;
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const candidate = path.join(dir, 'redis-server');
    if (dir && existsSync(candidate)) return candidate;
  }
  return undefined;
}
