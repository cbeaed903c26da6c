/**
 * Opens the user's input ZIP for a bulk run.
 *
 * Only the central directory is read up front (names and declared sizes); images are decompressed
 * lazily, two at a time, when the runner asks for a pair. JSZip is loaded on demand so it stays out
 * of the first bundle. Every failure is a ZipError whose message is a sentence for the user.
 */
import type JSZip from 'jszip';
import { pairEntries } from './pairing.ts';
import type { PairEntry, SkippedEntry } from './records.ts';
import type { ImagePart } from './request.ts';
import { describeTypeWithArticle, formatBytes, mimeOf, sniff } from './filetype.ts';
import type { ZipEntryInfo } from './fingerprint.ts';

/** More entries than this and the archive is refused before JSZip parses it. */
export const MAX_ENTRIES = 50_000;
/** An entry declaring more than this uncompressed is never decompressed (zip-bomb guard). */
export const MAX_IMAGE_BYTES = 50 * 1024 * 1024;

/** A failure to open or read the input ZIP; `message` is the sentence to show. */
export class ZipError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ZipError';
  }
}

export interface OpenedZip {
  pairs: PairEntry[];
  skipped: SkippedEntry[];
  notices: string[];
  /** Entries in the archive, folders included. */
  entryCount: number;
  /** Every entry's name, declared uncompressed size and CRC-32, in archive order (for fingerprint.ts). */
  entries: ZipEntryInfo[];
  /** Decompresses the two images of one pair; rejects with a ZipError naming the entry. */
  readPair(pair: PairEntry): Promise<[ImagePart, ImagePart]>;
}

export interface OpenZipOptions {
  maxEntries?: number;
  maxImageBytes?: number;
}

type ZipObject = JSZip.JSZipObject;

