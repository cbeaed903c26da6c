/**
 * Opens the user's input ZIP for a bulk run.
 *
 * The central directory is read once, by our own pass (names, flags, method, sizes, CRC-32 and
 * local header offsets, ZIP64 included); images are decompressed lazily, two at a time, when the
 * runner asks for a pair. The inflater is loaded on demand so it stays out of the first bundle.
 * A Blob (the browser's File) is read a slice at a time, never whole: opening a ZIP reads its end
 * and its central directory only, and each pair's bytes are read when the pair is sent, so the page
 * and the run's worker each hold only what they use and every image is read from disk once.
 * Every failure is a ZipError whose message is a sentence for the user.
 *
 * Entry names are decoded as the ZIP specification says: UTF-8 when the entry's general-purpose
 * bit 11 is set (or when an Info-ZIP Unicode Path field matches the name), code page 437 otherwise.
 * An encrypted entry only makes its own pair unreadable; the archive is refused when every file
 * in it is encrypted.
 */
import { decodeCp437 } from './cp437.ts';
import { pairEntries } from '../pairing/pairing.ts';
import type { PairEntry, SkippedEntry } from '../run/records.ts';
import { bytesPart, type ImagePart } from '../request/request.ts';
import { describeTypeWithArticle, formatBytes, mimeOf, sniff, type SniffedType } from './filetype.ts';
import type { ZipEntryInfo } from './fingerprint.ts';

/** More entries than this and the archive is refused before its central directory is walked. */
export const MAX_ENTRIES = 50_000;
/** An entry declaring more than this uncompressed is never decompressed (zip-bomb guard). */
export const MAX_IMAGE_BYTES = 50 * 1024 * 1024;
/** How many leading bytes of an entry its type is sniffed from. */
export const HEAD_BYTES = 512;
/** Entries up to this size (uncompressed) are inflated whole to sniff them; larger ones only up to their head. */
const WHOLE_INFLATE_BYTES = 32 * 1024;
/** Stored bytes read for an entry's head before the rest (the head of an image inflates from its first few KB). */
const HEAD_READ_BYTES = 64 * 1024;

/** A failure to open or read the input ZIP; `message` is the sentence to show. */
export class ZipError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ZipError';
  }
}

/**
 * One entry of the central directory, as stored: the fingerprint's name, size (uncompressed) and
 * crc32, and what reading it needs.
 */
export interface ZipCentralEntry extends ZipEntryInfo {
  /** Position in the central directory, from 0. */
  index: number;
  /** The name decoded (UTF-8 or code page 437), exactly as stored otherwise: not normalised. */
  name: string;
  /** How the name was stored. */
  nameEncoding: 'utf-8' | 'cp437';
  dir: boolean;
  /** General-purpose bit flags. */
  flags: number;
  /** Password-protected (flag bit 0, or WinZip AES method 99). */
  encrypted: boolean;
  /** Compression method: 0 Stored, 8 Deflate; others cannot be read here. */
  method: number;
  compressedSize: number;
  /** Uncompressed size, as declared. */
  size: number;
  /** CRC-32 of the uncompressed data as declared by the archive (unsigned). */
  crc32: number;
  localHeaderOffset: number;
}

export interface OpenedZip {
  pairs: PairEntry[];
  skipped: SkippedEntry[];
  notices: string[];
  /** Entries in the archive, folders included. */
  entryCount: number;
  /** Every entry of the central directory, in stored order (names, sizes, CRC-32: an input fingerprint). */
  entries: readonly ZipCentralEntry[];
  /** Decompresses the two images of one pair; rejects with a ZipError naming the entry. */
  readPair(pair: PairEntry): Promise<[ImagePart, ImagePart]>;
  /** Decompresses one entry as UTF-8 text (e.g. labels.csv); rejects with a ZipError naming the entry. */
  readText(path: string): Promise<string>;
  /**
   * What an entry really is, from its first HEAD_BYTES only (a Deflate entry is inflated no further
   * than that): the pre-flight check. Rejects with a ZipError naming the entry when it cannot be read.
   * Optional so that test doubles of an opened ZIP need not provide it; openZip always does.
   */
  sniffEntry?(path: string): Promise<SniffedType>;
}

