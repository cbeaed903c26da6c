/**
 * The bad-input corpus (issue "Reliability and security"): named cases of hostile, broken or odd
 * input, each built at test time from the shared face fixtures with JSZip, sharp, zlib and Buffers.
 * Nothing here is a committed blob.
 *
 * Two kinds:
 *  - `zip-file`: one file the user picks in Bulk mode ("Choose ZIP"). `expect` says what opening it
 *    must give (a ZipError sentence, or pairs / skipped files / notices) and, for the cases with pairs,
 *    the one record each pair must end up with after a run against the reference server.
 *  - `single`: the files put in the image1 / image2 slots of Single mode, and what the user must see.
 *
 * Used by `src/core/corpus.test.ts` (Vitest, openZip + runJob + buildResultsZip against a real
 * reference server) and `e2e/bad-input.spec.ts` (the same cases through the real UI).
 */
import { readFileSync } from 'node:fs';
import zlib from 'node:zlib';
import JSZip from 'jszip';
import sharp from 'sharp';
import { buildFixturesZip, facePath } from './faces.ts';

const MB = 1024 * 1024;

export interface BuiltFile {
  name: string;
  bytes: Buffer;
  mimeType: string;
}

/** What one pair's record must say after a run. */
export interface RecordExpect {
  success: boolean;
  /** HTTP status; null when no call was made. */
  status?: number | null;
  errorType?: 'http' | 'no_face' | 'not_run';
  /** Matched against record.error.message. */
  message?: RegExp;
}

export interface ZipExpect {
  /** openZip rejects with a ZipError; every pattern must match its message (the file name is always checked too). */
  zipError?: RegExp[];
  /** The pair_ids found (order-insensitive). */
  pairIds?: string[];
  /** Pair ids that must carry a flag (non-JPEG/PNG extension). */
  flagged?: string[];
  /** Skipped entries that must be reported, by exact path as stored in the ZIP, with a reason. */
  skipped?: { path: string; reason: RegExp }[];
  /** Exact number of skipped entries, when known. */
  skippedCount?: number;
  /** Each pattern must match one notice. */
  notices?: RegExp[];
  /** The outcome per pair_id after a run; pairs not listed must succeed. */
  records?: Record<string, RecordExpect>;
  /** The engine the reference server needs for this case ('instant' when the face decision does not matter). */
  engine?: 'instant' | 'real';
  /** Known bug in someone else's module: the test is expected to fail until it is fixed (see the report). */
  knownBug?: string;
}

export interface ZipCase {
  id: string;
  title: string;
  kind: 'zip-file';
  build(): Promise<BuiltFile>;
  expect: ZipExpect;
  /** True for cases that are slow to build or to run (the 20,000-entry ZIP, the real bombs). */
  slow?: boolean;
}

export interface SingleFiles {
  image1?: BuiltFile;
  image2?: BuiltFile;
}

export interface SingleExpect {
  /** A slot warning naming the file and its real type must be shown for image1/image2. */
  warning?: { slot: 'image1' | 'image2'; pattern: RegExp };
  /** Run is refused (disabled or an inline message) because a slot is empty. */
  missing?: 'image1' | 'image2';
  /** After Run: the alert's text (the server's message wrapped in a sentence). */
  alert?: RegExp;
  status?: number;
  engine?: 'instant' | 'real';
}

export interface SingleCase {
  id: string;
  title: string;
  kind: 'single';
  build(): Promise<SingleFiles>;
  expect: SingleExpect;
}

export type CorpusCase = ZipCase | SingleCase;

// ---------------------------------------------------------------------------------------------
// Building blocks

/** A real face photo from the shared fixtures (small ones, to keep the archives light). */
export function face(which: 'a' | 'b' | 'c' = 'a'): Buffer {
  const name = { a: 'kit-harington-2.jpeg', b: 'rose-leslie-1.jpg', c: 'obama-4-240p.jpg' }[which];
  return readFileSync(facePath(name));
}

/** A PNG face photo. */
export function facePng(): Buffer {
  return readFileSync(facePath('alex-lacamoire-2.png'));
}

export async function webpImage(): Promise<Buffer> {
  return sharp(face('a')).resize(160).webp().toBuffer();
}

export async function gifImage(): Promise<Buffer> {
  return sharp(face('a')).resize(160).gif().toBuffer();
}

/** HEIC needs no real decoder here: an ISO-BMFF `ftyp heic` box is what every sniffer looks at. */
export function heicImage(): Buffer {
  const ftyp = Buffer.alloc(24);
  ftyp.writeUInt32BE(24, 0);
  ftyp.write('ftypheic', 4, 'latin1');
  ftyp.writeUInt32BE(0, 12);
  ftyp.write('mif1heic', 16, 'latin1');
  return Buffer.concat([ftyp, Buffer.alloc(2048, 0x5a)]);
}

