/**
 * The shared face fixtures (`../shared/fixtures/faces`) and the ZIPs built from them at test time.
 * Used by the Vitest suites, the Playwright suites and the benchmarks; nothing here is committed as a blob.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import JSZip from 'jszip';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const FACES_DIR = path.resolve(REPO_ROOT, '../shared/fixtures/faces');

export function facePath(name: string): string {
  return path.join(FACES_DIR, name);
}

export interface LabelledPair {
  image1: string;
  image2: string;
  same: boolean;
}

/** `../shared/fixtures/lfw-dev`: 400 labelled pairs of tight LFW face crops (see its README). */
export const LFW_DIR = path.resolve(REPO_ROOT, '../shared/fixtures/lfw-dev');
export const LFW_IMAGES = path.join(LFW_DIR, 'img');

export function lfwPath(name: string): string {
  return path.join(LFW_IMAGES, name);
}

/** A labelled set's pairs.csv (`image1,image2,same`): the fixtures' by default, or lfw-dev's. */
export function readPairsCsv(dir: string = FACES_DIR): LabelledPair[] {
  const text = readFileSync(path.join(dir, 'pairs.csv'), 'utf8');
  const [header, ...rows] = text.trim().split(/\r?\n/);
  if (header?.trim() !== 'image1,image2,same') throw new Error(`Unexpected pairs.csv header: ${header}`);
  return rows.filter((r) => r.trim()).map((row) => {
    const [image1, image2, same] = row.split(',').map((s) => s.trim());
    return { image1: image1!, image2: image2!, same: same === '1' };
  });
}

function ext(name: string): string {
  return path.extname(name).slice(1);
}

/** The stem used for row i of pairs.csv in fixture ZIPs: pair01 … pair16. */
export function pairStem(i: number): string {
  return `pair${String(i + 1).padStart(2, '0')}`;
}

export interface FixtureZipOptions {
  /** Folder inside the ZIP to put the pairs in (none by default). */
  folder?: string;
  /** Extra entries to add after the pairs, e.g. junk that must be skipped. */
  extra?: Record<string, Uint8Array | string>;
  /** Entries to list before the pairs (the ZIP's order is the input order). */
  leading?: Record<string, Uint8Array | string>;
  /** Only the first N pairs (all 16 by default). */
  count?: number;
}

/** A ZIP of the 16 labelled pairs: `pairNN_image1.<ext>` + `pairNN_image2.<ext>`. */
export async function buildFixturesZip(options: FixtureZipOptions = {}): Promise<Buffer> {
  const zip = new JSZip();
  for (const [name, data] of Object.entries(options.leading ?? {})) zip.file(name, data);
  const prefix = options.folder ? `${options.folder.replace(/\/+$/, '')}/` : '';
  readPairsCsv().slice(0, options.count).forEach((p, i) => {
    const stem = pairStem(i);
    zip.file(`${prefix}${stem}_image1.${ext(p.image1)}`, readFileSync(facePath(p.image1)));
    zip.file(`${prefix}${stem}_image2.${ext(p.image2)}`, readFileSync(facePath(p.image2)));
  });
  for (const [name, data] of Object.entries(options.extra ?? {})) zip.file(name, data);
  return zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' });
}

/** Expected verdict per pair_id for a fixture ZIP. */
export function expectedVerdicts(): Map<string, boolean> {
  return new Map(readPairsCsv().map((p, i) => [pairStem(i), p.same]));
}