export interface OpenZipOptions {
  maxEntries?: number;
  maxImageBytes?: number;
}

const SIG_LOCAL = 0x04034b50;
const SIG_CENTRAL = 0x02014b50;
const SIG_ZIP64_LOCATOR = 0x07064b50;
const SIG_ZIP64_EOCD = 0x06064b50;
const METHOD_STORED = 0;
const METHOD_DEFLATE = 8;
const METHOD_AES = 99;

const METHOD_NAMES: Record<number, string> = {
  1: 'Shrink', 6: 'Implode', 9: 'Deflate64', 12: 'BZIP2', 14: 'LZMA', 93: 'Zstandard', 95: 'XZ', 96: 'JPEG', 97: 'WavPack', 98: 'PPMd',
};

export async function openZip(
  data: Blob | ArrayBuffer | Uint8Array,
  name = 'The selected file',
  options: OpenZipOptions = {},
): Promise<OpenedZip> {
  const maxEntries = options.maxEntries ?? MAX_ENTRIES;
  const maxImageBytes = options.maxImageBytes ?? MAX_IMAGE_BYTES;
  const src = byteSource(data);
  if (src.size === 0) throw new ZipError(`${name} is empty (0 bytes). Choose a .zip file that contains the image pairs.`);
  const fromDisk = async <T>(read: () => Promise<T>): Promise<T> => {
    try {
      return await read();
    } catch (err) {
      if (err instanceof ZipError) throw err;
      throw new ZipError(`${name} could not be read from disk. Choose the file again.`);
    }
  };
  const kind = sniff(await fromDisk(() => src.read(0, 512)));
  if (kind !== 'zip') {
    const looks = kind === 'unknown' ? 'its first bytes are not a ZIP signature' : `it looks like ${describeTypeWithArticle(kind)}`;
    throw new ZipError(`${name} is not a ZIP archive (${looks}). Choose a .zip file whose images are named <stem>_image1.<ext> and <stem>_image2.<ext>.`);
  }

  const entries = await fromDisk(() => readDirectory(src, name, maxEntries));
  if (entries.length === 0) {
    throw new ZipError(`${name} is an empty ZIP archive (it has no files). Add the image pairs and create it again.`);
  }
  const files = entries.filter((e) => !e.dir);
  if (files.length > 0 && files.every((e) => e.encrypted)) {
    throw new ZipError(`${name} is password-protected (every file in it is encrypted); the playground cannot open protected entries. Re-create it without a password.`);
  }
  if (files.length > 0 && files.every((e) => !e.encrypted && !isReadableMethod(e.method))) {
    throw new ZipError(`${name} uses a compression method that cannot be read here (${methodName(files[0]!.method)}; only Stored and Deflate are supported). Re-create it with your system's standard "Compress" / "Send to ZIP" command.`);
  }

  const byPath = new Map<string, ZipCentralEntry>();
  for (const e of entries) byPath.set(e.name, e);

  const { pairs, skipped, notices } = pairEntries(entries.map((e) => ({ path: e.name, dir: e.dir })));
  if (pairs.length === 0) {
    notices.unshift(`${name} contains no image pairs. Name the files <stem>_image1.<ext> and <stem>_image2.<ext>, with both files of a pair in the same folder.`);
  }
  const paired = new Set(pairs.flatMap((p) => [p.image1_path, p.image2_path]));
  const locked = files.filter((e) => e.encrypted && paired.has(e.name)).length;
  if (locked > 0) {
    notices.push(`${locked} ${locked === 1 ? 'image is' : 'images are'} password-protected; the playground cannot open protected entries, so ${locked === 1 ? 'its pair is' : 'their pairs are'} not run. Re-create the ZIP without a password to run ${locked === 1 ? 'it' : 'them'}.`);
  }

  let inflate: Promise<typeof import('fflate').inflateSync> | undefined;

  let inflateStream: Promise<typeof import('fflate').Inflate> | undefined;

  /** The entry for `path` when its bytes can be read here; else a ZipError naming it. */
  function readableEntry(path: string): ZipCentralEntry {
    const entry = byPath.get(path);
    if (!entry) throw new ZipError(`${path} is not in ${name}.`);
    if (entry.encrypted) {
      throw new ZipError(`${path} in ${name} is password-protected; the playground cannot open protected entries. Re-create the ZIP without a password.`);
    }
    if (!isReadableMethod(entry.method)) {
      throw new ZipError(`${path} in ${name} uses a compression method that cannot be read here (${methodName(entry.method)}; only Stored and Deflate are supported). Re-create the ZIP with your system's standard "Compress" / "Send to ZIP" command.`);
    }
    return entry;
  }

  /** The first `n` bytes of an entry (fewer when it is shorter), inflating only as far as needed. */
  async function readHead(path: string, n: number): Promise<Uint8Array> {
    const entry = readableEntry(path);
    try {
      if (entry.method === METHOD_STORED) return await entryData(src, entry, Math.min(n, entry.size));
      if (entry.size <= WHOLE_INFLATE_BYTES) {
        // A small entry is quicker to inflate whole than to stream (measured: about 5× for 300-byte images).
        const raw = await entryData(src, entry);
        inflate ??= import('fflate').then((m) => m.inflateSync);
        const content = (await inflate)(raw, { out: new Uint8Array(entry.size + 1) });
        if (content.length !== entry.size) throw new EntryProblem('its data does not match the size the archive declares');
        return content.subarray(0, Math.min(n, content.length));
      }
      inflateStream ??= import('fflate').then((m) => m.Inflate);
      const Inflate = await inflateStream;
      const head = new Uint8Array(Math.min(n, entry.size));
      let got = 0;
      const stream = new Inflate((chunk) => {
        const take = Math.min(chunk.length, head.length - got);
        head.set(chunk.subarray(0, take), got);
        got += take;
      });
      // Compressed input in growing slices until the head is full: the first 4 KB for most images,
      // read from the archive as far as the slices go (the rest of the entry only if they go on).
      let raw = await entryData(src, entry, HEAD_READ_BYTES);
      for (let at = 0, step = 4096; got < head.length && at < entry.compressedSize; step *= 2) {
        if (at + step > raw.length && raw.length < entry.compressedSize) raw = await entryData(src, entry);
        const end = Math.min(raw.length, at + step);
        stream.push(raw.subarray(at, end), end === entry.compressedSize);
        at = end;
      }
      return head.subarray(0, got);
    } catch (err) {
      throw new ZipError(`${path} in ${name} could not be decompressed (${err instanceof EntryProblem ? err.message : 'its compressed data is invalid'}). The archive may be damaged or crafted; create it again.`);
    }
  }

  async function readEntry(path: string): Promise<ImagePart> {
    const entry = readableEntry(path);
    const size = entry.size;
    if (size > maxImageBytes) {
      throw new ZipError(`${path} declares ${formatBytes(size)} uncompressed, over the ${formatBytes(maxImageBytes)} limit for one image; it was not decompressed (it may be a zip bomb). Replace it with a smaller image.`);
    }
    let content: Uint8Array;
    try {
      const raw = await entryData(src, entry);
      if (entry.method === METHOD_STORED) {
        content = raw;
      } else {
        inflate ??= import('fflate').then((m) => m.inflateSync);
        // One byte of room past the declared size: a lying stream is cut there, never inflated in full.
        content = (await inflate)(raw, { out: new Uint8Array(size + 1) });
      }
      if (content.length !== size) throw new EntryProblem('its data does not match the size the archive declares');
    } catch (err) {
      throw new ZipError(`${path} in ${name} could not be decompressed (${err instanceof EntryProblem ? err.message : 'its compressed data is invalid'}). The archive may be damaged or crafted; create it again.`);
    }
    const type = sniff(content.subarray(0, HEAD_BYTES));
    const base = path.replace(/\\/g, '/').split('/').filter(Boolean).pop() ?? path;
    return bytesPart(base, content, mimeOf(type));
  }

  return {
    pairs,
    skipped,
    notices,
    entryCount: entries.length,
    entries,
    async readPair(pair) {
      const one = await readEntry(pair.image1_path);
      const two = await readEntry(pair.image2_path);
      return [one, two];
    },
    async readText(path) {
      return (await readEntry(path)).data.text();
    },
    async sniffEntry(path) {
      return sniff(await readHead(path, HEAD_BYTES));
    },
  };
}

