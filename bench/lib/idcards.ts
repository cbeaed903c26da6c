/**
 * The ID-card dev set, built at run time from ../shared/fixtures/lfw-dev (nothing committed as an
 * image): each lfw-dev pair becomes image1, a phone photo of a synthetic ID card carrying the
 * first photo as its printed portrait, and image2, a selfie made from the second photo. Same
 * labels as lfw-dev. Deterministic for a seed (the same bytes on every run with the same sharp).
 *
 * image1, the card (about 1000 × 630 px, layouts varied so nothing is tuned to one template):
 *  - a patterned background (guilloche-like waves, rosettes or stripes in a random palette), a
 *    header band, text fields drawn as text-like strokes (no fonts: the bytes do not depend on the
 *    machine's fonts);
 *  - the portrait: the face 150–350 px tall, printed: desaturated and tinted, or greyscale, its
 *    contrast flattened, sometimes softened;
 *  - the "ghost image": a small faint greyscale second copy of the portrait (sometimes sharper
 *    than the portrait), blended into the pattern;
 *  - the card, with rounded corners, rotated up to ±10° and placed on a table or held in a hand
 *    before a room, then "photographed": slight blur, lighting, JPEG 70–85.
 * image2, the selfie: the other photo upscaled to a phone size (filling the frame, or smaller on a
 * plain background), brightness varied, JPEG 60–80.
 *
 * Used by the engine tests (server/engine/idcards.test.ts), `npm run bench -- engine` and
 * examples/idcard-evaluation.ts.
 */
import { readFileSync } from 'node:fs';
import sharp, { type Sharp } from 'sharp';
import { seededRandom } from '../../server/faults.ts';
import { LFW_DIR, lfwPath, readPairsCsv, type LabelledPair } from '../../test/faces.ts';

/** Seed of the dev set the bench and the example report (any other seed gives another set). */
export const IDCARD_SEED = 26;

export interface Box { x: number; y: number; width: number; height: number }

export interface CardTruth {
  /** Where the printed portrait and the ghost copy sit in image1 (axis-aligned bounds of the rotated squares). */
  portrait: Box;
  ghost: Box;
  /** The card's rotation in the photo, degrees (clockwise positive). */
  rotation: number;
  /** How the portrait was printed. */
  print: 'greyscale' | 'tinted';
  layout: string;
  background: 'table' | 'hand';
  /** Height of the face in the printed portrait, card pixels (the crop's face fills ~85 % of it). */
  portraitSide: number;
  ghostSide: number;
  cardQuality: number;
  selfieQuality: number;
}

export interface IdCardPair {
  id: string;
  same: boolean;
  /** The lfw-dev images the pair was made from: image1 is printed on the card, image2 is the selfie. */
  source: LabelledPair;
  card: Buffer;
  selfie: Buffer;
  truth: CardTruth;
}

export interface CardOptions {
  /** Card rotation in degrees; drawn from ±10° when not given. */
  rotation?: number;
  /** Print the portrait soft (blur σ 2), so the ghost, never blurred on the card, is the sharper copy. */
  soften?: boolean;
}

type Rand = () => number;
const between = (r: Rand, lo: number, hi: number) => lo + (hi - lo) * r();
const int = (r: Rand, lo: number, hi: number) => Math.floor(between(r, lo, hi + 1));
const pick = <T>(r: Rand, list: readonly T[]): T => list[Math.floor(r() * list.length)]!;
const hex = (c: readonly number[]) => `#${c.map((v) => Math.max(0, Math.min(255, Math.round(v))).toString(16).padStart(2, '0')).join('')}`;

/** A light pastel, the card's base colour. */
function pastel(r: Rand): number[] {
  return [int(r, 200, 245), int(r, 200, 245), int(r, 200, 245)];
}

