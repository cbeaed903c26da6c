/**
 * A fingerprint of an input ZIP, taken from its central directory only (no image is read): every
 * entry's name, uncompressed size and CRC-32.
 *
 * The run journal stores it when a run starts; Resume compares the ZIP the user chooses again with
 * it, so a run is never continued over a different set of images. Two archives with the same
 * entries (names, sizes, CRCs) have the same fingerprint even when they were zipped again in a
 * different entry order or with another compression level: the pairs, their order and the bytes
 * sent are then the same. Any renamed, added, removed or changed image changes it.
 *
 * The value is `fm1-<entries>-<sha256 hex>` over a canonical listing; SHA-256 comes from
 * @noble/hashes (synchronous, and unlike WebCrypto also available on plain-http pages).
 */
import { sha256 } from '@noble/hashes/sha256';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils';

/** One central-directory entry, as the ZIP reader exposes it. */
export interface ZipEntryInfo {
  /** The entry name exactly as stored in the archive. */
  name: string;
  /** Uncompressed size declared in the central directory. */
  size: number;
  /** CRC-32 declared in the central directory (unsigned 32-bit). */
  crc32: number;
  /** Folder entries carry no data; they are left out of the fingerprint. */
  dir?: boolean;
}

const PREFIX = 'fm1';

/** The fingerprint of a list of central-directory entries. */
export function zipFingerprint(entries: readonly ZipEntryInfo[]): string {
  const files = entries.filter((e) => !e.dir && !e.name.endsWith('/'));
  // Code-unit order: total and locale-independent, so the value is the same in every browser.
  const lines = files
    .map((e) => `${JSON.stringify(e.name)}\t${Math.trunc(e.size)}\t${(e.crc32 >>> 0).toString(16).padStart(8, '0')}`)
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const digest = bytesToHex(sha256(utf8ToBytes(lines.join('\n'))));
  return `${PREFIX}-${files.length}-${digest}`;
}

/** True when two fingerprints name the same archive contents. */
export function sameFingerprint(a: string | null | undefined, b: string | null | undefined): boolean {
  return typeof a === 'string' && typeof b === 'string' && a.length > 0 && a === b;
}

/** How many files a fingerprint covers, or null when it is not one of ours. */
export function fingerprintEntryCount(fingerprint: string): number | null {
  const m = /^fm1-(\d+)-[0-9a-f]{64}$/.exec(fingerprint);
  return m ? Number(m[1]) : null;
}
