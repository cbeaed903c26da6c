import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import JSZip from 'jszip';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { declaredEntryCount, openZip, ZipError } from './zip.ts';
import { sniff } from './filetype.ts';
import { caseById, type ZipCase } from '../../../test/corpus.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const facesDir = path.resolve(repoRoot, '../shared/fixtures/faces');

/** The 16 pairs of pairs.csv as `faces/pairNN_image1.<ext>` / `faces/pairNN_image2.<ext>`. */
function fixturePairs(): { stem: string; image1: string; image2: string; same: boolean }[] {
  const lines = readFileSync(path.join(facesDir, 'pairs.csv'), 'utf8').trim().split(/\r?\n/).slice(1);
  return lines.map((line, i) => {
    const [image1, image2, same] = line.split(',');
    return { stem: `pair${String(i + 1).padStart(2, '0')}`, image1: image1!, image2: image2!, same: same === '1' };
  });
}

const ext = (f: string) => path.extname(f);

let fixtureBytes: Promise<Uint8Array> | undefined;
/** A fresh copy of the fixture ZIP (built once). */
async function fixtureZip(): Promise<Uint8Array> {
  fixtureBytes ??= buildFixtureZip();
  return (await fixtureBytes).slice();
}

async function buildFixtureZip(): Promise<Uint8Array> {
  const zip = new JSZip();
  for (const p of fixturePairs()) {
    zip.file(`faces/${p.stem}_image1${ext(p.image1)}`, readFileSync(path.join(facesDir, p.image1)));
    zip.file(`faces/${p.stem}_image2${ext(p.image2)}`, readFileSync(path.join(facesDir, p.image2)));
  }
  zip.file('faces/README.txt', 'not an image');
  return zip.generateAsync({ type: 'uint8array', compression: 'DEFLATE' });
}

async function smallZip(files: Record<string, string | Uint8Array>, compression: 'STORE' | 'DEFLATE' = 'STORE'): Promise<Uint8Array> {
  const zip = new JSZip();
  for (const [name, data] of Object.entries(files)) zip.file(name, data);
  return zip.generateAsync({ type: 'uint8array', compression });
}

function findAll(bytes: Uint8Array, sig: readonly number[]): number[] {
  const at: number[] = [];
  for (let i = 0; i + sig.length <= bytes.length; i++) if (sig.every((b, k) => bytes[i + k] === b)) at.push(i);
  return at;
}
const LOCAL = [0x50, 0x4b, 0x03, 0x04];
const CENTRAL = [0x50, 0x4b, 0x01, 0x02];
const EOCD = [0x50, 0x4b, 0x05, 0x06];

/** A File-like Blob that counts the bytes read from it, as the browser reads a chosen file. */
class CountingBlob extends Blob {
  read = 0;
  private readonly content: Uint8Array;
  constructor(content: Uint8Array) {
    super([new Uint8Array(content)]);
    this.content = content;
  }
  override slice(start?: number, end?: number): Blob {
    const part = this.content.subarray(start ?? 0, end ?? this.content.length);
    this.read += part.length;
    return new Blob([new Uint8Array(part)]);
  }
}