/** A smooth gradient with no face in it, as a JPEG. */
export async function gradientJpeg(width = 320, height = 240): Promise<Buffer> {
  const raw = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      raw[i] = Math.round((x / width) * 255);
      raw[i + 1] = Math.round((y / height) * 255);
      raw[i + 2] = 128;
    }
  }
  return sharp(raw, { raw: { width, height, channels: 3 } }).jpeg({ quality: 85 }).toBuffer();
}

/** A real JPEG followed by zeros up to `bytes` (decoders stop at EOI; the file really is that big). */
export function paddedJpeg(bytes: number): Buffer {
  const jpeg = face('c');
  return Buffer.concat([jpeg, Buffer.alloc(Math.max(0, bytes - jpeg.length))]);
}

const TEXT = Buffer.from('This is a plain text note, not a picture.\nIt was renamed by mistake.\n', 'utf8');

type Entries = Record<string, Buffer | string>;

/** A ZIP made by JSZip with the entry names exactly as given (no folder entries added). */
export async function zipOf(entries: Entries, compression: 'DEFLATE' | 'STORE' = 'DEFLATE'): Promise<Buffer> {
  const zip = new JSZip();
  for (const [name, data] of Object.entries(entries)) zip.file(name, data, { createFolders: false });
  return zip.generateAsync({ type: 'nodebuffer', compression, compressionOptions: { level: 6 } });
}

function zipFile(name: string, bytes: Buffer): BuiltFile {
  return { name, bytes, mimeType: 'application/zip' };
}

/** One valid pair of real face photos under `stem`. */
function goodPair(stem: string, folder = ''): Entries {
  const p = folder ? `${folder.replace(/\/+$/, '')}/` : '';
  return { [`${p}${stem}_image1.jpg`]: face('a'), [`${p}${stem}_image2.jpg`]: face('b') };
}

// --- Raw ZIP structure: walk and patch the headers of a finished archive -----------------------

const SIG_LOCAL = 0x04034b50;
const SIG_CENTRAL = 0x02014b50;
const SIG_EOCD = 0x06054b50;

export function findEocd(b: Buffer): number {
  for (let i = b.length - 22; i >= Math.max(0, b.length - 22 - 0xffff); i--) {
    if (b.readUInt32LE(i) === SIG_EOCD) return i;
  }
  throw new Error('No end-of-central-directory record');
}

export interface HeaderRef {
  /** Offset of the central directory header. */
  central: number;
  /** Offset of the local file header. */
  local: number;
  name: string;
}

/** The entries of a ZIP as stored (central directory order), with their header offsets. */
export function walkZip(b: Buffer): HeaderRef[] {
  const eocd = findEocd(b);
  const count = b.readUInt16LE(eocd + 10);
  let p = b.readUInt32LE(eocd + 16);
  const out: HeaderRef[] = [];
  for (let i = 0; i < count; i++) {
    if (b.readUInt32LE(p) !== SIG_CENTRAL) throw new Error(`Bad central header at ${p}`);
    const nameLen = b.readUInt16LE(p + 28);
    const extraLen = b.readUInt16LE(p + 30);
    const commentLen = b.readUInt16LE(p + 32);
    const local = b.readUInt32LE(p + 42);
    if (b.readUInt32LE(local) !== SIG_LOCAL) throw new Error(`Bad local header at ${local}`);
    out.push({ central: p, local, name: b.toString('utf8', p + 46, p + 46 + nameLen) });
    p += 46 + nameLen + extraLen + commentLen;
  }
  return out;
}

/** Sets the general-purpose "encrypted" bit (bit 0) in both the local and central header of every entry. */
export function setEncryptedFlag(zip: Buffer): Buffer {
  const b = Buffer.from(zip);
  for (const e of walkZip(b)) {
    b.writeUInt16LE(b.readUInt16LE(e.local + 6) | 1, e.local + 6);
    b.writeUInt16LE(b.readUInt16LE(e.central + 8) | 1, e.central + 8);
  }
  return b;
}

/** Sets the "encrypted" bit in both headers of the entries whose name matches (the others stay readable). */
export function setEncryptedWhere(zip: Buffer, match: (name: string) => boolean): Buffer {
  const b = Buffer.from(zip);
  for (const e of walkZip(b)) {
    if (!match(e.name)) continue;
    b.writeUInt16LE(b.readUInt16LE(e.local + 6) | 1, e.local + 6);
    b.writeUInt16LE(b.readUInt16LE(e.central + 8) | 1, e.central + 8);
  }
  return b;
}

/** Rewrites the declared uncompressed size of the entries whose name matches, in both headers. */
export function setDeclaredSize(zip: Buffer, match: (name: string) => boolean, size: number): Buffer {
  const b = Buffer.from(zip);
  for (const e of walkZip(b)) {
    if (!match(e.name)) continue;
    b.writeUInt32LE(size, e.local + 22);
    b.writeUInt32LE(size, e.central + 24);
  }
  return b;
}