export async function openZip(
  data: Blob | ArrayBuffer | Uint8Array,
  name = 'The selected file',
  options: OpenZipOptions = {},
): Promise<OpenedZip> {
  const maxEntries = options.maxEntries ?? MAX_ENTRIES;
  const maxImageBytes = options.maxImageBytes ?? MAX_IMAGE_BYTES;
  let bytes: Uint8Array;
  try {
    bytes = await toBytes(data);
  } catch {
    throw new ZipError(`${name} could not be read from disk. Choose the file again.`);
  }
  if (bytes.length === 0) throw new ZipError(`${name} is empty (0 bytes). Choose a .zip file that contains the image pairs.`);
  const kind = sniff(bytes.subarray(0, 512));
  if (kind !== 'zip') {
    const looks = kind === 'unknown' ? 'its first bytes are not a ZIP signature' : `it looks like ${describeTypeWithArticle(kind)}`;
    throw new ZipError(`${name} is not a ZIP archive (${looks}). Choose a .zip file whose images are named <stem>_image1.<ext> and <stem>_image2.<ext>.`);
  }
  const declared = declaredEntryCount(bytes);
  if (declared !== null && declared > maxEntries) {
    throw new ZipError(`${name} holds ${declared.toLocaleString('en')} entries; the limit is ${maxEntries.toLocaleString('en')}. Split it into smaller ZIP files.`);
  }

  const [{ default: JSZipCtor }, { inflateSync }] = await Promise.all([import('jszip'), import('fflate')]);
  let zip: JSZip;
  try {
    // createFolders: false keeps zip.files to the entries the archive really holds, so the count
    // can be checked against the central directory below.
    zip = await JSZipCtor.loadAsync(bytes, { createFolders: false });
  } catch (err) {
    throw new ZipError(explainLoadError(name, err));
  }

  // JSZip keys files by a resolved name; keep the name as stored in the archive for the paths.
  const byPath = new Map<string, ZipObject>();
  const entries: { path: string; dir: boolean }[] = [];
  for (const [key, obj] of Object.entries(zip.files)) {
    const original = obj.unsafeOriginalName ?? key;
    byPath.set(original, obj);
    entries.push({ path: original, dir: obj.dir });
  }
  if (entries.length > maxEntries) {
    throw new ZipError(`${name} holds ${entries.length.toLocaleString('en')} entries; the limit is ${maxEntries.toLocaleString('en')}. Split it into smaller ZIP files.`);
  }
  if (entries.length === 0) {
    throw new ZipError(`${name} is an empty ZIP archive (it has no files). Add the image pairs and create it again.`);
  }

  const { pairs, skipped, notices } = pairEntries(entries);
  // JSZip keys entries by their resolved name: two entries with one name (or "a/../x" beside "x")
  // leave only the last readable. Say so rather than lose them silently.
  const collapsed = declared !== null ? declared - entries.length : 0;
  if (collapsed > 0) {
    skipped.push({
      path: `(${collapsed} ${collapsed === 1 ? 'entry' : 'entries'} of ${name})`,
      reason: `${collapsed === 1 ? 'One entry has' : `${collapsed} entries have`} the same path as another entry (once "../" is resolved), so only the last of each could be read. Re-create the archive with unique file names.`,
    });
  }
  if (pairs.length === 0) {
    notices.unshift(`${name} contains no image pairs. Name the files <stem>_image1.<ext> and <stem>_image2.<ext>, with both files of a pair in the same folder.`);
  }

  async function readEntry(path: string): Promise<ImagePart> {
    const obj = byPath.get(path);
    if (!obj) throw new ZipError(`${path} is not in ${name}.`);
    const size = declaredUncompressedSize(obj);
    if (size !== null && size > maxImageBytes) {
      throw new ZipError(`${path} declares ${formatBytes(size)} uncompressed, over the ${formatBytes(maxImageBytes)} limit for one image; it was not decompressed (it may be a zip bomb). Replace it with a smaller image.`);
    }
    let content: Uint8Array;
    try {
      content = readStoredOrDeflated(obj, size, inflateSync) ?? await obj.async('uint8array');
    } catch (err) {
      throw new ZipError(`${path} in ${name} could not be decompressed (${explainEntryError(err)}). The archive may be damaged or crafted; create it again.`);
    }
    if (content.length > maxImageBytes) {
      throw new ZipError(`${path} is ${formatBytes(content.length)} uncompressed, over the ${formatBytes(maxImageBytes)} limit for one image. Replace it with a smaller image.`);
    }
    const type = sniff(content.subarray(0, 512));
    const base = path.replace(/\\/g, '/').split('/').filter(Boolean).pop() ?? path;
    return { name: base, data: new Blob([content as Uint8Array<ArrayBuffer>], { type: mimeOf(type) }) };
  }

  return {
    pairs,
    skipped,
    notices,
    entryCount: entries.length + Math.max(0, collapsed),
    entries: [...byPath].map(([path, obj]) => ({
      name: path, size: declaredUncompressedSize(obj) ?? -1, crc32: declaredCrc32(obj) ?? 0, dir: obj.dir,
    })),
    async readPair(pair) {
      const one = await readEntry(pair.image1_path);
      const two = await readEntry(pair.image2_path);
      return [one, two];
    },
  };
}

/**
 * The uncompressed size an entry declares in the ZIP's central directory, or null if unknown.
 *
 * JSZip 3.10 has no public API for it. After `loadAsync`, each file's private `_data` is a
 * CompressedObject holding `uncompressedSize` as read from the central directory (ZIP64 extra
 * field included). This is the only place that reaches into JSZip internals; if a JSZip upgrade
 * changes them, this returns null and the size is checked after decompression instead.
 */
export function declaredUncompressedSize(obj: ZipObject): number | null {
  const internal = (obj as unknown as { _data?: { uncompressedSize?: unknown } })._data;
  const size = internal && typeof internal === 'object' ? internal.uncompressedSize : undefined;
  // JSZip reads 32-bit fields with `<<`, so a declared size of 2 GiB or more comes back negative.
  return typeof size === 'number' && Number.isFinite(size) ? (size < 0 ? size + 2 ** 32 : size) : null;
}

