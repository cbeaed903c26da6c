import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seededRandom } from '../faults.ts';
import { lfwPath, LFW_DIR, readPairsCsv, type LabelledPair } from '../../test/faces.ts';
import { correctAt } from './evaluation.ts';
import { confidenceFromDistance, createEngine, DEFAULT_THRESHOLD, type Engine, type FaceBox, type MatchOutcome } from './index.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const FACES = path.resolve(repoRoot, '../shared/fixtures/faces');
const THRESHOLD = DEFAULT_THRESHOLD;

const face = (name: string): Buffer => fs.readFileSync(path.join(FACES, name));
const pairs = fs.readFileSync(path.join(FACES, 'pairs.csv'), 'utf8').trim().split(/\r?\n/).slice(1)
  .map((line) => line.split(',')).map(([a, b, same]) => ({ a: a!, b: b!, same: same === '1' }));

function compared(r: MatchOutcome): Extract<MatchOutcome, { kind: 'compared' }> {
  if (r.kind !== 'compared') throw new Error(`expected a comparison, got ${JSON.stringify(r)}`);
  return r;
}

/** A plain left-to-right grey gradient: an image with no face in it. */
async function gradient(width = 640, height = 480): Promise<Buffer> {
  const px = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) px.fill(Math.round((x / (width - 1)) * 255), (y * width + x) * 3, (y * width + x) * 3 + 3);
  return sharp(px, { raw: { width, height, channels: 3 } }).jpeg().toBuffer();
}

describe('confidence calibration', () => {
  it('is exactly 0.5 at the threshold', () => {
    for (const t of [0.4, 0.6, 0.75]) expect(confidenceFromDistance(t, t)).toBe(0.5);
  });
  it('decreases strictly with distance, towards 1 near 0 and towards 0 far away', () => {
    let prev = Infinity;
    for (let d = 0; d <= 2; d += 0.01) {
      const c = confidenceFromDistance(d, THRESHOLD);
      expect(c).toBeLessThan(prev);
      expect(c).toBeGreaterThan(0);
      expect(c).toBeLessThan(1);
      prev = c;
    }
    expect(confidenceFromDistance(0, THRESHOLD)).toBeGreaterThan(0.99);
    expect(confidenceFromDistance(1.5, THRESHOLD)).toBeLessThan(0.001);
    expect(confidenceFromDistance(THRESHOLD - 0.01, THRESHOLD)).toBeGreaterThan(0.5);
    expect(confidenceFromDistance(THRESHOLD + 0.01, THRESHOLD)).toBeLessThan(0.5);
  });
});

describe('instant engine', () => {
  const engine = createEngine({ mode: 'instant', threshold: THRESHOLD, workers: 2 });

  it('says it is instant and is ready at once', async () => {
    await engine.ready();
    expect(engine.info()).toMatchObject({ mode: 'instant', state: 'ready', workers: 0, threshold: THRESHOLD });
  });

  it('is deterministic, symmetric and fast', async () => {
    const [a, b] = [face('obama-1.jpg'), face('biden-1.jpg')];
    const first = compared(await engine.match(a, b));
    expect(await engine.match(a, b)).toEqual(first);
    expect(await engine.match(b, a)).toEqual(first);
    expect(first.confidence).toBeCloseTo(confidenceFromDistance(first.distance, THRESHOLD), 12);
    expect(first.match).toBe(first.distance < THRESHOLD);
    expect(compared(await engine.match(a, a))).toMatchObject({ match: true, distance: 0 });
  });

  it('gives both verdicts across the fixture pairs', async () => {
    const verdicts = new Set<boolean>();
    for (const p of pairs) verdicts.add(compared(await engine.match(face(p.a), face(p.b))).match);
    expect([...verdicts].sort()).toEqual([false, true]);
  });

  it('refuses bytes that are not JPEG or PNG, and empty images, naming which one', async () => {
    const good = face('obama-1.jpg');
    expect(await engine.match(good, new TextEncoder().encode('hello, not an image'))).toMatchObject({ kind: 'undecodable', image: 1 });
    expect(await engine.match(new Uint8Array(0), good)).toMatchObject({ kind: 'undecodable', image: 0 });
  });
});