/** Rewrites the compression method of the entries whose name matches, in both headers. */
export function setMethod(zip: Buffer, match: (name: string) => boolean, method: number): Buffer {
  const b = Buffer.from(zip);
  for (const e of walkZip(b)) {
    if (!match(e.name)) continue;
    b.writeUInt16LE(method, e.local + 8);
    b.writeUInt16LE(method, e.central + 10);
  }
  return b;
}

/** Claims `count` entries in the end-of-central-directory record. */
export function setDeclaredEntryCount(zip: Buffer, count: number): Buffer {
  const b = Buffer.from(zip);
  const eocd = findEocd(b);
  b.writeUInt16LE(count, eocd + 8);
  b.writeUInt16LE(count, eocd + 10);
  return b;
}

export interface RawEntry {
  name: string;
  /** The name bytes exactly as stored, without the UTF-8 flag (e.g. code page 437 as Windows writes it). */
  legacyName?: Buffer;
  /** Uncompressed bytes (ignored when `deflated` is given). */
  data?: Buffer;
  /** Already deflated bytes (raw DEFLATE), with their real uncompressed size and CRC. */
  deflated?: { bytes: Buffer; size: number; crc: number };
  /** Declared uncompressed size, when it must lie. */
  declaredSize?: number;
}

/**
 * A minimal ZIP writer (no data descriptors, no ZIP64), for archives JSZip cannot make quickly:
 * 200 MB of zeros is deflated by zlib in well under a second; JSZip's pure-JS deflate is far slower.
 */
export function rawZip(entries: RawEntry[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = e.legacyName ?? Buffer.from(e.name, 'utf8');
    let body: Buffer;
    let method: number;
    let crc: number;
    let size: number;
    if (e.deflated) {
      ({ bytes: body, crc, size } = e.deflated);
      method = 8;
    } else {
      const data = e.data ?? Buffer.alloc(0);
      const d = zlib.deflateRawSync(data);
      crc = zlib.crc32(data);
      size = data.length;
      if (d.length < data.length) {
        body = d;
        method = 8;
      } else {
        body = data;
        method = 0;
      }
    }
    const declared = e.declaredSize ?? size;
    const flags = !e.legacyName && /[^\x20-\x7e]/.test(e.name) ? 0x0800 : 0;
    const lh = Buffer.alloc(30);
    lh.writeUInt32LE(SIG_LOCAL, 0);
    lh.writeUInt16LE(20, 4);
    lh.writeUInt16LE(flags, 6);
    lh.writeUInt16LE(method, 8);
    lh.writeUInt16LE(0, 10);
    lh.writeUInt16LE(0x21, 12);
    lh.writeUInt32LE(crc >>> 0, 14);
    lh.writeUInt32LE(body.length, 18);
    lh.writeUInt32LE(declared, 22);
    lh.writeUInt16LE(name.length, 26);
    lh.writeUInt16LE(0, 28);
    const ch = Buffer.alloc(46);
    ch.writeUInt32LE(SIG_CENTRAL, 0);
    ch.writeUInt16LE(20, 4);
    ch.writeUInt16LE(20, 6);
    ch.writeUInt16LE(flags, 8);
    ch.writeUInt16LE(method, 10);
    ch.writeUInt16LE(0, 12);
    ch.writeUInt16LE(0x21, 14);
    ch.writeUInt32LE(crc >>> 0, 16);
    ch.writeUInt32LE(body.length, 20);
    ch.writeUInt32LE(declared, 24);
    ch.writeUInt16LE(name.length, 28);
    ch.writeUInt32LE(offset, 42);
    locals.push(lh, name, body);
    centrals.push(ch, name);
    offset += lh.length + name.length + body.length;
  }
  const cd = Buffer.concat(centrals);
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(SIG_EOCD, 0);
  eocd.writeUInt16LE(entries.length, 8);
  eocd.writeUInt16LE(entries.length, 10);
  eocd.writeUInt32LE(cd.length, 12);
  eocd.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, eocd]);
}

/** `bytes` zeros, deflated by zlib without ever building a JS copy. */
export function deflatedZeros(bytes: number): { bytes: Buffer; size: number; crc: number } {
  const zeros = Buffer.alloc(bytes);
  return { bytes: zlib.deflateRawSync(zeros, { level: 9 }), size: bytes, crc: zlib.crc32(zeros) };
}

// ---------------------------------------------------------------------------------------------
// Shared expectations

const SAYS_WHAT_TO_DO = /choose|create|re-create|split|add|download|replace|name/i;
const VALID = goodPair;

// ---------------------------------------------------------------------------------------------
// The cases