/** Guilloche-like security pattern: wavy lines, rosettes or fine stripes. */
function patternSvg(r: Rand, w: number, h: number, base: number[]): string {
  const ink = hex(base.map((v) => v - between(r, 40, 90)));
  const kind = int(r, 0, 2);
  const parts: string[] = [];
  if (kind === 0) {
    const lines = int(r, 14, 26);
    const amp = between(r, 6, 22);
    const freq = between(r, 0.01, 0.03);
    for (let i = 0; i < lines; i++) {
      const y0 = (h * i) / lines;
      const pts: string[] = [];
      for (let x = 0; x <= w; x += 10) pts.push(`${x},${(y0 + amp * Math.sin(freq * x + i * 0.7)).toFixed(1)}`);
      parts.push(`<polyline points="${pts.join(' ')}" fill="none" stroke="${ink}" stroke-width="1.2" opacity="0.35"/>`);
    }
  } else if (kind === 1) {
    const cx = between(r, 0.2, 0.8) * w;
    const cy = between(r, 0.2, 0.8) * h;
    const petals = int(r, 8, 16);
    for (let k = 1; k <= 12; k++) {
      const pts: string[] = [];
      for (let a = 0; a <= 360; a += 4) {
        const rad = (a * Math.PI) / 180;
        const rr = k * 28 * (1 + 0.12 * Math.sin(petals * rad));
        pts.push(`${(cx + rr * Math.cos(rad)).toFixed(1)},${(cy + rr * Math.sin(rad)).toFixed(1)}`);
      }
      parts.push(`<polyline points="${pts.join(' ')}" fill="none" stroke="${ink}" stroke-width="1" opacity="0.3"/>`);
    }
  } else {
    const step = int(r, 6, 14);
    const angle = between(r, -40, 40);
    for (let x = -h; x < w + h; x += step) parts.push(`<line x1="${x}" y1="0" x2="${x + h * Math.tan((angle * Math.PI) / 180)}" y2="${h}" stroke="${ink}" stroke-width="1" opacity="0.18"/>`);
  }
  return parts.join('');
}

/** A line of "text": words made of short strokes and arcs, no font involved. */
function textStrokes(r: Rand, x: number, y: number, maxWidth: number, size: number, colour: string): string {
  const out: string[] = [];
  let cx = x;
  const end = x + maxWidth * between(r, 0.45, 1);
  while (cx < end) {
    const letters = int(r, 2, 9);
    for (let i = 0; i < letters && cx < end; i++) {
      const w = size * between(r, 0.45, 0.7);
      const shape = int(r, 0, 3);
      if (shape === 0) out.push(`M${cx.toFixed(1)} ${y} v${-size}`);
      else if (shape === 1) out.push(`M${cx.toFixed(1)} ${y} l${(w / 2).toFixed(1)} ${-size} l${(w / 2).toFixed(1)} ${size}`);
      else if (shape === 2) out.push(`M${(cx + w).toFixed(1)} ${(y - size * 0.5).toFixed(1)} a${(w / 2).toFixed(1)} ${(size / 2).toFixed(1)} 0 1 0 0 0.1`);
      else out.push(`M${cx.toFixed(1)} ${y - size} h${w.toFixed(1)} M${cx.toFixed(1)} ${y - size / 2} h${(w * 0.8).toFixed(1)} M${cx.toFixed(1)} ${y - size} v${size}`);
      cx += w + size * 0.18;
    }
    cx += size * 0.6;
  }
  return `<path d="${out.join(' ')}" fill="none" stroke="${colour}" stroke-width="${(size / 7).toFixed(1)}" stroke-linecap="round"/>`;
}

interface Layout {
  name: string;
  portrait: { x: number; y: number; side: number };
  ghost: { x: number; y: number; side: number };
  /** Areas for text lines: [x, y, width]. */
  text: [number, number, number][];
  header: number;
}

/** Where things go on the card: the portrait left or right, the ghost elsewhere, text around them. */
function chooseLayout(r: Rand, w: number, h: number): Layout {
  const header = int(r, 50, 90);
  // The crop's face fills about 85 % of its side: a side of 176–410 px gives a face 150–350 px tall.
  const side = Math.min(int(r, 176, 410), h - header - 30);
  const portraitLeft = r() < 0.65;
  const py = header + int(r, 10, Math.max(10, h - header - side - 15));
  const px = portraitLeft ? int(r, 25, 60) : w - side - int(r, 25, 60);
  const ghostSide = Math.max(80, Math.round(side * between(r, 0.32, 0.5)));
  const free = portraitLeft ? { x0: px + side + 30, x1: w - 25 } : { x0: 25, x1: px - 30 };
  const ghostCorner = r() < 0.5;
  const gx = ghostCorner ? free.x1 - ghostSide - int(r, 0, 30) : free.x0 + int(r, 0, Math.max(0, free.x1 - free.x0 - ghostSide));
  const gy = ghostCorner ? h - ghostSide - int(r, 15, 40) : int(r, header + 10, h - ghostSide - 15);
  const text: [number, number, number][] = [];
  const lines = int(r, 4, 8);
  const textRight = ghostCorner ? gx - 20 : free.x1;
  const textWidth = Math.max(120, textRight - free.x0);
  for (let i = 0; i < lines; i++) {
    const y = header + 40 + i * ((h - header - 60) / lines);
    const overlapsGhost = !ghostCorner && y + 5 > gy && y - 30 < gy + ghostSide;
    if (!overlapsGhost) text.push([free.x0, Math.round(y), textWidth]);
  }
  return {
    name: `${portraitLeft ? 'portrait-left' : 'portrait-right'}/${ghostCorner ? 'ghost-corner' : 'ghost-among-text'}`,
    portrait: { x: px, y: py, side }, ghost: { x: gx, y: gy, side: ghostSide }, text, header,
  };
}