describe('real engine (face-api in worker threads)', () => {
  let engine: Engine;

  beforeAll(async () => {
    engine = createEngine({ mode: 'real', threshold: THRESHOLD, workers: 2 });
    expect(['loading', 'ready']).toContain(engine.info().state);
    await engine.ready();
  });
  afterAll(async () => {
    await engine?.close();
  });

  it('reports itself ready with its workers and model', () => {
    const info = engine.info();
    expect(info).toMatchObject({ mode: 'real', state: 'ready', workers: 2, threshold: THRESHOLD });
    expect(info.model).toMatch(/face-api/);
    expect(info.error).toBeUndefined();
  });

  it.each(pairs)('decides $a vs $b as same=$same', async ({ a, b, same }) => {
    const r = compared(await engine.match(face(a), face(b)));
    expect(r.match).toBe(same);
    expect(r.confidence).toBeCloseTo(confidenceFromDistance(r.distance, THRESHOLD), 12);
    expect(r.confidence > 0.5).toBe(same);
  });

  it('gives the same answers when several pairs are queued at once', async () => {
    const some = pairs.slice(0, 4);
    const sequential: MatchOutcome[] = [];
    for (const p of some) sequential.push(await engine.match(face(p.a), face(p.b)));
    const parallel = await Promise.all(some.map((p) => engine.match(face(p.a), face(p.b))));
    expect(parallel).toEqual(sequential);
  });

  it('does not detach or alter the caller\'s buffers', async () => {
    const a = face('obama-1.jpg');
    const copy = Buffer.from(a);
    await engine.match(a, face('obama-2.jpg'));
    expect(a.byteLength).toBe(copy.byteLength);
    expect(a.equals(copy)).toBe(true);
  });

  it('honours the EXIF orientation', async () => {
    // Pixels stored turned 90° anticlockwise, with orientation 6 ("turn 90° clockwise to view").
    const sideways = await sharp(face('obama-2.jpg')).rotate(270).jpeg().toBuffer();
    const tagged = await sharp(sideways).withMetadata({ orientation: 6 }).jpeg().toBuffer();
    expect((await sharp(tagged).metadata()).orientation).toBe(6);
    // Control: the sideways pixels alone do not match, so only honouring the tag can recover it.
    const control = await engine.match(face('obama-1.jpg'), sideways);
    expect(control.kind === 'compared' && control.match).toBe(false);
    expect(compared(await engine.match(face('obama-1.jpg'), tagged)).match).toBe(true);
  });

  it('handles the RGBA PNG fixture', async () => {
    expect(compared(await engine.match(face('obama-5-rgba.png'), face('obama-1.jpg'))).match).toBe(true);
    expect(compared(await engine.match(face('obama-5-rgba.png'), face('biden-2.jpg'))).match).toBe(false);
  });

  it('flattens transparency onto white: a face hidden under alpha = 0 is not seen', async () => {
    // Left: Obama, opaque. Right: a bigger Biden, fully transparent (alpha 0, RGB still there).
    const h = 600;
    const leftW = 400;
    const left = await sharp(face('obama-1.jpg')).resize({ width: leftW, height: h, fit: 'contain', background: '#808080' }).png().toBuffer();
    const right = await sharp(face('biden-2.jpg')).resize({ width: h, height: h }).png().toBuffer();
    const width = leftW + h;
    const rgb = await sharp({ create: { width, height: h, channels: 3, background: '#000000' } })
      .composite([{ input: left, left: 0, top: 0 }, { input: right, left: leftW, top: 0 }]).removeAlpha().raw().toBuffer();
    const alpha = Buffer.alloc(width * h);
    for (let y = 0; y < h; y++) alpha.fill(255, y * width, y * width + leftW);
    const rgbOnly = await sharp(rgb, { raw: { width, height: h, channels: 3 } }).png().toBuffer();
    const rgba = await sharp(rgb, { raw: { width, height: h, channels: 3 } }).joinChannel(alpha, { raw: { width, height: h, channels: 1 } }).png().toBuffer();
    expect((await sharp(rgba).metadata()).channels).toBe(4);
    // Precondition: ignoring alpha, the largest face is Biden's.
    expect(compared(await engine.match(rgbOnly, face('biden-1.jpg'))).match).toBe(true);
    // With alpha honoured only Obama is visible.
    expect(compared(await engine.match(rgba, face('obama-2.jpg'))).match).toBe(true);
    expect(compared(await engine.match(rgba, face('biden-1.jpg'))).match).toBe(false);
  });

  it('reports both faces of two-people.jpg, left to right, with the larger one used', async () => {
    const two = face('two-people.jpg');
    const meta = await sharp(two).metadata();
    const r = await engine.faces(two);
    if (r.kind !== 'faces') throw new Error(`expected faces, got ${JSON.stringify(r)}`);
    expect({ width: r.width, height: r.height }).toEqual({ width: meta.width, height: meta.height });
    expect(r.faces).toHaveLength(2);
    const [left, right] = r.faces as [FaceBox, FaceBox];
    expect(left.x + left.width).toBeLessThanOrEqual(right.x);
    const area = (f: { width: number; height: number }) => f.width * f.height;
    expect(r.used).toBe(area(left) > area(right) ? 0 : 1);
    for (const f of r.faces) {
      expect(f.x).toBeGreaterThanOrEqual(0);
      expect(f.y).toBeGreaterThanOrEqual(0);
      expect(f.x + f.width).toBeLessThanOrEqual(r.width);
      expect(f.y + f.height).toBeLessThanOrEqual(r.height);
      expect(f.score).toBeGreaterThan(0);
    }
  });

  it('reports faces in the upright original\'s pixels: EXIF orientation and downscaling undone', async () => {
    const sideways = await sharp(face('obama-2.jpg')).rotate(270).jpeg().toBuffer();
    const tagged = await sharp(sideways).withMetadata({ orientation: 6 }).jpeg().toBuffer();
    const [plain, turned] = [await engine.faces(face('obama-2.jpg')), await engine.faces(tagged)];
    if (plain.kind !== 'faces' || turned.kind !== 'faces') throw new Error('expected faces');
    expect({ w: turned.width, h: turned.height }).toEqual({ w: plain.width, h: plain.height });
    expect(plain.height).toBeGreaterThan(1024); // so the engine decoded a downscaled copy
    const [a, b] = [plain.faces[plain.used!]!, turned.faces[turned.used!]!];
    expect(Math.abs(a.x - b.x)).toBeLessThan(0.05 * plain.width);
    expect(Math.abs(a.width - b.width)).toBeLessThan(0.05 * plain.width);
  });

  it('reports no faces and used: null for an image without a face, and undecodable bytes as such', async () => {
    expect(await engine.faces(await gradient())).toEqual({ kind: 'faces', width: 640, height: 480, faces: [], used: null });
    expect(await engine.faces(new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]))).toMatchObject({ kind: 'undecodable' });
  });

  it('uses the largest face of a group photo (two-people.jpg)', async () => {
    // Rule: the face with the largest detection box (width × height) is compared; the others are
    // ignored. In two-people.jpg Obama is on the left and Biden on the right, their boxes within
    // ~10 % of each other, so which one is larger depends on the detector: ask the engine which
    // one it uses, then check the comparison follows it.
    const two = face('two-people.jpg');
    const found = await engine.faces(two);
    if (found.kind !== 'faces' || found.used === null) throw new Error(`expected faces, got ${JSON.stringify(found)}`);
    const [usedPerson, otherPerson] = found.used === 0 ? ['obama-1.jpg', 'biden-1.jpg'] : ['biden-1.jpg', 'obama-1.jpg'];
    expect(compared(await engine.match(two, face(usedPerson))).match).toBe(true);
    expect(compared(await engine.match(two, face(otherPerson))).match).toBe(false);
    // Cropping away the half with the used face leaves the other person, who then matches: the
    // choice is the rule, not luck.
    const meta = await sharp(two).metadata();
    const half = Math.floor(meta.width! / 2);
    const keep = found.used === 0 ? { left: half, width: meta.width! - half } : { left: 0, width: half };
    const rest = await sharp(two).extract({ ...keep, top: 0, height: meta.height! }).jpeg().toBuffer();
    expect(compared(await engine.match(rest, face(otherPerson))).match).toBe(true);
  });

  it('reports no_face with the index of the image without a face', async () => {
    const plain = await gradient();
    expect(await engine.match(face('obama-1.jpg'), plain)).toEqual({ kind: 'no_face', image: 1 });
    expect(await engine.match(plain, face('obama-1.jpg'))).toEqual({ kind: 'no_face', image: 0 });
  });

  it('reports undecodable bytes with their index, before a missing face', async () => {
    const garbage = new Uint8Array(4096).map((_, i) => (i * 7919) % 251);
    const r = await engine.match(face('obama-1.jpg'), garbage);
    expect(r).toMatchObject({ kind: 'undecodable', image: 1 });
    // A JPEG signature followed by junk: passes the magic-number check, fails in the decoder.
    const fakeJpeg = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.from(garbage)]);
    const r2 = await engine.match(fakeJpeg, await gradient());
    expect(r2).toMatchObject({ kind: 'undecodable', image: 0 });
    if (r2.kind === 'undecodable') expect(r2.message).toMatch(/decode/);
    expect(await engine.match(new Uint8Array(0), face('obama-1.jpg'))).toMatchObject({ kind: 'undecodable', image: 0 });
  });

  it('runs the models in its worker threads, never on the calling thread', async () => {
    // The calling thread only copies bytes and reads results: after real comparisons, neither tfjs
    // nor face-api has been loaded here (how busy that thread stays is measured in bench/engine.ts).
    const r = await Promise.all([engine.match(face('obama-3.jpg'), face('biden-1.jpg')), engine.match(face('obama-1.jpg'), face('obama-2.jpg'))]);
    expect(r.map((x) => compared(x).match)).toEqual([false, true]);
    // (The engine's model line reads the packages' package.json for their versions; no code.)
    const loadedHere = Object.keys(createRequire(import.meta.url).cache).filter((k) => /[\\/](@tensorflow|@vladmandic)[\\/].*\.[cm]?js$/.test(k));
    expect(loadedHere).toEqual([]);
  });
});