export const zipCases: ZipCase[] = [
  {
    id: 'not-zip-png',
    title: 'a PNG photo renamed to .zip',
    kind: 'zip-file',
    build: async () => zipFile('holiday-photos.zip', facePng()),
    expect: { zipError: [/holiday-photos\.zip/, /not a ZIP/i, /PNG/, SAYS_WHAT_TO_DO] },
  },
  {
    id: 'not-zip-text',
    title: 'a text file renamed to .zip',
    kind: 'zip-file',
    build: async () => zipFile('notes.zip', TEXT),
    expect: { zipError: [/notes\.zip/, /not a ZIP/i, /text/i, SAYS_WHAT_TO_DO] },
  },
  {
    id: 'zero-byte-zip',
    title: 'a 0-byte .zip file',
    kind: 'zip-file',
    build: async () => zipFile('empty-upload.zip', Buffer.alloc(0)),
    expect: { zipError: [/empty-upload\.zip/, /empty/i, SAYS_WHAT_TO_DO] },
  },
  {
    id: 'truncated-zip',
    title: 'a ZIP cut off half-way through the download',
    kind: 'zip-file',
    build: async () => {
      const full = await buildFixturesZip();
      return zipFile('truncated.zip', full.subarray(0, Math.floor(full.length / 2)));
    },
    expect: { zipError: [/truncated\.zip/, /truncated|damaged|corrupt/i, SAYS_WHAT_TO_DO] },
  },
  {
    id: 'empty-zip',
    title: 'a valid ZIP with no entries at all',
    kind: 'zip-file',
    build: async () => zipFile('nothing-inside.zip', await zipOf({})),
    expect: { zipError: [/nothing-inside\.zip/, /empty|no files|no entries/i, SAYS_WHAT_TO_DO] },
  },
  {
    id: 'no-valid-pair',
    title: 'a ZIP whose files follow no pairing rule',
    kind: 'zip-file',
    build: async () => zipFile('random-files.zip', await zipOf({
      'readme.txt': TEXT,
      'photo.jpg': face('a'),
      'selfie_image3.jpg': face('b'),
      'id-card-image1.jpg': face('c'),
    })),
    expect: {
      pairIds: [],
      skippedCount: 4,
      skipped: [
        { path: 'readme.txt', reason: /rule|pair/i },
        { path: 'photo.jpg', reason: /rule|pair/i },
        { path: 'selfie_image3.jpg', reason: /rule|pair/i },
        { path: 'id-card-image1.jpg', reason: /rule|pair/i },
      ],
      notices: [/random-files\.zip.*no image pairs/i],
    },
  },
  {
    id: 'encrypted-zip',
    title: 'a password-protected ZIP (encryption flag set in local and central headers)',
    kind: 'zip-file',
    build: async () => zipFile('secret.zip', setEncryptedFlag(await zipOf(VALID('pair01')))),
    expect: { zipError: [/secret\.zip/, /encrypted|password/i, SAYS_WHAT_TO_DO] },
  },
  {
    id: 'unsupported-compression',
    title: 'a ZIP using a compression method other than Stored/Deflate (LZMA, method 14)',
    kind: 'zip-file',
    build: async () => zipFile('lzma.zip', setMethod(await zipOf(VALID('pair01')), () => true, 14)),
    expect: { zipError: [/lzma\.zip/, /compression/i, SAYS_WHAT_TO_DO] },
  },
  {
    id: 'too-many-entries-declared',
    title: 'a ZIP whose end record claims 60,000 entries',
    kind: 'zip-file',
    build: async () => zipFile('sixty-thousand.zip', setDeclaredEntryCount(await zipOf(VALID('pair01')), 60_000)),
    expect: { zipError: [/sixty-thousand\.zip/, /60,000 entries/, /limit/i, /split/i] },
  },
  {
    id: 'zip-bomb-declared',
    title: 'a zip bomb: one image declares 4 GB uncompressed (size fields patched)',
    kind: 'zip-file',
    build: async () => {
      const zip = await zipOf({ ...VALID('good'), ...VALID('bomb') });
      return zipFile('bomb-declared.zip', setDeclaredSize(zip, (n) => n === 'bomb_image1.jpg', 0xfffffff0));
    },
    expect: {
      pairIds: ['bomb', 'good'],
      records: {
        bomb: { success: false, status: null, errorType: 'not_run', message: /bomb_image1\.jpg.*(GB|MB).*(limit|bomb)/i },
      },
    },
  },
  {
    id: 'zip-bomb-real',
    title: 'a real zip bomb: 200 MB of zeros deflated to ~200 KB, sizes declared honestly',
    kind: 'zip-file',
    slow: true,
    build: async () => zipFile('bomb-200mb.zip', rawZip([
      { name: 'good_image1.jpg', data: face('a') },
      { name: 'good_image2.jpg', data: face('b') },
      { name: 'zeros_image1.jpg', deflated: deflatedZeros(200 * MB) },
      { name: 'zeros_image2.jpg', data: face('b') },
    ])),
    expect: {
      pairIds: ['good', 'zeros'],
      records: {
        zeros: { success: false, status: null, errorType: 'not_run', message: /zeros_image1\.jpg.*200(\.0)? MB.*(limit|bomb)/i },
      },
    },
  },
  {
    id: 'zip-bomb-lying',
    title: 'a lying zip bomb: declares 1 KB, inflates to 64 MB of zeros',
    kind: 'zip-file',
    slow: true,
    build: async () => zipFile('bomb-lying.zip', rawZip([
      { name: 'good_image1.jpg', data: face('a') },
      { name: 'good_image2.jpg', data: face('b') },
      { name: 'liar_image1.jpg', deflated: deflatedZeros(64 * MB), declaredSize: 1024 },
      { name: 'liar_image2.jpg', data: face('b') },
    ])),
    expect: {
      pairIds: ['good', 'liar'],
      records: {
        liar: { success: false, status: null, errorType: 'not_run', message: /liar_image1\.jpg/ },
      },
    },
  },
  {
    id: 'zip-in-zip',
    title: 'a ZIP inside the ZIP (never opened) next to one valid pair',
    kind: 'zip-file',
    build: async () => zipFile('outer.zip', await zipOf({
      ...VALID('top'),
      'more/batch.zip': await buildFixturesZip(),
    })),
    expect: {
      pairIds: ['top'],
      skippedCount: 1,
      skipped: [{ path: 'more/batch.zip', reason: /nested archive/i }],
    },
  },
  {
    id: 'many-entries-20000',
    title: '20,000 entries: one valid pair and 19,998 orphans',
    kind: 'zip-file',
    slow: true,
    build: async () => {
      const entries: Entries = { ...VALID('real') };
      const tiny = Buffer.from([0xff, 0xd8, 0xff, 0xd9]);
      for (let i = 1; i <= 19_998; i++) entries[`orphans/o${String(i).padStart(5, '0')}_image1.jpg`] = tiny;
      return zipFile('twenty-thousand.zip', await zipOf(entries, 'STORE'));
    },
    expect: {
      pairIds: ['real'],
      skippedCount: 19_998,
      skipped: [{ path: 'orphans/o00001_image1.jpg', reason: /no partner/i }],
    },
  },
  {
    id: 'macos-junk',
    title: '__MACOSX/, ._ AppleDouble files, .DS_Store and Thumbs.db around two pairs',
    kind: 'zip-file',
    build: async () => zipFile('from-a-mac.zip', await zipOf({
      ...VALID('p1', 'shoot'),
      ...VALID('p2', 'shoot'),
      '__MACOSX/shoot/._p1_image1.jpg': Buffer.from([0, 5, 22, 7, 0, 2, 0, 0]),
      '__MACOSX/shoot/._p1_image2.jpg': Buffer.from([0, 5, 22, 7, 0, 2, 0, 0]),
      'shoot/._p2_image1.jpg': Buffer.from([0, 5, 22, 7, 0, 2, 0, 0]),
      'shoot/.DS_Store': Buffer.from([0, 0, 0, 1, 66, 117, 100, 49]),
      'shoot/Thumbs.db': Buffer.from([0xd0, 0xcf, 0x11, 0xe0]),
    })),
    expect: {
      pairIds: ['p1', 'p2'],
      skippedCount: 5,
      skipped: [
        { path: '__MACOSX/shoot/._p1_image1.jpg', reason: /__MACOSX|macOS/ },
        { path: 'shoot/._p2_image1.jpg', reason: /AppleDouble|"\._"/ },
        { path: 'shoot/.DS_Store', reason: /hidden/i },
        { path: 'shoot/Thumbs.db', reason: /Windows|metadata/i },
      ],
    },
  },
  {
    id: 'hostile-names',
    title: 'names with ../, a leading /, backslashes, control characters, bidi override, emoji, spaces, CON',
    kind: 'zip-file',
    build: async () => zipFile('hostile-names.zip', await zipOf({
      ...VALID('evil', '..'),
      ...VALID('evil', 'ok'),
      'win\\evil_image1.jpg': face('a'),
      'win\\evil_image2.jpg': face('b'),
      'dots..in..stem_image1.jpg': face('a'),
      'dots..in..stem_image2.jpg': face('b'),
      '/abs_image1.jpg': face('a'),
      '/abs_image2.jpg': face('b'),
      'win\\back_image1.jpg': face('a'),
      'win\\back_image2.jpg': face('b'),
      'ctrl\u0007\u001b[31m_image1.jpg': face('a'),
      'ctrl\u0007\u001b[31m_image2.jpg': face('b'),
      'invoice\u202egpj_image1.jpg': face('a'),
      'invoice\u202egpj_image2.jpg': face('b'),
      '😀 smile_image1.jpg': face('a'),
      '😀 smile_image2.png': facePng(),
      'with space_image1.jpg': face('a'),
      'with space_image2.jpg': face('b'),
      'CON_image1.jpg': face('a'),
      'CON_image2.jpg': face('b'),
    })),
    expect: {
      // Entries under "../" are never sent (they would point outside the archive); the rest pair normally.
      pairIds: ['ok/evil', 'win/evil', 'abs', 'back', 'ctrl\u0007\u001b[31m', 'invoice\u202egpj', '😀 smile', 'with space', 'CON', 'dots..in..stem'],
      skippedCount: 2,
      skipped: [
        { path: '../evil_image1.jpg', reason: /\.\.|hidden|outside/i },
        { path: '../evil_image2.jpg', reason: /\.\.|hidden|outside/i },
      ],
      notices: [/several folders/i],
      engine: 'instant',
    },
  },
  {
    id: 'traversal-collision',
    title: '"sub/../pair_image1.jpg" next to "pair_image1.jpg": the collision is reported, nothing vanishes',
    kind: 'zip-file',
    build: async () => zipFile('collide.zip', await zipOf({
      ...VALID('pair'),
      'sub/../pair_image1.jpg': face('c'),
    })),
    expect: {
      // Both entries name pair_image1.jpg once "../" is resolved (an extractor would overwrite one with
      // the other), so neither is sent; one sentence names both, and the partner says why it is alone.
      pairIds: [],
      skippedCount: 3,
      skipped: [
        { path: 'sub/../pair_image1.jpg', reason: /"pair_image1\.jpg" \(entry 1\) and "sub\/\.\.\/pair_image1\.jpg" \(entry 3\) collide: both name the file "pair_image1\.jpg" once "\.\.\/" is resolved, so neither was sent\./ },
        { path: 'pair_image1.jpg', reason: /"pair_image1\.jpg" \(entry 1\) and "sub\/\.\.\/pair_image1\.jpg" \(entry 3\) collide/ },
        { path: 'pair_image2.jpg', reason: /Not sent: its partner pair_image1\.jpg collides with another entry/ },
      ],
    },
  },
  {
    id: 'windows-cp437-names',
    title: 'names in code page 437 without the UTF-8 flag, as Windows "Send to > Compressed folder" writes them',
    kind: 'zip-file',
    build: async () => {
      const cp437 = (...parts: (string | number)[]) => Buffer.concat(parts.map((x) => (typeof x === 'number' ? Buffer.from([x]) : Buffer.from(x, 'latin1'))));
      return zipFile('from-windows.zip', rawZip([
        { name: 'café_image1.jpg', legacyName: cp437('caf', 0x82, '_image1.jpg'), data: face('a') },
        { name: 'café_image2.jpg', legacyName: cp437('caf', 0x82, '_image2.jpg'), data: face('b') },
        { name: 'cafè_image1.jpg', legacyName: cp437('caf', 0x8a, '_image1.jpg'), data: face('a') },
        { name: 'cafè_image2.jpg', legacyName: cp437('caf', 0x8a, '_image2.jpg'), data: face('b') },
        { name: 'Müller_image1.jpg', legacyName: cp437('M', 0x81, 'ller_image1.jpg'), data: face('a') },
        { name: 'Müller_image2.png', legacyName: cp437('M', 0x81, 'ller_image2.png'), data: facePng() },
      ]));
    },
    expect: { pairIds: ['café', 'cafè', 'Müller'], skippedCount: 0, engine: 'instant' },
  },
  {
    id: 'one-encrypted-entry',
    title: 'one password-protected entry among readable ones: only its pair is not run',
    kind: 'zip-file',
    build: async () => zipFile('partly-locked.zip', setEncryptedWhere(await zipOf({ ...VALID('open'), ...VALID('locked') }), (n) => n === 'locked_image2.jpg')),
    expect: {
      pairIds: ['locked', 'open'],
      notices: [/^1 image is password-protected; the playground cannot open protected entries, so its pair is not run\./],
      engine: 'instant',
      records: {
        locked: { success: false, status: null, errorType: 'not_run', message: /^locked_image2\.jpg in partly-locked\.zip is password-protected; the playground cannot open protected entries\. Re-create the ZIP without a password\.$/ },
      },
    },
  },
  {
    id: 'same-stem-two-folders',
    title: 'the same stem in two folders',
    kind: 'zip-file',
    build: async () => zipFile('two-batches.zip', await zipOf({ ...VALID('customer01', 'batchA'), ...VALID('customer01', 'batchB') })),
    expect: { pairIds: ['batchA/customer01', 'batchB/customer01'], skippedCount: 0, notices: [/several folders/i] },
  },
  {
    id: 'uppercase-suffix',
    title: '_IMAGE1.JPG / _Image2.Jpeg case variants',
    kind: 'zip-file',
    build: async () => zipFile('shouty.zip', await zipOf({ 'p1_IMAGE1.JPG': face('a'), 'p1_Image2.Jpeg': face('b') })),
    expect: { pairIds: ['p1'], skippedCount: 0, notices: [/case/i] },
  },
  {
    id: 'orphan-image1',
    title: 'an _image1 without its _image2',
    kind: 'zip-file',
    build: async () => zipFile('orphan.zip', await zipOf({ ...VALID('ok'), 'lonely_image1.jpg': face('c') })),
    expect: { pairIds: ['ok'], skippedCount: 1, skipped: [{ path: 'lonely_image1.jpg', reason: /no partner.*lonely_image2/i }] },
  },
  {
    id: 'duplicate-image1',
    title: 'two _image1 files for one stem (dup_image1.jpg and dup_image1.png)',
    kind: 'zip-file',
    build: async () => zipFile('dupes.zip', await zipOf({
      ...VALID('ok'),
      'dup_image1.jpg': face('a'),
      'dup_image1.png': facePng(),
      'dup_image2.jpg': face('b'),
    })),
    expect: {
      pairIds: ['ok'],
      skippedCount: 3,
      skipped: [
        { path: 'dup_image1.jpg', reason: /ambiguous/i },
        { path: 'dup_image1.png', reason: /ambiguous/i },
        { path: 'dup_image2.jpg', reason: /ambiguous/i },
      ],
    },
  },
  {
    id: 'webp-gif-heic',
    title: '.webp, .gif and .heic images (flagged, sent, rejected by the API)',
    kind: 'zip-file',
    build: async () => zipFile('other-formats.zip', await zipOf({
      'webp_image1.webp': await webpImage(),
      'webp_image2.jpg': face('b'),
      'gif_image1.gif': await gifImage(),
      'gif_image2.jpg': face('b'),
      'heic_image1.heic': heicImage(),
      'heic_image2.jpg': face('b'),
    })),
    expect: {
      pairIds: ['gif', 'heic', 'webp'],
      flagged: ['gif', 'heic', 'webp'],
      notices: [/extension/i],
      engine: 'instant',
      records: {
        webp: { success: false, status: 400, errorType: 'http', message: /WebP/ },
        gif: { success: false, status: 400, errorType: 'http', message: /GIF/ },
        heic: { success: false, status: 400, errorType: 'http', message: /HEIC/ },
      },
    },
  },
  {
    id: 'webp-named-jpg',
    title: 'a WebP image named .jpg',
    kind: 'zip-file',
    build: async () => zipFile('disguised.zip', await zipOf({ ...VALID('ok'), 'disguised_image1.jpg': await webpImage(), 'disguised_image2.jpg': face('b') })),
    expect: {
      pairIds: ['disguised', 'ok'],
      engine: 'instant',
      records: { disguised: { success: false, status: 400, errorType: 'http', message: /WebP/ } },
    },
  },
  {
    id: 'zero-byte-image',
    title: 'a 0-byte image',
    kind: 'zip-file',
    build: async () => zipFile('zero-image.zip', await zipOf({ ...VALID('ok'), 'blank_image1.jpg': Buffer.alloc(0), 'blank_image2.jpg': face('b') })),
    expect: {
      pairIds: ['blank', 'ok'],
      engine: 'instant',
      records: { blank: { success: false, status: 400, errorType: 'http', message: /empty/i } },
    },
  },
  {
    id: 'image-30mb',
    title: 'a 30 MB image (over the 15 MB limit of the API)',
    kind: 'zip-file',
    slow: true,
    build: async () => zipFile('too-big.zip', await zipOf({ ...VALID('ok'), 'big_image1.jpg': paddedJpeg(30 * MB), 'big_image2.jpg': face('b') })),
    expect: {
      pairIds: ['big', 'ok'],
      engine: 'instant',
      records: { big: { success: false, status: 413, errorType: 'http', message: /HTTP 413/ } },
    },
  },
  {
    id: 'text-named-png',
    title: 'a text file named .png',
    kind: 'zip-file',
    build: async () => zipFile('text-as-png.zip', await zipOf({ ...VALID('ok'), 'note_image1.png': TEXT, 'note_image2.jpg': face('b') })),
    expect: {
      pairIds: ['note', 'ok'],
      engine: 'instant',
      records: { note: { success: false, status: 400, errorType: 'http', message: /text file/i } },
    },
  },
  {
    id: 'no-face',
    title: 'an image with no face in it (a gradient JPEG)',
    kind: 'zip-file',
    build: async () => zipFile('no-face.zip', await zipOf({ ...VALID('ok'), 'wall_image1.jpg': await gradientJpeg(), 'wall_image2.jpg': face('b') })),
    expect: {
      pairIds: ['ok', 'wall'],
      engine: 'real',
      records: { wall: { success: false, status: 422, errorType: 'no_face', message: /found no face in .+ \(HTTP 422\)\. The server said: .*No face found in image1/i } },
    },
  },
  {
    id: 'corrupt-deflate',
    title: 'an entry whose compressed bytes are damaged',
    kind: 'zip-file',
    build: async () => {
      const zip = await zipOf({ ...VALID('ok'), 'broken_image1.jpg': face('c'), 'broken_image2.jpg': face('b') });
      const b = Buffer.from(zip);
      const e = walkZip(b).find((x) => x.name === 'broken_image1.jpg')!;
      const dataStart = e.local + 30 + b.readUInt16LE(e.local + 26) + b.readUInt16LE(e.local + 28);
      // Stomp a run of bytes early in the DEFLATE stream: inflating it fails or yields the wrong length.
      b.fill(0xff, dataStart + 8, dataStart + 4008);
      return zipFile('damaged.zip', b);
    },
    expect: {
      pairIds: ['broken', 'ok'],
      records: { broken: { success: false, status: null, errorType: 'not_run', message: /broken_image1\.jpg.*(decompress|damaged)/i } },
    },
  },
  {
    id: 'mixed-extensions-ok',
    title: 'control: customer01_image1.jpg with customer01_image2.png (allowed by the document)',
    kind: 'zip-file',
    build: async () => zipFile('mixed.zip', await zipOf({ 'customer01_image1.jpg': face('a'), 'customer01_image2.png': facePng() })),
    expect: { pairIds: ['customer01'], skippedCount: 0 },
  },
];