describe('a ZIP chosen in the browser (a Blob)', () => {
  it('is opened from its end and its central directory only, and each pair is read from disk when it is sent', async () => {
    const bytes = await fixtureZip();
    const file = new CountingBlob(bytes);
    const opened = await openZip(file, 'pairs.zip');
    expect(opened.pairs).toHaveLength(16);
    // Opening reads the central directory and the last 64 KB at most, not the images.
    expect(file.read).toBeLessThan(70_000 + 4_000);
    expect(file.read).toBeLessThan(bytes.length / 10);
    const opening = file.read;
    const byPath = new Map(opened.entries.map((e) => [e.name, e]));
    const first = opened.pairs[0]!;
    const [a, b] = await opened.readPair(first);
    expect(Buffer.from(await a.data.arrayBuffer()).equals(readFileSync(path.join(facesDir, fixturePairs()[0]!.image1)))).toBe(true);
    expect(b.data.size).toBe(byPath.get(first.image2_path)!.size);
    // One pair costs its two entries' stored bytes and at most one read-ahead window of the entries after them, not the archive.
    const stored = byPath.get(first.image1_path)!.compressedSize + byPath.get(first.image2_path)!.compressedSize;
    expect(file.read - opening).toBeGreaterThanOrEqual(stored);
    expect(file.read - opening).toBeLessThanOrEqual(Math.max(stored + 2_000, 1024 * 1024));
    expect(bytes.length).toBeGreaterThan(2 * 1024 * 1024);
    // A whole run reads each image once: about the archive's size in all, never twice it.
    for (const pair of opened.pairs.slice(1)) await opened.readPair(pair);
    expect(file.read).toBeLessThan(bytes.length * 1.25 + opening);
    expect(file.read).toBeGreaterThan(bytes.length * 0.9);
  });

  it('a file that cannot be read any more (changed or removed on disk) is named, with what to do', async () => {
    const bytes = await fixtureZip();
    const gone = new (class extends Blob {
      override slice(): Blob {
        return { arrayBuffer: () => Promise.reject(new DOMException('The requested file could not be read', 'NotReadableError')) } as unknown as Blob;
      }
    })([new Uint8Array(bytes)]);
    await expectZipError(openZip(gone, 'pairs.zip'), /^pairs\.zip could not be read from disk\. Choose the file again\.$/);
  });
});

