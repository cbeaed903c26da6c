/**
 * Safe file names for the results archive: `results/<safe pair_id>.json`.
 *
 * A pair_id comes from file names inside a user's ZIP, so it may hold anything a ZIP can: `..`,
 * slashes, control characters, characters Windows refuses, reserved device names, names longer
 * than a file system allows. The name written to the archive must extract cleanly on Windows,
 * macOS and Linux and must never escape `results/`. Rules, in order:
 *
 *  1. Unicode is normalised to NFC; letters, digits, spaces and emoji are kept.
 *  2. Folder separators (`/` and `\`, present when a pair_id was prefixed with its folder because
 *     one stem occurs in several folders) become `__`: `batchA/customer01` → `batchA__customer01`.
 *  3. Control characters, bidi overrides and Windows-illegal characters `<>:"|?*` become `_`.
 *  4. Runs of two or more dots become `_` (no `..`), leading dots become `_` (no hidden files),
 *     trailing dots and spaces are dropped (Windows drops them silently).
 *  5. Windows device names (CON, PRN, AUX, NUL, COM1–9, LPT1–9) get a leading `_`.
 *  6. Length is cut to at most 150 characters and 200 UTF-8 bytes, at a character boundary
 *     (grapheme clusters are not split when Intl.Segmenter exists).
 *  7. An empty result becomes `pair`.
 *  8. When the name is already taken — compared case-insensitively, since Windows and macOS
 *     file systems are — `-2`, `-3`, … is appended before `.json`.
 */

export const MAX_NAME_CHARS = 150;
export const MAX_NAME_BYTES = 200;
export const FOLDER_SEPARATOR_REPLACEMENT = '__';

const WINDOWS_RESERVED = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])(\..*)?$/i;
// C0 and C1 controls, DEL, bidi embeddings/overrides/isolates, line/paragraph separators, BOM.
// eslint-disable-next-line no-control-regex
const UNSAFE_CHARS = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2028\u2029\u2066-\u2069\ufeff<>:"|?*]/g;

/** The sanitised base name (no folder, no extension) for a pair_id, before de-duplication. */
export function safeBaseName(pairId: string): string {
  let s = pairId.normalize('NFC');
  s = s.replace(/[/\\]+/g, FOLDER_SEPARATOR_REPLACEMENT);
  s = s.replace(UNSAFE_CHARS, '_');
  s = s.replace(/\.{2,}/g, '_');
  s = s.replace(/^\.+/, (m) => '_'.repeat(m.length));
  s = s.trim();
  s = truncate(s, MAX_NAME_CHARS, MAX_NAME_BYTES);
  s = s.replace(/[. ]+$/, '');
  if (WINDOWS_RESERVED.test(s)) s = `_${s}`;
  return s || 'pair';
}

/**
 * `results/<safe>.json` for a pair_id, unique within `taken`.
 * `taken` holds the lower-cased entry names already used; the new name is added to it.
 */
export function archiveEntryName(pairId: string, taken: Set<string>): string {
  const base = safeBaseName(pairId);
  let name = `results/${base}.json`;
  for (let n = 2; taken.has(name.toLowerCase()); n++) name = `results/${base}-${n}.json`;
  taken.add(name.toLowerCase());
  return name;
}

const encoder = new TextEncoder();

function truncate(s: string, maxChars: number, maxBytes: number): string {
  if (s.length <= maxChars && encoder.encode(s).length <= maxBytes) return s;
  let out = '';
  let chars = 0;
  let bytes = 0;
  for (const unit of segments(s)) {
    const c = [...unit].length;
    const b = encoder.encode(unit).length;
    if (chars + c > maxChars || bytes + b > maxBytes) break;
    out += unit;
    chars += c;
    bytes += b;
  }
  return out;
}

function segments(s: string): Iterable<string> {
  if (typeof Intl !== 'undefined' && 'Segmenter' in Intl) {
    const seg = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
    return Array.from(seg.segment(s), (x) => x.segment);
  }
  return Array.from(s); // code points: never splits a surrogate pair
}