class EntryProblem extends Error {}

function isReadableMethod(method: number): boolean {
  return method === METHOD_STORED || method === METHOD_DEFLATE;
}

function methodName(method: number): string {
  const known = METHOD_NAMES[method];
  return known ? `${known}, method ${method}` : `method ${method}`;
}

/** Random access to an archive's bytes: in memory (the CLI, tests) or a Blob read a slice at a time. */
interface ByteSource {
  size: number;
  /** The bytes from `start` to `end` (clamped to the archive); `ahead`: also read the entries that follow, for the next reads. */
  read(start: number, end: number, ahead?: boolean): Promise<Uint8Array>;
}

function byteSource(data: Blob | ArrayBuffer | Uint8Array): ByteSource {
  if (data instanceof Uint8Array || data instanceof ArrayBuffer) {
    const bytes = data instanceof Uint8Array ? data : new Uint8Array(data);
    return { size: bytes.length, read: async (start, end) => bytes.subarray(start, Math.min(end, bytes.length)) };
  }
  // Entries are read in archive order (the pre-flight's heads, a run's pairs): one read fills a
  // window that serves the next entries too, instead of a slice of the file per header and per image.
  let window: { start: number; bytes: Uint8Array } | null = null;
  const size = data.size;
  return {
    size,
    async read(start, end, ahead = false) {
      end = Math.min(end, size);
      const w = window;
      if (w && start >= w.start && end <= w.start + w.bytes.length) return w.bytes.slice(start - w.start, end - w.start);
      if (!ahead || end - start >= READ_WINDOW) return new Uint8Array(await data.slice(start, end).arrayBuffer());
      const bytes = new Uint8Array(await data.slice(start, Math.min(size, start + READ_WINDOW)).arrayBuffer());
      window = { start, bytes };
      return bytes.slice(0, end - start);
    },
  };
}

