/**
 * Entry names and flags the ZIP specification defines, with archives written byte by byte here:
 * code page 437 names without the UTF-8 flag (Windows' "Compressed folder"), UTF-8 names with it,
 * NFC before pairing, real collisions after decoding, one encrypted entry among readable ones, and
 * the central-directory facts exposed for the input fingerprint.
 */
import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { openZip, readCentralDirectory, ZipError } from './zip.ts';

interface Entry {
  /** The name exactly as stored (bytes), and the general-purpose flags. */
  name: Buffer;
  flags?: number;
  data: Buffer;
  /** Extra field of the central header. */
  extra?: Buffer;
}

const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 16, 0x4a, 0x46, 0x49, 0x46, 0, 1, 0xff, 0xd9]);
const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);
const UTF8 = 0x0800;
const ENCRYPTED = 0x0001;

/** Name bytes from ASCII text and single byte values: cp437('caf', 0x82, '_image1.jpg'). */
function bytesOf(...parts: (string | number)[]): Buffer {
  return Buffer.concat(parts.map((p) => (typeof p === 'number' ? Buffer.from([p]) : Buffer.from(p, 'latin1'))));
}

/** A Stored-only ZIP whose names and flags are written exactly as given. */
function zipOf(entries: Entry[]): Uint8Array {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const flags = e.flags ?? 0;
    const crc = zlib.crc32(e.data);
    const lh = Buffer.alloc(30);
    lh.writeUInt32LE(0x04034b50, 0);
    lh.writeUInt16LE(20, 4);
    lh.writeUInt16LE(flags, 6);
    lh.writeUInt32LE(crc, 14);
    lh.writeUInt32LE(e.data.length, 18);
    lh.writeUInt32LE(e.data.length, 22);
    lh.writeUInt16LE(e.name.length, 26);
    const extra = e.extra ?? Buffer.alloc(0);
    const ch = Buffer.alloc(46);
    ch.writeUInt32LE(0x02014b50, 0);
    ch.writeUInt16LE(20, 4);
    ch.writeUInt16LE(20, 6);
    ch.writeUInt16LE(flags, 8);
    ch.writeUInt32LE(crc, 16);
    ch.writeUInt32LE(e.data.length, 20);
    ch.writeUInt32LE(e.data.length, 24);
    ch.writeUInt16LE(e.name.length, 28);
    ch.writeUInt16LE(extra.length, 30);
    ch.writeUInt32LE(offset, 42);
    locals.push(lh, e.name, e.data);
    centrals.push(ch, e.name, extra);
    offset += 30 + e.name.length + e.data.length;
  }
  const cd = Buffer.concat(centrals);
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(entries.length, 8);
  eocd.writeUInt16LE(entries.length, 10);
  eocd.writeUInt32LE(cd.length, 12);
  eocd.writeUInt32LE(offset, 16);
  return new Uint8Array(Buffer.concat([...locals, cd, eocd]));
}

async function rejection(p: Promise<unknown>): Promise<string> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(ZipError);
  return (err as ZipError).message;
}

