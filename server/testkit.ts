/** Test helpers for the server tests (not imported by the server itself). */
import { readFileSync } from 'node:fs';
import { facePath } from '../test/faces.ts';
import type { ServerConfig } from './config.ts';
import { DEFAULT_THRESHOLD } from './engine/calibration.ts';
import type { Engine, EngineInfo, EngineState, MatchOutcome } from './engine/types.ts';

export { readPairsCsv, REPO_ROOT } from '../test/faces.ts';

/** The bytes of one shared face fixture. */
export function face(name: string): Uint8Array {
  return new Uint8Array(readFileSync(facePath(name)));
}

/** A complete config for tests, independent of the environment. */
export function testConfig(overrides: Partial<ServerConfig> = {}): ServerConfig {
  return {
    host: '127.0.0.1',
    port: 0,
    token: 'test-token',
    maxImageBytes: 15 * 1024 * 1024,
    threshold: DEFAULT_THRESHOLD,
    engine: 'instant',
    workers: 1,
    deepvue: { clientId: 'dv-client', clientSecret: 'dv-secret', tokenTtlSeconds: 3600, jwtSecret: 'test-signing-secret-0123456789abcdef' },
    faults: '',
    latencyMs: 0,
    ...overrides,
  };
}

export interface FakeEngine extends Engine {
  calls: number;
  state: EngineState;
  /** Resolves every match in flight. */
  release(): void;
  /** Moves a 'loading' engine to 'ready'. */
  finishLoading(): void;
}

/**
 * A controllable engine for route-logic tests: `decide` chooses the outcome; `hold` keeps every
 * match pending until release(); `state` can be set to 'loading' or 'failed'.
 */
export function fakeEngine(opts: { decide?: (a: Uint8Array, b: Uint8Array) => MatchOutcome; hold?: boolean; state?: EngineState; mode?: 'real' | 'instant' } = {}): FakeEngine {
  const pending = new Set<() => void>();
  let readyResolve: () => void = () => {};
  let readyReject: (e: Error) => void = () => {};
  const readyPromise = new Promise<void>((res, rej) => { readyResolve = res; readyReject = rej; });
  readyPromise.catch(() => {});
  const decide = opts.decide ?? ((a, b) => {
    const same = a.length === b.length && a.every((v, i) => v === b[i]);
    return { kind: 'compared', match: same, distance: same ? 0 : 0.9, confidence: same ? 0.98765 : 0.12345 };
  });
  const engine: FakeEngine = {
    calls: 0,
    state: opts.state ?? 'ready',
    info(): EngineInfo {
      return { mode: opts.mode ?? 'real', state: engine.state, model: 'fake', version: '0', threshold: 0.6, workers: 1, ...(engine.state === 'failed' ? { error: 'fake failure' } : {}) };
    },
    ready() {
      if (engine.state === 'ready') readyResolve();
      if (engine.state === 'failed') readyReject(new Error('fake failure'));
      return readyPromise;
    },
    async match(a, b) {
      engine.calls++;
      if (opts.hold) await new Promise<void>((resolve) => pending.add(resolve));
      return decide(a, b);
    },
    async faces() {
      engine.calls++;
      return { kind: 'faces', width: 640, height: 480, faces: [{ x: 100.4, y: 80.6, width: 200, height: 220.2, score: 0.912345 }], used: 0 };
    },
    async close() { engine.release(); },
    release() { for (const r of pending) r(); pending.clear(); },
    finishLoading() { engine.state = 'ready'; readyResolve(); },
  };
  return engine;
}

export function jpegBlob(bytes: Uint8Array): Blob {
  return new Blob([bytes as Uint8Array<ArrayBuffer>], { type: 'image/jpeg' });
}

export function form(parts: Record<string, Uint8Array | string | { bytes: Uint8Array; name: string; type?: string }>): FormData {
  const fd = new FormData();
  for (const [name, value] of Object.entries(parts)) {
    if (typeof value === 'string') fd.append(name, value);
    else if (value instanceof Uint8Array) fd.append(name, jpegBlob(value), `${name}.jpg`);
    else fd.append(name, new Blob([value.bytes as Uint8Array<ArrayBuffer>], { type: value.type ?? 'image/jpeg' }), value.name);
  }
  return fd;
}