/** How much of a Blob one read takes: a window of consecutive entries (copied out, so no image keeps it alive). */
const READ_WINDOW = 1024 * 1024;

/** Room read past an entry's data for a local header longer than the central one says (extra fields differ). */
const LOCAL_SLACK = 256;

/**
 * The stored bytes of an entry (still compressed), found through its local header: one read, two
 * when its local fields are long. `most` reads only that many of them (the head of an entry).
 */
async function entryData(src: ByteSource, e: ZipCentralEntry, most = Infinity): Promise<Uint8Array> {
  const at = e.localHeaderOffset;
  const want = Math.min(e.compressedSize, most);
  let chunk = await src.read(at, at + 30 + LOCAL_SLACK + e.name.length * 3 + want, true);
  if (chunk.length < 30 || u32(chunk, 0) !== SIG_LOCAL) throw new EntryProblem('its local header is missing');
  const start = 30 + u16(chunk, 26) + u16(chunk, 28);
  if (at + start + e.compressedSize > src.size) throw new EntryProblem('its data runs past the end of the archive');
  const end = start + want;
  if (end > chunk.length) chunk = await src.read(at, at + end);
  return chunk.subarray(start, end);
}

function u16(b: Uint8Array, i: number): number {
  return b[i]! | (b[i + 1]! << 8);
}

function u32(b: Uint8Array, i: number): number {
  return (b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24)) >>> 0;
}

function u64(b: Uint8Array, i: number): number {
  return u32(b, i) + u32(b, i + 4) * 2 ** 32;
}

function damaged(name: string, what: string): ZipError {
  return new ZipError(`${name} looks like a ZIP but could not be read: it is truncated or damaged (${what}). Download or create it again.`);
}