describe('real engine on a seeded sample of lfw-dev (tight LFW face crops)', () => {
  // A regression guard, not the goal (the goal is in npm run bench -- engine, on all 400 pairs).
  const SAMPLE = 64;
  const ACCURACY_FLOOR = 0.95;
  let engine: Engine;
  const all = readPairsCsv(LFW_DIR);
  const rnd = seededRandom(15);
  /** Each sample pair's decision (match or not), filled by the first test. */
  const decided = new Map<LabelledPair, boolean>();
  const sample = [...all].map((p) => ({ p, k: rnd() })).sort((a, b) => a.k - b.k).slice(0, SAMPLE).map((x) => x.p);

  beforeAll(async () => {
    engine = createEngine({ mode: 'real', threshold: THRESHOLD, workers: 2 });
    await engine.ready();
  }, 180_000);
  afterAll(async () => { await engine?.close(); });

  it(`finds a face in every image and decides at least ${ACCURACY_FLOOR * 100} % of ${SAMPLE} pairs right`, async () => {
    expect(new Set(sample.map((p) => p.same)).size).toBe(2);
    const noFace: string[] = [];
    const scored: { distance: number; same: boolean }[] = [];
    for (const p of sample) {
      const r = await engine.match(fs.readFileSync(lfwPath(p.image1)), fs.readFileSync(lfwPath(p.image2)));
      if (r.kind === 'no_face') noFace.push(r.image === 0 ? p.image1 : p.image2);
      scored.push({ distance: r.kind === 'compared' ? r.distance : Infinity, same: p.same });
      decided.set(p, r.kind === 'compared' && r.match);
    }
    expect(noFace).toEqual([]);
    expect(correctAt(scored, THRESHOLD) / SAMPLE).toBeGreaterThanOrEqual(ACCURACY_FLOOR);
  }, 300_000);

  it('decides every pair of the sample right, but for lfw-dev\'s one pair no version of the engine has', () => {
    // Unchanged or better: before ID cards (#26) the engine missed 3 of lfw-dev's 400 pairs, now 1,
    // Peter_Mugyeni vs Wayne_Allard (two people, distance ≈ 0.48). The sample's other pairs must be right.
    const known = (p: LabelledPair) => p.image1 === 'Peter_Mugyeni_0001.jpg' && p.image2 === 'Wayne_Allard_0001.jpg';
    expect(decided.size).toBe(SAMPLE);
    expect(sample.filter((p) => !known(p) && decided.get(p) !== p.same).map((p) => `${p.image1} vs ${p.image2}`)).toEqual([]);
  });
});
