/**
 * What every vendor emulator shares: the engine call (the same one the KwikID and Deepvue routes
 * make), the mapping of the engine's calibrated confidence onto a vendor's score scale, face boxes
 * for vendors that return them, and request ids.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { Context } from 'hono';
import sharp from 'sharp';
import { emulatorBasePath, PRESET_DEMO_CREDENTIALS, type PresetId } from '../../../src/core/providers/emulation.ts';
import type { Engine, FaceBox, MatchOutcome } from '../../engine/types.ts';
import { awaitEngine, clamp01, ENGINE_HEADER, round } from '../common.ts';

export type Compared = Extract<MatchOutcome, { kind: 'compared' }>;

export type EngineCall<T> = { ok: true; value: T } | { ok: false; status: 500 | 503; message: string };

/**
 * Waits for the engine (503 + Retry-After while it is still loading, 500 if it failed), marks the
 * answer with the engine mode, then runs `work`.
 */
export async function withEngine<T>(c: Context, engine: Engine, work: () => Promise<T>): Promise<EngineCall<T>> {
  const ready = await awaitEngine(engine, c.req.raw.signal);
  if (!ready.ok) {
    if (ready.retryAfter) c.header('Retry-After', String(ready.retryAfter));
    return { ok: false, status: ready.status, message: ready.message };
  }
  c.header(ENGINE_HEADER, engine.info().mode);
  return { ok: true, value: await work() };
}

/**
 * The engine's calibrated confidence (0..1, 0.5 at its decision boundary) on a vendor's scale:
 * piecewise linear through 0 → 0, 0.5 → `pivot`, 1 → `top`, rounded to `decimals`. The verdict is
 * kept: a match never scores under the pivot, a non-match always scores under it, so "score >= pivot"
 * agrees with the engine's decision after rounding.
 */
export function vendorScore(outcome: Compared, pivot: number, top: number, decimals: number): number {
  const c = clamp01(outcome.confidence);
  const raw = c <= 0.5 ? (c / 0.5) * pivot : pivot + ((c - 0.5) / 0.5) * (top - pivot);
  const step = 10 ** -decimals;
  const score = round(raw, decimals);
  if (outcome.match) return Math.max(score, pivot);
  return Math.min(score, round(pivot - step, decimals));
}

export type DetectedFaces =
  | { kind: 'faces'; width: number; height: number; /** largest first: [0] is the face `match` compares */ faces: FaceBox[] }
  | { kind: 'undecodable'; message: string };

/**
 * Every face of one image, largest first (the first is the one the engine compares). The instant
 * engine detects nothing: it compares whole images, so its one "face" is the whole image.
 */
export async function detectFaces(engine: Engine, bytes: Uint8Array): Promise<DetectedFaces> {
  const found = await engine.faces(bytes);
  if (found.kind === 'undecodable') return found;
  if (found.kind === 'faces') {
    const faces = [...found.faces].sort((a, b) => b.width * b.height - a.width * a.height);
    return { kind: 'faces', width: found.width, height: found.height, faces };
  }
  try {
    const meta = await sharp(bytes).metadata();
    const width = meta.autoOrient?.width ?? meta.width;
    const height = meta.autoOrient?.height ?? meta.height;
    if (!width || !height) return { kind: 'undecodable', message: 'the image has no size' };
    return { kind: 'faces', width, height, faces: [{ x: 0, y: 0, width, height, score: 1 }] };
  } catch {
    return { kind: 'undecodable', message: 'the image data is corrupt' };
  }
}

/** A face box in whole pixels as `{top, left, width, height}` (Face++'s and Azure's rectangle). */
export function pixelRectangle(f: FaceBox): { top: number; left: number; width: number; height: number } {
  const left = Math.round(f.x);
  const top = Math.round(f.y);
  return { top, left, width: Math.round(f.x + f.width) - left, height: Math.round(f.y + f.height) - top };
}

/** A random lower-case hex token of `bytes` bytes (face tokens, image ids). */
export function hexToken(bytes = 16): string {
  return randomBytes(bytes).toString('hex');
}

export function requestId(): string {
  return randomUUID();
}

/** The demo credentials of one preset (from core: the presets' defaults and the emulators agree). */
export function demoCredentials(id: PresetId): Readonly<Record<string, string>> {
  return PRESET_DEMO_CREDENTIALS[id];
}

/** `/emulate/<id>` + the vendor's own path. */
export function emulatedPath(id: PresetId, vendorPath: string): string {
  return `${emulatorBasePath(id)}${vendorPath}`;
}