/** The printed portrait: desaturated and tinted, or greyscale; contrast flattened; sometimes softened. */
async function printed(r: Rand, src: Buffer, side: number, soften: boolean): Promise<{ png: Buffer; print: CardTruth['print'] }> {
  const grey = r() < 0.35;
  let img = sharp(src).resize(side, side, { kernel: 'cubic' });
  if (grey) img = img.greyscale();
  else img = img.modulate({ saturation: between(r, 0.15, 0.65) }).tint({ r: int(r, 150, 255), g: int(r, 140, 240), b: int(r, 120, 230) });
  img = img.linear(between(r, 0.7, 0.9), between(r, 15, 45));
  const blur = r() < 0.5 ? between(r, 0.6, 1.4) : 0;
  if (soften || blur) img = img.blur(soften ? 2 : blur);
  return { png: await img.toColourspace('srgb').png().toBuffer(), print: grey ? 'greyscale' : 'tinted' };
}

/** The ghost: small, greyscale, faint (blended into the pattern at 30–55 % opacity), often sharp. */
async function ghostImage(r: Rand, src: Buffer, side: number): Promise<Buffer> {
  const opacity = between(r, 0.3, 0.55);
  const { data, info } = await sharp(src).resize(side, side, { kernel: 'lanczos3' }).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const rgba = Buffer.alloc(info.width * info.height * 4);
  for (let i = 0, j = 0; j < rgba.length; i += info.channels, j += 4) {
    const y = Math.round(0.299 * data[i]! + 0.587 * data[i + 1]! + 0.114 * data[i + 2]!);
    rgba.fill(y, j, j + 3);
    rgba[j + 3] = Math.round(255 * opacity);
  }
  return sharp(rgba, { raw: { width: info.width, height: info.height, channels: 4 } }).png().toBuffer();
}

/** The card itself (PNG with transparent rounded corners) and its layout. */
async function drawCard(r: Rand, face: Buffer, soften: boolean): Promise<{ png: Buffer; layout: Layout; print: CardTruth['print']; width: number; height: number }> {
  const w = int(r, 960, 1040);
  const h = Math.round(w * between(r, 0.6, 0.66));
  const base = pastel(r);
  const layout = chooseLayout(r, w, h);
  const band = hex([int(r, 20, 160), int(r, 40, 160), int(r, 60, 180)]);
  const textInk = hex([int(r, 10, 70), int(r, 10, 70), int(r, 10, 80)]);
  const svg = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}">`,
    `<defs><clipPath id="c"><rect width="${w}" height="${h}" rx="${int(r, 18, 40)}"/></clipPath></defs>`,
    `<g clip-path="url(#c)"><rect width="${w}" height="${h}" fill="${hex(base)}"/>`,
    patternSvg(r, w, h, base),
    `<rect width="${w}" height="${layout.header}" fill="${band}"/>`,
    textStrokes(r, 30, Math.round(layout.header * 0.7), w * 0.6, Math.round(layout.header * 0.4), '#f4f4f4'),
    ...layout.text.flatMap(([x, y, tw]) => [
      textStrokes(r, x, y - 18, tw * 0.4, 9, textInk),
      textStrokes(r, x, y + 6, tw, int(r, 14, 20), textInk),
    ]),
    `<rect x="${layout.portrait.x - 3}" y="${layout.portrait.y - 3}" width="${layout.portrait.side + 6}" height="${layout.portrait.side + 6}" fill="none" stroke="${textInk}" stroke-width="2" opacity="0.5"/>`,
    `</g></svg>`,
  ].join('');
  const portrait = await printed(r, face, layout.portrait.side, soften);
  const ghost = await ghostImage(r, face, layout.ghost.side);
  const png = await sharp(Buffer.from(svg))
    .composite([
      { input: portrait.png, left: layout.portrait.x, top: layout.portrait.y },
      { input: ghost, left: layout.ghost.x, top: layout.ghost.y },
    ])
    .png().toBuffer();
  // The clip path leaves transparent corners; the composite keeps them (images sit inside the card).
  return { png, layout, print: portrait.print, width: w, height: h };
}