export const singleCases: SingleCase[] = [
  {
    id: 'single-missing-image2',
    title: 'Single: image2 left empty',
    kind: 'single',
    build: async () => ({ image1: { name: 'selfie.jpg', bytes: face('a'), mimeType: 'image/jpeg' } }),
    expect: { missing: 'image2' },
  },
  {
    id: 'single-text-file',
    title: 'Single: a text file in image1',
    kind: 'single',
    build: async () => ({
      image1: { name: 'notes.txt', bytes: TEXT, mimeType: 'text/plain' },
      image2: { name: 'id-card.jpg', bytes: face('b'), mimeType: 'image/jpeg' },
    }),
    expect: { warning: { slot: 'image1', pattern: /notes\.txt.*text file|text file.*notes\.txt/i }, status: 400, alert: /HTTP 400.*text file/i, engine: 'instant' },
  },
  {
    id: 'single-webp-named-jpg',
    title: 'Single: a WebP named .jpg in image2',
    kind: 'single',
    build: async () => ({
      image1: { name: 'selfie.jpg', bytes: face('a'), mimeType: 'image/jpeg' },
      image2: { name: 'scan.jpg', bytes: await webpImage(), mimeType: 'image/jpeg' },
    }),
    expect: { warning: { slot: 'image2', pattern: /scan\.jpg.*WebP|WebP.*scan\.jpg/i }, status: 400, alert: /HTTP 400.*WebP/i, engine: 'instant' },
  },
];

