/**
 * Image type detection from the first bytes of a file, never from its name.
 * Used by the browser (slot warnings, bulk flags) and by the reference server (400 / 422 decisions).
 */

export type SniffedType = 'jpeg' | 'png' | 'webp' | 'gif' | 'heic' | 'avif' | 'bmp' | 'tiff' | 'zip' | 'pdf' | 'text' | 'empty' | 'unknown';

export const SNIFF_BYTES = 16;

const MIME: Record<SniffedType, string> = {
  jpeg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
  gif: 'image/gif',
  heic: 'image/heic',
  avif: 'image/avif',
  bmp: 'image/bmp',
  tiff: 'image/tiff',
  zip: 'application/zip',
  pdf: 'application/pdf',
  text: 'text/plain',
  empty: 'application/octet-stream',
  unknown: 'application/octet-stream',
};

const LABEL: Record<SniffedType, string> = {
  jpeg: 'JPEG image',
  png: 'PNG image',
  webp: 'WebP image',
  gif: 'GIF image',
  heic: 'HEIC image',
  avif: 'AVIF image',
  bmp: 'BMP image',
  tiff: 'TIFF image',
  zip: 'ZIP archive',
  pdf: 'PDF document',
  text: 'text file',
  empty: 'empty file',
  unknown: 'unrecognised data',
};

export function mimeOf(t: SniffedType): string {
  return MIME[t];
}

export function describeType(t: SniffedType): string {
  return LABEL[t];
}

/** "a PNG image", "an empty file", "unrecognised data" (a mass noun takes no article): for sentences. */
export function describeTypeWithArticle(t: SniffedType): string {
  const label = LABEL[t];
  if (/\bdata$/.test(label)) return label;
  return /^[aeiou]/i.test(label) ? `an ${label}` : `a ${label}`;
}

/** True for the two formats both contracts accept. */
export function isAcceptedImage(t: SniffedType): boolean {
  return t === 'jpeg' || t === 'png';
}

/**
 * What is wrong with a file of this type, as the end of a sentence that starts with its name
 * ("is a text file, not a JPEG or PNG"); null for an accepted image. Single's slot warning and
 * Bulk's pre-flight flags both say it this way.
 */
export function notAcceptedImage(t: SniffedType): string | null {
  return isAcceptedImage(t) ? null : `is ${describeTypeWithArticle(t)}, not a JPEG or PNG`;
}

function startsWith(b: Uint8Array, sig: readonly number[], offset = 0): boolean {
  if (b.length < offset + sig.length) return false;
  return sig.every((v, i) => b[offset + i] === v);
}

function ascii(b: Uint8Array, offset: number, len: number): string {
  let s = '';
  for (let i = offset; i < Math.min(b.length, offset + len); i++) s += String.fromCharCode(b[i] ?? 0);
  return s;
}

/** Detects a file type from its leading bytes (pass at least SNIFF_BYTES). */
export function sniff(bytes: Uint8Array): SniffedType {
  if (bytes.length === 0) return 'empty';
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return 'jpeg';
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'png';
  if (ascii(bytes, 0, 4) === 'RIFF' && ascii(bytes, 8, 4) === 'WEBP') return 'webp';
  if (ascii(bytes, 0, 4) === 'GIF8') return 'gif';
  if (ascii(bytes, 4, 4) === 'ftyp') {
    const heif = heifKind(bytes);
    if (heif) return heif;
  }
  if (ascii(bytes, 0, 2) === 'BM') return 'bmp';
  if (startsWith(bytes, [0x49, 0x49, 0x2a, 0x00]) || startsWith(bytes, [0x4d, 0x4d, 0x00, 0x2a])) return 'tiff';
  if (startsWith(bytes, [0x50, 0x4b, 0x03, 0x04]) || startsWith(bytes, [0x50, 0x4b, 0x05, 0x06])) return 'zip';
  if (ascii(bytes, 0, 5) === '%PDF-') return 'pdf';
  if (looksLikeText(bytes)) return 'text';
  return 'unknown';
}

const AVIF_BRANDS = /^(avif|avis)$/;
const HEIC_BRANDS = /^(heic|heix|hevc|hevx|heim|heis|hevm|hevs)$/;

/**
 * AVIF or HEIC from an ISO-BMFF `ftyp` box: the major brand decides; for the generic HEIF brands
 * (mif1, msf1) the compatible brands do, AVIF first (an AVIF lists avif there, a HEIC heic).
 */
function heifKind(b: Uint8Array): 'avif' | 'heic' | null {
  const major = ascii(b, 8, 4);
  if (AVIF_BRANDS.test(major)) return 'avif';
  if (HEIC_BRANDS.test(major)) return 'heic';
  if (major !== 'mif1' && major !== 'msf1') return null;
  const boxSize = ((b[0] ?? 0) << 24 | (b[1] ?? 0) << 16 | (b[2] ?? 0) << 8 | (b[3] ?? 0)) >>> 0;
  const end = Math.min(b.length, boxSize || b.length, 256);
  const brands: string[] = [];
  for (let i = 16; i + 4 <= end; i += 4) brands.push(ascii(b, i, 4));
  if (brands.some((x) => AVIF_BRANDS.test(x))) return 'avif';
  return 'heic';
}

function looksLikeText(b: Uint8Array): boolean {
  const n = Math.min(b.length, 512);
  for (let i = 0; i < n; i++) {
    const c = b[i] ?? 0;
    if (c === 9 || c === 10 || c === 13) continue;
    if (c < 0x20 || c === 0x7f) return false;
  }
  return true;
}

/** Sniffs a Blob or File by reading only its first bytes. */
export async function sniffBlob(blob: Blob): Promise<SniffedType> {
  const head = new Uint8Array(await blob.slice(0, 512).arrayBuffer());
  return sniff(head);
}

/** "1.2 MB", "840 KB", "12 B". */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(n < 10 * 1024 ? 1 : 0)} KB`;
  return `${(n / (1024 * 1024)).toFixed(1)} MB`;
}