/** A wooden or plain table, or a room with a hand holding the card. */
function sceneSvg(r: Rand, w: number, h: number, kind: CardTruth['background'], card: { cx: number; cy: number; w: number; h: number }): string {
  const parts = [`<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}">`];
  if (kind === 'table') {
    const wood = [int(r, 90, 190), int(r, 60, 130), int(r, 30, 90)];
    parts.push(`<rect width="${w}" height="${h}" fill="${hex(wood)}"/>`);
    for (let y = 0; y < h; y += int(r, 6, 16)) {
      parts.push(`<path d="M0 ${y} Q ${w / 3} ${y + between(r, -12, 12)} ${w} ${y + between(r, -8, 8)}" stroke="${hex(wood.map((v) => v - 25))}" stroke-width="${between(r, 1, 4).toFixed(1)}" fill="none" opacity="0.5"/>`);
    }
  } else {
    const wall = [int(r, 150, 235), int(r, 150, 230), int(r, 140, 225)];
    parts.push(`<rect width="${w}" height="${h}" fill="${hex(wall)}"/>`);
    parts.push(`<rect x="${int(r, 0, w / 2)}" y="0" width="${int(r, 80, 300)}" height="${h}" fill="${hex(wall.map((v) => v - 40))}" opacity="0.6"/>`);
    // A thumb and fingers at the card's lower edge, drawn before the card so the card covers them partly.
    const skin = hex([int(r, 150, 240), int(r, 110, 190), int(r, 80, 160)]);
    const yEdge = card.cy + card.h / 2;
    parts.push(`<ellipse cx="${card.cx + between(r, -0.3, 0.3) * card.w}" cy="${yEdge + 90}" rx="${card.w * 0.35}" ry="160" fill="${skin}"/>`);
  }
  parts.push('</svg>');
  return parts.join('');
}

/** Bounds of a square at (x, y, side) on a w × h card after sharp's rotate(angle) (about the centre, canvas grown). */
function rotatedBox(x: number, y: number, side: number, w: number, h: number, deg: number, dx: number, dy: number): Box {
  const a = (deg * Math.PI) / 180;
  const [c, s] = [Math.cos(a), Math.sin(a)];
  const W = Math.abs(w * c) + Math.abs(h * s);
  const H = Math.abs(w * s) + Math.abs(h * c);
  const pts = [[x, y], [x + side, y], [x, y + side], [x + side, y + side]].map(([px, py]) => {
    const [u, v] = [px! - w / 2, py! - h / 2];
    return [u * c - v * s + W / 2 + dx, u * s + v * c + H / 2 + dy];
  });
  const xs = pts.map((p) => p[0]!);
  const ys = pts.map((p) => p[1]!);
  return { x: Math.min(...xs), y: Math.min(...ys), width: Math.max(...xs) - Math.min(...xs), height: Math.max(...ys) - Math.min(...ys) };
}

