/** Reference server settings, read from the environment once at start-up. */
import os from 'node:os';
import { DEFAULT_THRESHOLD } from './engine/calibration.ts';
import type { EngineMode } from './engine/types.ts';
import { DEFAULT_TOKEN, DEFAULT_DEEPVUE_CLIENT_ID, DEFAULT_DEEPVUE_CLIENT_SECRET } from '../src/core/contracts/defaults.ts';

export interface DeepvueConfig {
  clientId: string;
  clientSecret: string;
  /** Lifetime of issued access tokens, in seconds (24 h by default). */
  tokenTtlSeconds: number;
  /** HS256 signing key for the access tokens. */
  jwtSecret: string;
}

export interface ServerConfig {
  host: string;
  port: number;
  /** KwikID bearer token. */
  token: string;
  maxImageBytes: number;
  threshold: number;
  engine: EngineMode;
  workers: number;
  /** Vendor origin that /upstream/* forwards to; unset = no proxy. */
  upstream?: string;
  /**
   * Host names the API answers besides the address it listens on (FACEMATCH_ALLOWED_HOSTS), for
   * deployments behind a proxy; lower case, no port. Absent = none.
   */
  allowedHosts?: string[];
  deepvue: DeepvueConfig;
  /** Fault mix, e.g. "500:0.1,429:0.05,hang:0.05"; empty = none. */
  faults: string;
  faultSeed?: number;
  latencyMs: number;
  /** Folder of the built app to serve at /, when serving it. */
  staticDir?: string;
}

export { DEFAULT_TOKEN, DEFAULT_DEEPVUE_CLIENT_ID, DEFAULT_DEEPVUE_CLIENT_SECRET };

/** A bad environment setting: the sentence names the variable, its value and what is allowed. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

function bad(name: string, value: string, allowed: string): ConfigError {
  return new ConfigError(`${name} is "${value}"; ${allowed}`);
}

interface NumberRule {
  min: number;
  max: number;
  integer?: boolean;
  /** What is allowed, in words. */
  allowed: string;
}

/** Reads a numeric setting: empty or unset gives the fallback; anything else must follow the rule. */
function num(env: NodeJS.ProcessEnv, name: string, fallback: number, rule: NumberRule): number {
  const v = env[name];
  if (v === undefined || v.trim() === '') return fallback;
  const n = Number(v.trim());
  if (!Number.isFinite(n) || n < rule.min || n > rule.max || (rule.integer && !Number.isInteger(n))) {
    throw bad(name, v, `it must be ${rule.allowed}.`);
  }
  return n;
}

const HOST_NAME = /^(\[[0-9a-f:.]+\]|[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*)$/i;

/** FACEMATCH_ALLOWED_HOSTS: comma-separated host names or addresses (no scheme, port or path). */
export function parseAllowedHosts(value: string | undefined): string[] {
  if (value === undefined || value.trim() === '') return [];
  const hosts = value.split(',').map((h) => h.trim().toLowerCase()).filter(Boolean);
  for (const h of hosts) {
    if (!HOST_NAME.test(h)) {
      throw bad('FACEMATCH_ALLOWED_HOSTS', value, `each comma-separated entry must be a host name or address without scheme, port or path (like playground.example.com,10.0.0.5), and "${h}" is not.`);
    }
  }
  return hosts;
}

export function configFromEnv(env: NodeJS.ProcessEnv = process.env): ServerConfig {
  const engine = (env.FACEMATCH_ENGINE ?? 'real') as EngineMode;
  if (engine !== 'real' && engine !== 'instant') {
    throw bad('FACEMATCH_ENGINE', engine, 'it must be "real" (face analysis) or "instant" (made-up answers, for load tests).');
  }
  const host = env.HOST ?? '127.0.0.1';
  if (host.trim() === '' || /[\s/]/.test(host)) throw bad('HOST', host, 'it must be an address to listen on, like 127.0.0.1 (the default), ::1 or 0.0.0.0.');
  const seed = env.FACEMATCH_FAULT_SEED?.trim() ? num(env, 'FACEMATCH_FAULT_SEED', 0, { min: 0, max: 2 ** 32 - 1, integer: true, allowed: 'a whole number from 0 to 4294967295' }) : undefined;
  return {
    host,
    port: num(env, 'PORT', 8080, { min: 1, max: 65535, integer: true, allowed: 'a whole number from 1 to 65535' }),
    token: env.FACEMATCH_TOKEN || DEFAULT_TOKEN,
    maxImageBytes: Math.round(num(env, 'FACEMATCH_MAX_IMAGE_MB', 15, { min: 0.001, max: 1024, allowed: 'a number of megabytes above 0 and at most 1024, like 15' }) * 1024 * 1024),
    threshold: num(env, 'FACEMATCH_THRESHOLD', DEFAULT_THRESHOLD, { min: 0, max: 1, allowed: `a number from 0 to 1, like ${DEFAULT_THRESHOLD}` }),
    engine,
    workers: num(env, 'FACEMATCH_WORKERS', os.availableParallelism(), { min: 1, max: 256, integer: true, allowed: 'a whole number from 1 to 256' }),
    upstream: env.FACEMATCH_UPSTREAM || undefined,
    allowedHosts: parseAllowedHosts(env.FACEMATCH_ALLOWED_HOSTS),
    deepvue: {
      clientId: env.DEEPVUE_CLIENT_ID || DEFAULT_DEEPVUE_CLIENT_ID,
      clientSecret: env.DEEPVUE_CLIENT_SECRET || DEFAULT_DEEPVUE_CLIENT_SECRET,
      tokenTtlSeconds: num(env, 'DEEPVUE_TOKEN_TTL_SECONDS', 24 * 3600, { min: 1, max: 366 * 24 * 3600, integer: true, allowed: 'a whole number of seconds from 1 to 31622400 (366 days)' }),
      jwtSecret: env.DEEPVUE_JWT_SECRET || randomSecret(),
    },
    faults: env.FACEMATCH_FAULTS ?? '',
    faultSeed: seed,
    latencyMs: num(env, 'FACEMATCH_LATENCY_MS', 0, { min: 0, max: 600_000, allowed: 'a number of milliseconds from 0 to 600000' }),
    staticDir: env.FACEMATCH_STATIC_DIR || undefined,
  };
}

function randomSecret(): string {
  const bytes = new Uint8Array(32);
  crypto.getRandomValues(bytes);
  return Buffer.from(bytes).toString('base64url');
}
