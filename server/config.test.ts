/**
 * Bad environment settings (issue #16): each one stops `npm start` with exit code 1 and a sentence
 * naming the variable, the value and what is allowed.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { configFromEnv, ConfigError } from './config.ts';
import { REPO_ROOT } from './main.ts';

function errorFor(env: NodeJS.ProcessEnv): string {
  try {
    configFromEnv(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error(`configFromEnv accepted ${JSON.stringify(env)}`);
}

describe('configFromEnv: every bad setting is named with its value and what is allowed', () => {
  it.each([
    [{ PORT: '99999' }, 'PORT is "99999"; it must be a whole number from 1 to 65535.'],
    [{ PORT: '0' }, 'PORT is "0"; it must be a whole number from 1 to 65535.'],
    [{ PORT: '80.5' }, 'PORT is "80.5"; it must be a whole number from 1 to 65535.'],
    [{ PORT: 'http' }, 'PORT is "http"; it must be a whole number from 1 to 65535.'],
    [{ FACEMATCH_MAX_IMAGE_MB: 'ten' }, 'FACEMATCH_MAX_IMAGE_MB is "ten"; it must be a number of megabytes above 0 and at most 1024, like 15.'],
    [{ FACEMATCH_MAX_IMAGE_MB: '0' }, 'FACEMATCH_MAX_IMAGE_MB is "0"; it must be a number of megabytes above 0 and at most 1024, like 15.'],
    [{ FACEMATCH_THRESHOLD: '1.5' }, 'FACEMATCH_THRESHOLD is "1.5"; it must be a number from 0 to 1, like 0.6.'],
    [{ FACEMATCH_WORKERS: 'two' }, 'FACEMATCH_WORKERS is "two"; it must be a whole number from 1 to 256.'],
    [{ FACEMATCH_WORKERS: '0' }, 'FACEMATCH_WORKERS is "0"; it must be a whole number from 1 to 256.'],
    [{ FACEMATCH_LATENCY_MS: '-5' }, 'FACEMATCH_LATENCY_MS is "-5"; it must be a number of milliseconds from 0 to 600000.'],
    [{ FACEMATCH_FAULT_SEED: 'abc' }, 'FACEMATCH_FAULT_SEED is "abc"; it must be a whole number from 0 to 4294967295.'],
    [{ DEEPVUE_TOKEN_TTL_SECONDS: '1h' }, 'DEEPVUE_TOKEN_TTL_SECONDS is "1h"; it must be a whole number of seconds from 1 to 31622400 (366 days).'],
    [{ FACEMATCH_ENGINE: 'fast' }, 'FACEMATCH_ENGINE is "fast"; it must be "real" (face analysis) or "instant" (made-up answers, for load tests).'],
    [{ HOST: 'http://0.0.0.0' }, 'HOST is "http://0.0.0.0"; it must be an address to listen on, like 127.0.0.1 (the default), ::1 or 0.0.0.0.'],
    [{ FACEMATCH_ALLOWED_HOSTS: 'ok.example,https://bad.example' }, 'FACEMATCH_ALLOWED_HOSTS is "ok.example,https://bad.example"; each comma-separated entry must be a host name or address without scheme, port or path (like playground.example.com,10.0.0.5), and "https://bad.example" is not.'],
  ])('%o', (env, sentence) => {
    expect(errorFor(env)).toBe(sentence);
  });

  it('accepts good values and the defaults', () => {
    const c = configFromEnv({ PORT: '8081', FACEMATCH_MAX_IMAGE_MB: '2.5', FACEMATCH_ALLOWED_HOSTS: 'Playground.Example.com, 10.0.0.5' });
    expect(c.port).toBe(8081);
    expect(c.maxImageBytes).toBe(Math.round(2.5 * 1024 * 1024));
    expect(c.allowedHosts).toEqual(['playground.example.com', '10.0.0.5']);
    expect(configFromEnv({}).port).toBe(8080);
  });

  it('npm start exits 1 with the sentence for a bad setting', () => {
    const tsx = path.join(REPO_ROOT, 'node_modules', '.bin', 'tsx');
    for (const [name, value, sentence] of [
      ['PORT', '99999', 'PORT is "99999"; it must be a whole number from 1 to 65535.'],
      ['FACEMATCH_MAX_IMAGE_MB', 'ten', 'FACEMATCH_MAX_IMAGE_MB is "ten"; it must be a number of megabytes above 0 and at most 1024, like 15.'],
    ] as const) {
      const r = spawnSync(tsx, [path.join(REPO_ROOT, 'server', 'main.ts')], {
        env: { PATH: process.env.PATH, FACEMATCH_ENGINE: 'instant', [name]: value }, encoding: 'utf8', timeout: 60_000,
      });
      expect(r.status, r.stderr).toBe(1);
      expect(r.stderr.trim()).toBe(`Could not start the server: ${sentence}`);
    }
  }, 120_000);
});