/** The CRC-32 an entry declares in the central directory (JSZip's private `_data`, as above), or null. */
function declaredCrc32(obj: ZipObject): number | null {
  const internal = (obj as unknown as { _data?: { crc32?: unknown } })._data;
  const crc = internal && typeof internal === 'object' ? internal.crc32 : undefined;
  return typeof crc === 'number' && Number.isFinite(crc) ? crc >>> 0 : null;
}

/**
 * Reads one Stored or Deflate entry synchronously from the bytes JSZip already holds, or returns null
 * to let JSZip's own (asynchronous, chunked) reader do it.
 *
 * JSZip's reader costs about 1 ms per small image in Chromium, mostly in its chunk scheduling; a
 * bulk run reads two entries per pair, which made the playground measurably slower than the API it
 * tests. Like declaredUncompressedSize, this reads JSZip's private CompressedObject (`_data`: the
 * raw `compressedContent` bytes and the `compression.magic` method id), isolated here. The output
 * is checked against the declared size exactly as JSZip checks it: a longer or shorter stream is
 * refused (a lying zip bomb is cut at declared size + 1 byte, never inflated in full).
 */
function readStoredOrDeflated(
  obj: ZipObject,
  declaredSize: number | null,
  inflate: (data: Uint8Array, opts: { out: Uint8Array }) => Uint8Array,
): Uint8Array | null {
  const internal = (obj as unknown as { _data?: { compressedContent?: unknown; compression?: { magic?: unknown } } })._data;
  const raw = internal?.compressedContent;
  const magic = internal?.compression?.magic;
  if (declaredSize === null || !(raw instanceof Uint8Array)) return null;
  let out: Uint8Array;
  if (magic === '\x00\x00') out = raw;
  else if (magic === '\x08\x00') out = inflate(raw, { out: new Uint8Array(declaredSize + 1) });
  else return null;
  if (out.length !== declaredSize) throw new Error('uncompressed data size mismatch');
  return out;
}

/** Total entries from the end-of-central-directory record, or null when it cannot be found (or is ZIP64). */
export function declaredEntryCount(bytes: Uint8Array): number | null {
  const min = Math.max(0, bytes.length - 22 - 0xffff);
  for (let i = bytes.length - 22; i >= min; i--) {
    if (bytes[i] === 0x50 && bytes[i + 1] === 0x4b && bytes[i + 2] === 0x05 && bytes[i + 3] === 0x06) {
      const total = (bytes[i + 10] ?? 0) | ((bytes[i + 11] ?? 0) << 8);
      return total === 0xffff ? null : total;
    }
  }
  return null;
}

function explainLoadError(name: string, err: unknown): string {
  const msg = errorText(err);
  if (/encrypted/i.test(msg)) {
    return `${name} is encrypted; JSZip cannot read password-protected archives. Re-create it without a password.`;
  }
  if (/multi-volumes/i.test(msg)) {
    return `${name} is one part of a split (multi-volume) archive, which cannot be read. Create a single .zip file instead.`;
  }
  if (/compression .* unknown/i.test(msg)) {
    return `${name} uses a compression method that cannot be read here (only Stored and Deflate are supported). Re-create it with your system's standard "Compress" / "Send to ZIP" command.`;
  }
  return `${name} looks like a ZIP but could not be read: it is truncated or damaged (${msg}). Download or create it again.`;
}

/** JSZip's entry errors ("Bug : uncompressed data size mismatch", "Corrupted zip : CRC32 mismatch") in plain words. */
function explainEntryError(err: unknown): string {
  const msg = errorText(err);
  if (/size mismatch/i.test(msg)) return 'its data does not match the size the archive declares';
  if (/crc32/i.test(msg)) return 'its checksum does not match its data';
  if (/invalid|corrupt|unexpected end|incorrect/i.test(msg)) return 'its compressed data is invalid';
  return msg;
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

async function toBytes(data: Blob | ArrayBuffer | Uint8Array): Promise<Uint8Array> {
  if (data instanceof Uint8Array) return data;
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return new Uint8Array(await data.arrayBuffer());
}