describe('ZIP entry names', () => {
  it('decodes names without the UTF-8 flag as code page 437, as Windows writes them, so no pair is lost', async () => {
    const zip = zipOf([
      { name: bytesOf('caf', 0x82, '_image1.jpg'), data: JPEG }, // café
      { name: bytesOf('caf', 0x82, '_image2.jpg'), data: JPEG },
      { name: bytesOf('caf', 0x8a, '_image1.jpg'), data: JPEG }, // cafè
      { name: bytesOf('caf', 0x8a, '_image2.jpg'), data: JPEG },
      { name: bytesOf('M', 0x81, 'ller_image1.jpg'), data: JPEG }, // Müller
      { name: bytesOf('M', 0x81, 'ller_image2.png'), data: PNG },
    ]);
    const opened = await openZip(zip, 'windows.zip');
    expect(new Set(opened.pairs.map((p) => p.pair_id))).toEqual(new Set(['café', 'cafè', 'Müller']));
    expect(opened.skipped).toEqual([]);
    const muller = opened.pairs.find((p) => p.pair_id === 'Müller')!;
    expect(muller.image2_path).toBe('Müller_image2.png');
    const [, two] = await opened.readPair(muller);
    expect(two.name).toBe('Müller_image2.png');
    expect(two.data.type).toBe('image/png');
    expect(opened.entries.map((e) => e.nameEncoding)).toEqual(Array(6).fill('cp437'));
  });

  it('decodes names with the UTF-8 flag (bit 11) as UTF-8, and an Info-ZIP Unicode Path field over a legacy name', async () => {
    const utf = Buffer.from('Łódź/Zoë 東京_image1.jpg', 'utf8');
    const legacy = bytesOf('Zo', 0x89, '_image2.jpg'); // "Zoë" in code page 437
    const unicodeName = Buffer.from('Łódź/Zoë 東京_image2.jpg', 'utf8');
    const field = Buffer.alloc(9);
    field.writeUInt16LE(0x7075, 0);
    field.writeUInt16LE(5 + unicodeName.length, 2);
    field[4] = 1;
    field.writeUInt32LE(zlib.crc32(legacy), 5);
    const zip = zipOf([
      { name: utf, flags: UTF8, data: JPEG },
      { name: legacy, data: JPEG, extra: Buffer.concat([field, unicodeName]) },
    ]);
    const opened = await openZip(zip, 'utf8.zip');
    expect(opened.pairs).toEqual([{ pair_id: 'Zoë 東京', image1_path: 'Łódź/Zoë 東京_image1.jpg', image2_path: 'Łódź/Zoë 東京_image2.jpg' }]);
  });

  it('normalises names to NFC before pairing: a decomposed _image1 pairs with a composed _image2', async () => {
    const nfd = 'Jose\u0301'; // "José" as macOS writes it
    const zip = zipOf([
      { name: Buffer.from(`${nfd}_image1.jpg`, 'utf8'), flags: UTF8, data: JPEG },
      { name: Buffer.from('Jos\u00e9_image2.jpg', 'utf8'), flags: UTF8, data: JPEG },
    ]);
    const opened = await openZip(zip, 'mac.zip');
    expect(opened.pairs.map((p) => p.pair_id)).toEqual(['Jos\u00e9']);
    // The paths stay as stored; both still read.
    expect(opened.pairs[0]!.image1_path).toBe(`${nfd}_image1.jpg`);
    const [one, two] = await opened.readPair(opened.pairs[0]!);
    expect(one.data.size).toBe(JPEG.length);
    expect(two.data.size).toBe(JPEG.length);
  });

  it('reports a real collision after decoding in its own sentence naming both entries', async () => {
    const zip = zipOf([
      { name: Buffer.from('ok_image1.jpg'), data: JPEG },
      { name: Buffer.from('ok_image2.jpg'), data: JPEG },
      { name: bytesOf('Ren', 0x82, '_image1.jpg'), data: JPEG }, // "René" in code page 437 ...
      { name: Buffer.from('Rene\u0301_image1.jpg', 'utf8'), flags: UTF8, data: JPEG }, // ... and decomposed UTF-8
      { name: Buffer.from('Ren\u00e9_image2.jpg', 'utf8'), flags: UTF8, data: JPEG },
    ]);
    const opened = await openZip(zip, 'twice.zip');
    expect(opened.pairs.map((p) => p.pair_id)).toEqual(['ok']);
    const sentence = '"René_image1.jpg" (entry 3) and "Rene\u0301_image1.jpg" (entry 4) collide: both name the file "René_image1.jpg" once their names are decoded and normalised, so neither was sent. Re-create the archive with unique file names.';
    expect(opened.skipped.find((s) => s.path === 'René_image1.jpg')?.reason).toBe(sentence);
    expect(opened.skipped.find((s) => s.path === 'Rene\u0301_image1.jpg')?.reason).toBe(sentence);
    expect(opened.skipped.find((s) => s.path === 'René_image2.jpg')?.reason)
      .toBe('Not sent: its partner René_image1.jpg collides with another entry of the archive (see that entry). Re-create the archive with unique file names.');
    expect(opened.skipped.map((s) => s.reason).join(' ')).not.toMatch(/\.\.\//);
    expect(opened.entryCount).toBe(5);
  });

  it('the same name stored twice is a collision too, never a silent loss', async () => {
    const zip = zipOf([
      { name: Buffer.from('a_image1.jpg'), data: JPEG },
      { name: Buffer.from('a_image1.jpg'), data: PNG },
      { name: Buffer.from('a_image2.jpg'), data: JPEG },
    ]);
    const opened = await openZip(zip, 'dup.zip');
    expect(opened.pairs).toEqual([]);
    expect(opened.skipped.filter((s) => s.path === 'a_image1.jpg').map((s) => s.reason)).toEqual(Array(2).fill(
      '"a_image1.jpg" (entry 1) and "a_image1.jpg" (entry 2) collide: both name the file "a_image1.jpg", so neither was sent. Re-create the archive with unique file names.',
    ));
  });
});

describe('encrypted entries', () => {
  it('makes only the pair of a password-protected entry unreadable, with a notice', async () => {
    const zip = zipOf([
      { name: Buffer.from('locked_image1.jpg'), flags: ENCRYPTED, data: JPEG },
      { name: Buffer.from('locked_image2.jpg'), data: JPEG },
      { name: Buffer.from('open_image1.jpg'), data: JPEG },
      { name: Buffer.from('open_image2.jpg'), data: JPEG },
    ]);
    const opened = await openZip(zip, 'mixed.zip');
    expect(opened.pairs.map((p) => p.pair_id)).toEqual(['locked', 'open']);
    expect(opened.notices).toContain('1 image is password-protected; the playground cannot open protected entries, so its pair is not run. Re-create the ZIP without a password to run it.');
    expect(await rejection(opened.readPair(opened.pairs[0]!)))
      .toBe('locked_image1.jpg in mixed.zip is password-protected; the playground cannot open protected entries. Re-create the ZIP without a password.');
    const [a, b] = await opened.readPair(opened.pairs[1]!);
    expect(a.data.size).toBe(JPEG.length);
    expect(b.name).toBe('open_image2.jpg');
    expect(opened.entries.map((e) => e.encrypted)).toEqual([true, false, false, false]);
  });

  it('refuses the ZIP when every file is encrypted (folders do not count)', async () => {
    const zip = zipOf([
      { name: Buffer.from('set/'), data: Buffer.alloc(0) },
      { name: Buffer.from('set/x_image1.jpg'), flags: ENCRYPTED, data: JPEG },
      { name: Buffer.from('set/x_image2.jpg'), flags: ENCRYPTED, data: JPEG },
    ]);
    const message = await rejection(openZip(zip, 'vault.zip'));
    expect(message).toBe('vault.zip is password-protected (every file in it is encrypted); the playground cannot open protected entries. Re-create it without a password.');
    expect(message).not.toMatch(/jszip|fflate/i);
  });
});

describe('central directory', () => {
  it('exposes each entry name, sizes and CRC-32 as declared, for the input fingerprint', async () => {
    const zip = zipOf([
      { name: Buffer.from('p_image1.jpg'), data: JPEG },
      { name: Buffer.from('p_image2.png'), data: PNG },
    ]);
    const want = [
      { name: 'p_image1.jpg', compressedSize: JPEG.length, size: JPEG.length, crc32: zlib.crc32(JPEG) },
      { name: 'p_image2.png', compressedSize: PNG.length, size: PNG.length, crc32: zlib.crc32(PNG) },
    ];
    const opened = await openZip(zip, 'p.zip');
    expect(opened.entries).toMatchObject(want);
    expect(await readCentralDirectory(zip)).toMatchObject(want);
    expect(await readCentralDirectory(new Blob([new Uint8Array(zip)]))).toMatchObject(want);
  });

  it('finds the central directory when bytes were prepended (a self-extractor stub)', async () => {
    const zip = zipOf([
      { name: Buffer.from('s_image1.jpg'), data: JPEG },
      { name: Buffer.from('s_image2.jpg'), data: JPEG },
    ]);
    const withStub = new Uint8Array(Buffer.concat([Buffer.from('PK\u0003\u0004 stub'), zip]));
    for (const input of [withStub, new Blob([withStub])]) {
      const opened = await openZip(input, 'sfx.zip');
      const [a] = await opened.readPair(opened.pairs[0]!);
      expect(Buffer.from(await a.data.arrayBuffer()).equals(JPEG)).toBe(true);
    }
  });
});