/** Offset of the end-of-central-directory record, or -1. */
function findEocd(bytes: Uint8Array): number {
  const min = Math.max(0, bytes.length - 22 - 0xffff);
  for (let i = bytes.length - 22; i >= min; i--) {
    if (bytes[i] === 0x50 && bytes[i + 1] === 0x4b && bytes[i + 2] === 0x05 && bytes[i + 3] === 0x06) return i;
  }
  return -1;
}

/** Total entries from the end-of-central-directory record, or null when it cannot be found (or is ZIP64). */
export function declaredEntryCount(bytes: Uint8Array): number | null {
  const eocd = findEocd(bytes);
  if (eocd < 0) return null;
  const total = u16(bytes, eocd + 10);
  return total === 0xffff ? null : total;
}

/** The end of an archive that holds its end-of-central-directory record wherever it is (a comment may follow it), and the ZIP64 locator before it. */
const TAIL_BYTES = 22 + 0xffff + 20;

/**
 * Reads the central directory: every entry's decoded name, flags, method, sizes, CRC-32 and local
 * header offset, in one pass and without decompressing anything. Reads only the archive's end and
 * its central directory. Throws a ZipError naming `name`.
 */
export async function readCentralDirectory(data: Blob | ArrayBuffer | Uint8Array, name = 'The selected file', maxEntries = MAX_ENTRIES): Promise<ZipCentralEntry[]> {
  return readDirectory(byteSource(data), name, maxEntries);
}

