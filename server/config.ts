/** Reference server settings, read from the environment once at start-up. */
import os from 'node:os';
import { DEFAULT_THRESHOLD } from './engine/calibration.ts';
import type { EngineMode } from './engine/types.ts';
import { DEFAULT_TOKEN, DEFAULT_DEEPVUE_CLIENT_ID, DEFAULT_DEEPVUE_CLIENT_SECRET } from '../src/core/defaults.ts';

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
  deepvue: DeepvueConfig;
  /** Fault mix, e.g. "500:0.1,429:0.05,hang:0.05"; empty = none. */
  faults: string;
  faultSeed?: number;
  latencyMs: number;
  /** Folder of the built app to serve at /, when serving it. */
  staticDir?: string;
}

export { DEFAULT_TOKEN, DEFAULT_DEEPVUE_CLIENT_ID, DEFAULT_DEEPVUE_CLIENT_SECRET };

function num(v: string | undefined, fallback: number): number {
  if (v === undefined || v.trim() === '') return fallback;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new Error(`Expected a number, got "${v}".`);
  return n;
}

export function configFromEnv(env: NodeJS.ProcessEnv = process.env): ServerConfig {
  const engine = (env.FACEMATCH_ENGINE ?? 'real') as EngineMode;
  if (engine !== 'real' && engine !== 'instant') {
    throw new Error(`FACEMATCH_ENGINE must be "real" or "instant", not "${engine}".`);
  }
  return {
    host: env.HOST ?? '127.0.0.1',
    port: num(env.PORT, 8080),
    token: env.FACEMATCH_TOKEN || DEFAULT_TOKEN,
    maxImageBytes: Math.round(num(env.FACEMATCH_MAX_IMAGE_MB, 15) * 1024 * 1024),
    threshold: num(env.FACEMATCH_THRESHOLD, DEFAULT_THRESHOLD),
    engine,
    workers: Math.max(1, Math.floor(num(env.FACEMATCH_WORKERS, os.availableParallelism()))),
    upstream: env.FACEMATCH_UPSTREAM || undefined,
    deepvue: {
      clientId: env.DEEPVUE_CLIENT_ID || DEFAULT_DEEPVUE_CLIENT_ID,
      clientSecret: env.DEEPVUE_CLIENT_SECRET || DEFAULT_DEEPVUE_CLIENT_SECRET,
      tokenTtlSeconds: num(env.DEEPVUE_TOKEN_TTL_SECONDS, 24 * 3600),
      jwtSecret: env.DEEPVUE_JWT_SECRET || randomSecret(),
    },
    faults: env.FACEMATCH_FAULTS ?? '',
    faultSeed: env.FACEMATCH_FAULT_SEED ? num(env.FACEMATCH_FAULT_SEED, 0) : undefined,
    latencyMs: num(env.FACEMATCH_LATENCY_MS, 0),
    staticDir: env.FACEMATCH_STATIC_DIR || undefined,
  };
}

function randomSecret(): string {
  const bytes = new Uint8Array(32);
  crypto.getRandomValues(bytes);
  return Buffer.from(bytes).toString('base64url');
}