/** image1: the card photographed on a table or held in a hand. */
async function cardPhoto(r: Rand, face: Buffer, opts: CardOptions): Promise<{ jpeg: Buffer; truth: Omit<CardTruth, 'selfieQuality'> }> {
  const card = await drawCard(r, face, opts.soften ?? false);
  const rotation = opts.rotation ?? between(r, -10, 10);
  const turned = await sharp(card.png).rotate(rotation, { background: { r: 0, g: 0, b: 0, alpha: 0 } }).png().toBuffer({ resolveWithObject: true });
  const background: CardTruth['background'] = r() < 0.5 ? 'table' : 'hand';
  const margin = { x: int(r, 60, 200), y: int(r, 60, 200) };
  const W = turned.info.width + 2 * margin.x;
  const H = turned.info.height + 2 * margin.y;
  const dx = margin.x + int(r, -40, 40);
  const dy = margin.y + int(r, -40, 40);
  const scene = sceneSvg(r, W, H, background, { cx: dx + turned.info.width / 2, cy: dy + turned.info.height / 2, w: card.width, h: card.height });
  const light = between(r, 0.8, 1.15);
  const quality = int(r, 70, 85);
  const jpeg = await sharp(Buffer.from(scene))
    .composite([{ input: turned.data, left: dx, top: dy }])
    .flatten({ background: '#808080' })
    .modulate({ brightness: light })
    .blur(between(r, 0.5, 1.1))
    .toColourspace('srgb')
    .jpeg({ quality, chromaSubsampling: '4:2:0' })
    .toBuffer();
  const { layout } = card;
  return {
    jpeg,
    truth: {
      portrait: rotatedBox(layout.portrait.x, layout.portrait.y, layout.portrait.side, card.width, card.height, rotation, dx, dy),
      ghost: rotatedBox(layout.ghost.x, layout.ghost.y, layout.ghost.side, card.width, card.height, rotation, dx, dy),
      rotation, print: card.print, layout: layout.name, background,
      portraitSide: layout.portrait.side, ghostSide: layout.ghost.side, cardQuality: quality,
    },
  };
}

/** image2: the other photo upscaled to a phone size, brightness varied. */
async function selfie(r: Rand, face: Buffer): Promise<{ jpeg: Buffer; quality: number }> {
  const [w, h] = pick(r, [[720, 960], [900, 1200], [1080, 1440], [720, 1280]] as const);
  const quality = int(r, 60, 80);
  const brightness = between(r, 0.7, 1.3);
  let img: Sharp;
  if (r() < 0.5) {
    img = sharp(face).resize(w, h, { fit: 'cover', kernel: 'cubic' });
  } else {
    const side = Math.round(w * between(r, 0.6, 0.95));
    const bg = [int(r, 60, 220), int(r, 60, 220), int(r, 60, 220)];
    const top = int(r, Math.round(h * 0.1), h - side - Math.round(h * 0.1));
    const left = Math.round((w - side) / 2) + int(r, -20, 20);
    const up = await sharp(face).resize(side, side, { kernel: 'cubic' }).png().toBuffer();
    img = sharp({ create: { width: w, height: h, channels: 3, background: { r: bg[0]!, g: bg[1]!, b: bg[2]! } } })
      .composite([{ input: up, left: Math.max(0, left), top }]);
    img = sharp(await img.png().toBuffer());
  }
  const jpeg = await img.modulate({ brightness }).toColourspace('srgb').jpeg({ quality }).toBuffer();
  return { jpeg, quality };
}

/** One ID-card pair from two face crops, deterministic for the seed. */
export async function makeIdCardPair(cardFace: Buffer, selfieFace: Buffer, seed: number, opts: CardOptions = {}): Promise<{ card: Buffer; selfie: Buffer; truth: CardTruth }> {
  const r = seededRandom(seed);
  const card = await cardPhoto(r, cardFace, opts);
  const s = await selfie(r, selfieFace);
  return { card: card.jpeg, selfie: s.jpeg, truth: { ...card.truth, selfieQuality: s.quality } };
}

/** Seed of pair `index` in the set built with `seed`. */
const pairSeed = (seed: number, index: number) => (Math.imul(seed + 1, 0x9e3779b1) ^ Math.imul(index + 1, 0x85ebca6b)) >>> 0;

/**
 * The ID-card set from lfw-dev's pairs (all 400, or those at `indices`), in pairs.csv order:
 * `idcardNNN` (NNN = the lfw-dev row, from 001).
 */
export async function* idCardSet(seed = IDCARD_SEED, indices?: readonly number[]): AsyncGenerator<IdCardPair> {
  const pairs = readPairsCsv(LFW_DIR);
  for (const i of indices ?? pairs.map((_, k) => k)) {
    const source = pairs[i];
    if (!source) throw new Error(`lfw-dev has ${pairs.length} pairs; there is no pair ${i + 1}.`);
    const made = await makeIdCardPair(readFileSync(lfwPath(source.image1)), readFileSync(lfwPath(source.image2)), pairSeed(seed, i));
    yield { id: `idcard${String(i + 1).padStart(3, '0')}`, same: source.same, source, ...made };
  }
}