async function expectZipError(p: Promise<unknown>, pattern: RegExp): Promise<ZipError> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(ZipError);
  expect((err as ZipError).message).toMatch(pattern);
  expect((err as ZipError).message).not.toMatch(/\n\s+at /); // a sentence, not a stack
  return err as ZipError;
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('openZip', () => {
  it('opens the fixture ZIP to 16 pairs and readPair returns the right bytes with sniffed types', async () => {
    const bytes = await fixtureZip();
    const opened = await openZip(new Blob([bytes as Uint8Array<ArrayBuffer>]), 'faces.zip');
    const expected = fixturePairs();
    expect(opened.pairs).toHaveLength(16);
    expect(opened.entryCount).toBe(34); // 32 images + README.txt + the faces/ folder
    // The faces/ folder entry is searched, not skipped.
    expect(opened.skipped.map((s) => s.path)).toEqual(['faces/README.txt']);
    expect(opened.pairs.map((p) => p.pair_id)).toEqual(expected.map((p) => p.stem));

    for (const [i, pair] of opened.pairs.entries()) {
      const want = expected[i]!;
      const [a, b] = await opened.readPair(pair);
      expect(a.name).toBe(`${want.stem}_image1${ext(want.image1)}`);
      expect(b.name).toBe(`${want.stem}_image2${ext(want.image2)}`);
      expect(Buffer.from(await a.data.arrayBuffer()).equals(readFileSync(path.join(facesDir, want.image1)))).toBe(true);
      expect(Buffer.from(await b.data.arrayBuffer()).equals(readFileSync(path.join(facesDir, want.image2)))).toBe(true);
      expect(a.data.type).toBe(want.image1.endsWith('.png') ? 'image/png' : 'image/jpeg');
      expect(b.data.type).toBe(want.image2.endsWith('.png') ? 'image/png' : 'image/jpeg');
    }
  });

  it('decompresses nothing when opening, and only the two entries of a pair when asked', async () => {
    // One pair's compressed bytes are damaged: opening still succeeds (nothing is inflated up front),
    // the other pair reads fine, and only asking for the damaged pair fails, naming its entry.
    const damaged = await (caseById('corrupt-deflate') as ZipCase).build();
    const opened = await openZip(new Uint8Array(damaged.bytes), damaged.name);
    expect(opened.pairs.map((p) => p.pair_id)).toEqual(['ok', 'broken']); // the ZIP lists ok first
    const [one, two] = await opened.readPair(opened.pairs[0]!);
    expect(sniff(new Uint8Array(await one.data.arrayBuffer()))).toBe('jpeg');
    expect(two.name).toBe('ok_image2.jpg');
    await expectZipError(opened.readPair(opened.pairs[1]!), /broken_image1\.jpg in damaged\.zip could not be decompressed/);
  });

  it('reads Stored and Deflate entries to the exact bytes that were zipped', async () => {
    for (const compression of ['STORE', 'DEFLATE'] as const) {
      const zip = new JSZip();
      const a = readFileSync(path.join(facesDir, 'obama-1.jpg'));
      const b = readFileSync(path.join(facesDir, 'alex-lacamoire-2.png'));
      zip.file('x_image1.jpg', a);
      zip.file('x_image2.png', b);
      const opened = await openZip(await zip.generateAsync({ type: 'uint8array', compression }), 'x.zip');
      const [one, two] = await opened.readPair(opened.pairs[0]!);
      expect(Buffer.from(await one.data.arrayBuffer()).equals(a)).toBe(true);
      expect(Buffer.from(await two.data.arrayBuffer()).equals(b)).toBe(true);
      expect(two.data.type).toBe('image/png');
    }
  });

  it('sniffs what an entry really is from its first bytes, Stored or Deflate', async () => {
    const jpeg = readFileSync(path.join(facesDir, 'obama-1.jpg'));
    const png = readFileSync(path.join(facesDir, 'alex-lacamoire-2.png'));
    for (const compression of ['STORE', 'DEFLATE'] as const) {
      const opened = await openZip(await smallZip({ 'a_image1.jpg': jpeg, 'a_image2.jpg': png, 'b_image1.jpg': 'just some text\n', 'b_image2.png': new Uint8Array(0) }, compression), 'x.zip');
      const types = await Promise.all(['a_image1.jpg', 'a_image2.jpg', 'b_image1.jpg', 'b_image2.png'].map((p) => opened.sniffEntry!(p)));
      expect(types).toEqual(['jpeg', 'png', 'text', 'empty']);
    }
  });

  it('sniffs an entry without inflating it in full: one declaring 2 GB is still sniffed, never read', async () => {
    const bytes = await smallZip({ 'bomb_image1.png': 'x'.repeat(100_000), 'bomb_image2.jpg': 'y' }, 'DEFLATE');
    const enc = new TextEncoder().encode('bomb_image1.png');
    for (const at of findAll(bytes, CENTRAL)) {
      const nameLen = bytes[at + 28]! | (bytes[at + 29]! << 8);
      const name = bytes.subarray(at + 46, at + 46 + nameLen);
      if (name.length === enc.length && name.every((b, i) => b === enc[i])) bytes.set([0xff, 0xff, 0xff, 0x7f], at + 24);
    }
    const opened = await openZip(bytes, 'bomb.zip');
    expect(await opened.sniffEntry!('bomb_image1.png')).toBe('text');
    await expectZipError(opened.readPair(opened.pairs[0]!), /declares 2048\.0 MB uncompressed/);
  });

  it('names the entry when it cannot be sniffed (damaged data, not in the archive)', async () => {
    const damaged = await (caseById('corrupt-deflate') as ZipCase).build();
    const opened = await openZip(new Uint8Array(damaged.bytes), damaged.name);
    await expectZipError(opened.sniffEntry!('broken_image1.jpg'), /broken_image1\.jpg in damaged\.zip could not be decompressed/);
    await expectZipError(opened.sniffEntry!('nope.jpg'), /nope\.jpg is not in damaged\.zip/);
  });

  it('refuses a file that is not a ZIP, naming it and its real type', async () => {
    const png = readFileSync(path.join(facesDir, 'alex-lacamoire-2.png'));
    await expectZipError(openZip(png, 'photo.zip'), /^photo\.zip is not a ZIP archive \(it looks like a PNG image\)\. Choose a \.zip file/);
    await expectZipError(openZip(new TextEncoder().encode('hello'), 'notes.zip'), /notes\.zip is not a ZIP archive \(it looks like a text file\)/);
  });

  it('refuses an empty file and an empty ZIP', async () => {
    await expectZipError(openZip(new Uint8Array(0), 'nothing.zip'), /nothing\.zip is empty \(0 bytes\)/);
    const empty = await new JSZip().generateAsync({ type: 'uint8array' });
    await expectZipError(openZip(empty, 'blank.zip'), /blank\.zip is an empty ZIP archive/);
  });

  it('refuses a truncated ZIP', async () => {
    const bytes = await fixtureZip();
    await expectZipError(openZip(bytes.slice(0, Math.floor(bytes.length / 2)), 'cut.zip'), /cut\.zip looks like a ZIP but could not be read: it is truncated or damaged/);
  });

  it('refuses a ZIP only when every file in it is password-protected, without naming a library', async () => {
    const bytes = await smallZip({ 'a_image1.jpg': 'x', 'a_image2.jpg': 'y' });
    for (const at of findAll(bytes, LOCAL)) bytes[at + 6]! |= 0x01; // general purpose flag, bit 0
    for (const at of findAll(bytes, CENTRAL)) bytes[at + 8]! |= 0x01;
    await expectZipError(openZip(bytes, 'secret.zip'), /^secret\.zip is password-protected \(every file in it is encrypted\); the playground cannot open protected entries\. Re-create it without a password\.$/);
  });

  it('refuses more entries than the limit before parsing them', async () => {
    const bytes = await smallZip({ 'a_image1.jpg': 'x' });
    const eocd = findAll(bytes, EOCD)[0]!;
    expect(declaredEntryCount(bytes)).toBe(1);
    bytes[eocd + 10] = 60_000 & 0xff; // total entries
    bytes[eocd + 11] = 60_000 >> 8;
    await expectZipError(openZip(bytes, 'huge.zip'), /huge\.zip holds 60,000 entries; the limit is 50,000\. Split it/);
    const twelve = await smallZip(Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`f${i}.txt`, 'x'])));
    await expectZipError(openZip(twelve, 'twelve.zip', { maxEntries: 10 }), /holds 12 entries; the limit is 10/);
  });

  it('skips nested archives without opening them', async () => {
    const inner = await smallZip({ 'x_image1.jpg': 'x', 'x_image2.jpg': 'y' });
    const bytes = await smallZip({ 'inner.zip': inner, 'q_image1.zip': inner, 'q_image2.jpg': 'y' });
    const opened = await openZip(bytes, 'outer.zip');
    expect(opened.pairs).toEqual([]);
    expect(opened.skipped.find((s) => s.path === 'inner.zip')?.reason).toMatch(/nested archives are not opened/);
    expect(opened.skipped.find((s) => s.path === 'q_image1.zip')?.reason).toMatch(/nested archives are not opened/);
    expect(opened.skipped.find((s) => s.path === 'q_image2.jpg')?.reason).toMatch(/No partner/);
    expect(opened.notices[0]).toMatch(/outer\.zip contains no image pairs/);
  });

  it('does not decompress an entry that declares a huge size, and names it', async () => {
    const bytes = await smallZip({ 'bomb_image1.png': 'x'.repeat(1000), 'bomb_image2.jpg': 'y', 'ok_image1.jpg': 'a', 'ok_image2.jpg': 'b' }, 'DEFLATE');
    // Patch the declared uncompressed size (central directory offset 24) of bomb_image1.png to ~2 GB.
    const enc = new TextEncoder().encode('bomb_image1.png');
    for (const at of findAll(bytes, CENTRAL)) {
      const nameLen = bytes[at + 28]! | (bytes[at + 29]! << 8);
      const name = bytes.subarray(at + 46, at + 46 + nameLen);
      if (name.length === enc.length && name.every((b, i) => b === enc[i])) {
        bytes.set([0xff, 0xff, 0xff, 0x7f], at + 24);
      }
    }
    const opened = await openZip(bytes, 'bomb.zip');
    expect(opened.pairs.map((p) => p.pair_id)).toEqual(['bomb', 'ok']);
    await expectZipError(opened.readPair(opened.pairs[0]!), /^bomb_image1\.png declares 2048\.0 MB uncompressed, over the 50\.0 MB limit for one image; it was not decompressed/);
    const [a, b] = await opened.readPair(opened.pairs[1]!);
    expect(await a.data.text()).toBe('a');
    expect(await b.data.text()).toBe('b');
    expect(a.data.type).toBe('text/plain');
  });
});