async function readDirectory(src: ByteSource, name: string, maxEntries: number): Promise<ZipCentralEntry[]> {
  const tailStart = Math.max(0, src.size - TAIL_BYTES);
  const tail = await src.read(tailStart, src.size);
  const e = findEocd(tail);
  if (e < 0) throw damaged(name, 'its end-of-archive record is missing');
  const diskNumber = u16(tail, e + 4);
  const cdDisk = u16(tail, e + 6);
  let total = u16(tail, e + 10);
  let cdSize = u32(tail, e + 12);
  let cdOffset = u32(tail, e + 16);
  let cdEnd = tailStart + e;

  const loc = e - 20;
  if (loc >= 0 && u32(tail, loc) === SIG_ZIP64_LOCATOR) {
    const at = u64(tail, loc + 8);
    const rec = at + 56 <= src.size ? await src.read(at, at + 56) : new Uint8Array(0);
    if (rec.length < 56 || u32(rec, 0) !== SIG_ZIP64_EOCD) throw damaged(name, 'its ZIP64 end record is missing');
    total = u64(rec, 32);
    cdSize = u64(rec, 40);
    cdOffset = u64(rec, 48);
    cdEnd = at;
    if (u32(rec, 16) !== 0 || u32(rec, 20) !== 0) throw splitArchive(name);
  } else if (diskNumber !== 0 || cdDisk !== 0) {
    throw splitArchive(name);
  }
  if (total > maxEntries) {
    throw new ZipError(`${name} holds ${total.toLocaleString('en')} entries; the limit is ${maxEntries.toLocaleString('en')}. Split it into smaller ZIP files.`);
  }
  if (total === 0) return [];

  // The central directory where the end record says, or (data prepended to the archive: a
  // self-extractor, a stray header, shifting every offset by the same amount) right before its end.
  const expected = cdEnd - cdSize;
  const base = Math.max(0, Math.min(cdOffset <= src.size ? cdOffset : cdEnd, expected));
  const bytes = await src.read(base, cdEnd);
  const end = cdEnd - base;
  let shift = 0;
  if (cdOffset + 4 > cdEnd || u32(bytes, cdOffset - base) !== SIG_CENTRAL) {
    if (expected < 0 || u32(bytes, expected - base) !== SIG_CENTRAL) throw damaged(name, 'its central directory is missing');
    shift = expected - cdOffset;
  }

  const entries: ZipCentralEntry[] = new Array<ZipCentralEntry>(total);
  let p = cdOffset + shift - base;
  for (let i = 0; i < total; i++) {
    if (p + 46 > end || u32(bytes, p) !== SIG_CENTRAL) throw damaged(name, `its central directory ends after ${i} of ${total} entries`);
    const flags = u16(bytes, p + 8);
    const method = u16(bytes, p + 10);
    const crc32 = u32(bytes, p + 16);
    let compressedSize = u32(bytes, p + 20);
    let uncompressedSize = u32(bytes, p + 24);
    const nameLen = u16(bytes, p + 28);
    const extraLen = u16(bytes, p + 30);
    const commentLen = u16(bytes, p + 32);
    const external = u32(bytes, p + 38);
    let localHeaderOffset = u32(bytes, p + 42);
    const nameStart = p + 46;
    const extraStart = nameStart + nameLen;
    const next = extraStart + extraLen + commentLen;
    if (next > end) throw damaged(name, `its central directory ends after ${i} of ${total} entries`);
    const nameBytes = bytes.subarray(nameStart, extraStart);
    let utf8 = (flags & 0x0800) !== 0;
    let entryName = utf8 ? decodeUtf8(nameBytes) : decodeLegacy(nameBytes);

    for (let x = extraStart; x + 4 <= extraStart + extraLen;) {
      const id = u16(bytes, x);
      const len = u16(bytes, x + 2);
      const body = x + 4;
      if (body + len > extraStart + extraLen) break;
      if (id === 0x0001) {
        // ZIP64 extended information: only the fields whose 32-bit value is saturated, in this order.
        let q = body;
        if (uncompressedSize === 0xffffffff && q + 8 <= body + len) { uncompressedSize = u64(bytes, q); q += 8; }
        if (compressedSize === 0xffffffff && q + 8 <= body + len) { compressedSize = u64(bytes, q); q += 8; }
        if (localHeaderOffset === 0xffffffff && q + 8 <= body + len) { localHeaderOffset = u64(bytes, q); }
      } else if (id === 0x7075 && !utf8 && len > 5 && bytes[body] === 1 && u32(bytes, body + 1) === crc32Of(nameBytes)) {
        // Info-ZIP Unicode Path: the UTF-8 name, valid while the CRC of the stored name still matches.
        entryName = decodeUtf8(bytes.subarray(body + 5, body + len));
        utf8 = true;
      }
      x = body + len;
    }

    const encrypted = (flags & 0x0001) !== 0 || method === METHOD_AES;
    const last = entryName.charCodeAt(entryName.length - 1);
    entries[i] = {
      index: i,
      name: entryName,
      nameEncoding: utf8 ? 'utf-8' : 'cp437',
      dir: last === 0x2f /* / */ || last === 0x5c /* \ */ || ((external & 0x10) !== 0 && uncompressedSize === 0),
      flags,
      encrypted,
      method,
      compressedSize,
      size: uncompressedSize,
      crc32,
      localHeaderOffset: localHeaderOffset + shift,
    };
    p = next;
  }
  return entries;
}

function splitArchive(name: string): ZipError {
  return new ZipError(`${name} is one part of a split (multi-volume) archive, which cannot be read. Create a single .zip file instead.`);
}

const utf8Decoder = new TextDecoder('utf-8');

function isAscii(b: Uint8Array): boolean {
  for (let i = 0; i < b.length; i++) if (b[i]! >= 0x80) return false;
  return true;
}

function asciiString(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i++) s += String.fromCharCode(b[i]!);
  return s;
}

function decodeUtf8(b: Uint8Array): string {
  return isAscii(b) ? asciiString(b) : utf8Decoder.decode(b);
}

function decodeLegacy(b: Uint8Array): string {
  return isAscii(b) ? asciiString(b) : decodeCp437(b);
}

let crcTable: Uint32Array | undefined;

/** CRC-32 (IEEE 802.3), for the short names an Info-ZIP Unicode Path field vouches for. */
function crc32Of(b: Uint8Array): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let crc = 0xffffffff;
  for (let i = 0; i < b.length; i++) crc = crcTable[(crc ^ b[i]!) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