export const corpus: CorpusCase[] = [...zipCases, ...singleCases];

export function caseById(id: string): CorpusCase {
  const c = corpus.find((x) => x.id === id);
  if (!c) throw new Error(`No corpus case "${id}"`);
  return c;
}

// ---------------------------------------------------------------------------------------------
// Checks shared by the suites (pure functions; the suites assert on what they return)

// eslint-disable-next-line no-control-regex
const UNSAFE_IN_ENTRY = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

/**
 * What is wrong with the entry names of a results archive, as sentences (empty when all is well):
 * only `summary.xlsx`, `report.html`, `run.json`, the `results/` folder entry and `results/<name>.json`, no `..`, no leading `/`, no `\`, no control or
 * bidi characters, no two names equal ignoring case.
 */
const ROOT_FILES = new Set(['summary.xlsx', 'report.html', 'run.json']);

export function archiveNameProblems(names: readonly string[]): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const n of names) {
    const shown = JSON.stringify(n);
    if (!ROOT_FILES.has(n) && n !== 'results/' && !/^results\/[^/]+\.json$/.test(n)) problems.push(`${shown} is neither summary.xlsx, report.html, run.json, the results/ folder nor results/<name>.json`);
    if (n.includes('..')) problems.push(`${shown} contains ".."`);
    if (n.startsWith('/')) problems.push(`${shown} starts with "/"`);
    if (n.includes('\\')) problems.push(`${shown} contains a backslash`);
    if (UNSAFE_IN_ENTRY.test(n)) problems.push(`${shown} contains a control or bidi character`);
    const key = n.toLowerCase();
    if (seen.has(key)) problems.push(`${shown} occurs twice (ignoring case)`);
    seen.add(key);
  }
  if (!names.includes('summary.xlsx')) problems.push('summary.xlsx is missing');
  return problems;
}

/** Entry names exactly as stored in a ZIP's central directory (not JSZip's resolved keys). */
export function storedEntryNames(bytes: Uint8Array): string[] {
  return walkZip(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)).map((e) => e.name);
}
