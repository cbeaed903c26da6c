/**
 * Finds image pairs among the entries of an input archive (names only — no bytes are read).
 *
 * The rule (Playground document, "How to use bulk testing"): `<stem>_image1.<ext>` pairs with
 * `<stem>_image2.<ext>` in the same folder; the two extensions may differ.
 *
 * Decisions, as a QA engineer would expect them:
 *  - The `_image1` / `_image2` suffix is matched case-insensitively (`x_IMAGE1.JPG` works; a notice
 *    says so); the stem keeps its case and is compared exactly (`A_image1` does not pair with `a_image2`).
 *  - `pair_id` is the stem. When one stem occurs in several folders, each of those pair_ids is
 *    prefixed with its folder (`batchA/customer01`) and a notice says so.
 *  - Ambiguous stems are not guessed: when a folder holds two `_image1` files (or two `_image2`
 *    files) for one stem, e.g. `a_image1.jpg` + `a_image1.png`, no pair is formed for that stem in
 *    that folder and every file of it is skipped with a sentence saying which files clash.
 *  - Folder entries (directory records, names ending in `/`) are searched, never listed: they are
 *    neither pairs nor skipped files.
 *  - Every other file that is not part of a pair is skipped with a reason: orphans, names that do
 *    not follow the rule, files under `__MACOSX/`, dotfiles (incl. AppleDouble `._x`), Thumbs.db,
 *    desktop.ini and nested archives (never opened).
 *  - Pairs whose extension is not .jpg/.jpeg/.png are kept with a `flag`: the API decides.
 *  - Pairs come out in the ZIP's own order: a pair stands where the first of its two files is listed
 *    in the archive (a folder's pairs are not moved after the top level's). Skipped entries come
 *    out in natural order of their paths (folder, then name).
 *  - Paths are normalised for matching only (Unicode NFC, backslashes → `/`, leading `./` or `/`
 *    dropped); `image1_path` / `image2_path` keep the path exactly as read from the archive.
 *  - Two entries that name the same file once normalised and with "." / ".." resolved (the same
 *    name twice, an NFD and an NFC spelling, `sub/../x` beside `x`) collide: neither is sent, and
 *    each is skipped with one sentence naming both.
 */
import type { PairEntry, SkippedEntry } from '../run/records.ts';

export interface ArchiveEntryName {
  path: string;
  dir: boolean;
}

export interface PairingResult {
  pairs: PairEntry[];
  skipped: SkippedEntry[];
  notices: string[];
}

export const ACCEPTED_EXTENSIONS: ReadonlySet<string> = new Set(['jpg', 'jpeg', 'png']);
const ARCHIVE_EXTENSIONS: ReadonlySet<string> = new Set(['zip', '7z', 'rar', 'tar', 'gz', 'tgz', 'bz2', 'xz']);
const SYSTEM_FILES: ReadonlySet<string> = new Set(['thumbs.db', 'desktop.ini', 'ehthumbs.db']);
const NAME_RULE = /^(.*)_(image)([12])\.([^.]+)$/i;

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

/** Natural order, tie-broken by plain code-unit comparison so the order is total and stable. */
export function naturalCompare(a: string, b: string): number {
  return collator.compare(a, b) || (a < b ? -1 : a > b ? 1 : 0);
}

/** Sorts in place unless already in order: archives usually list their entries sorted, and one linear check is far cheaper than a collator sort. */
function sortIfNeeded<T>(list: T[], compare: (a: T, b: T) => number): void {
  for (let i = 1; i < list.length; i++) {
    if (compare(list[i - 1]!, list[i]!) > 0) {
      list.sort(compare);
      return;
    }
  }
}

/** naturalCompare, skipping the collator when the strings are equal (the common case for folders). */
function naturalCompareFast(a: string, b: string): number {
  return a === b ? 0 : naturalCompare(a, b);
}

const NON_ASCII = /[\u0080-\uffff]/;
const DOT_SEGMENT = /(^|\/)\.{1,2}(\/|$)/;

/** Unicode NFC, backslashes as separators, no leading `./` or `/`. */
export function normalisePath(path: string): string {
  if (NON_ASCII.test(path)) path = path.normalize('NFC');
  // Fast path: most names need no change.
  const c = path.charCodeAt(0);
  if (c !== 0x2e /* . */ && c !== 0x2f /* / */ && c !== 0x5c /* \ */ && !path.includes('\\')) return path;
  let p = path.replace(/\\/g, '/');
  for (;;) {
    const next = p.replace(/^\.\//, '').replace(/^\/+/, '');
    if (next === p) return p;
    p = next;
  }
}

/** The file a normalised path names once "." and ".." are resolved; null when it points outside the archive. */
function resolvedPath(norm: string): string | null {
  if (!DOT_SEGMENT.test(norm)) return norm;
  const out: string[] = [];
  for (const seg of norm.split('/')) {
    if (seg === '.' || seg === '') continue;
    if (seg === '..') {
      if (out.length === 0) return null;
      out.pop();
    } else {
      out.push(seg);
    }
  }
  return out.join('/');
}

function collisionReason(members: readonly { path: string; index: number }[], file: string): string {
  const list = members.map((m) => `"${m.path}" (entry ${m.index + 1})`);
  const joined = `${list.slice(0, -1).join(', ')} and ${list[list.length - 1]}`;
  const how = members.every((m) => m.path === file)
    ? ''
    : members.some((m) => DOT_SEGMENT.test(normalisePath(m.path))) ? ' once "../" is resolved' : ' once their names are decoded and normalised';
  const two = members.length === 2;
  return `${joined} collide: ${two ? 'both' : 'all'} name the file "${file}"${how}, so ${two ? 'neither' : 'none'} was sent. Re-create the archive with unique file names.`;
}

function splitPath(norm: string): { folder: string; base: string } {
  const trimmed = norm.replace(/\/+$/, '');
  const i = trimmed.lastIndexOf('/');
  return i < 0 ? { folder: '', base: trimmed } : { folder: trimmed.slice(0, i), base: trimmed.slice(i + 1) };
}

function where(folder: string): string {
  return folder ? `folder ${folder}/` : 'the top level of the ZIP';
}

interface Candidate {
  original: string;
  norm: string;
  folder: string;
  base: string;
  stem: string;
  slot: 1 | 2;
  ext: string;
  upperSuffix: boolean;
}

const OUTSIDE = 'The path points outside the archive ("../"); ignored for safety.';

/** A folder entry: folders are searched for pairs; the entry itself is neither a pair nor a skipped file. */
function isFolderEntry(entry: ArchiveEntryName, norm: string): boolean {
  return entry.dir || norm.endsWith('/');
}

/** Why a file entry is never a candidate, or null when it may be one. */
function ignoreReason(norm: string): string | null {
  const segments = norm.split('/').filter(Boolean);
  const base = segments[segments.length - 1] ?? '';
  if (segments.some((s) => s === '__MACOSX')) return 'macOS resource data (__MACOSX folder), not an image; ignored.';
  if (base.startsWith('._')) return 'macOS AppleDouble metadata file (name starts with "._"), not an image; ignored.';
  if (segments.some((s) => s === '..')) return OUTSIDE;
  if (segments.some((s) => s.startsWith('.'))) return 'Hidden file or folder (name starts with "."); ignored.';
  if (SYSTEM_FILES.has(base.toLowerCase())) return 'Windows folder metadata file, not an image; ignored.';
  const ext = base.includes('.') ? base.slice(base.lastIndexOf('.') + 1).toLowerCase() : '';
  if (ARCHIVE_EXTENSIONS.has(ext)) return `A nested archive (.${ext}); nested archives are not opened. Extract its images into this ZIP instead.`;
  return null;
}

export function pairEntries(entries: readonly ArchiveEntryName[]): PairingResult {
  const skipped: SkippedEntry[] = [];
  const notices: string[] = [];
  // folder -> stem -> slot candidates
  const groups = new Map<string, { folder: string; stem: string; one: Candidate[]; two: Candidate[] }>();
  // How many folders each stem formed a pair in (each folder/stem group is unique, so a count will do).
  const stemFolders = new Map<string, number>();
  let upperCount = 0;

  const norms = entries.map((e) => normalisePath(e.path));
  // Entries naming one file: resolved path -> entry indices (only for files named more than once).
  const firstOf = new Map<string, number>();
  const collisions = new Map<string, number[]>();
  const resolved: (string | null)[] = norms.map((norm, i) => {
    if (entries[i]!.dir) return null;
    const file = resolvedPath(norm);
    if (file === null) return null;
    const first = firstOf.get(file);
    if (first === undefined) firstOf.set(file, i);
    else {
      const list = collisions.get(file);
      if (list) list.push(i);
      else collisions.set(file, [first, i]);
    }
    return file;
  });
  // folder/stem groups that lost an entry to a collision, for the partner's reason.
  const collidedGroups = new Map<string, string>();

  for (const [i, entry] of entries.entries()) {
    const norm = norms[i]!;
    if (isFolderEntry(entry, norm)) continue;
    const ignored = ignoreReason(norm);
    const file = resolved[i];
    const clash = file != null ? collisions.get(file) : undefined;
    if (clash && (ignored === null || ignored === OUTSIDE)) {
      skipped.push({ path: entry.path, reason: collisionReason(clash.map((k) => ({ path: entries[k]!.path, index: k })), file!) });
      const { folder, base } = splitPath(file!);
      const m = NAME_RULE.exec(base);
      if (m?.[1]) collidedGroups.set(`${folder}\u0000${m[1]}`, base);
      continue;
    }
    if (ignored) {
      skipped.push({ path: entry.path, reason: ignored });
      continue;
    }
    const { folder, base } = splitPath(norm);
    const m = NAME_RULE.exec(base);
    if (!m || !m[1]) {
      skipped.push({
        path: entry.path,
        reason: m
          ? `The name has nothing before _image${m[3]}; name files <stem>_image1.<ext> and <stem>_image2.<ext>.`
          : `The name does not follow the rule <stem>_image1.<ext> / <stem>_image2.<ext>, so it is not part of a pair.`,
      });
      continue;
    }
    const cand: Candidate = {
      original: entry.path, norm, folder, base,
      stem: m[1], slot: m[3] === '1' ? 1 : 2, ext: (m[4] ?? '').toLowerCase(),
      upperSuffix: m[2] !== 'image',
    };
    const key = `${folder}\u0000${cand.stem}`;
    let g = groups.get(key);
    if (!g) {
      g = { folder, stem: cand.stem, one: [], two: [] };
      groups.set(key, g);
    }
    (cand.slot === 1 ? g.one : g.two).push(cand);
  }

  // Groups by stem across folders, only needed to word an orphan's reason: built on the first orphan.
  let byStemCache: Map<string, { folder: string; one: Candidate[]; two: Candidate[] }[]> | undefined;
  const byStem = () => {
    if (byStemCache) return byStemCache;
    byStemCache = new Map();
    for (const g of groups.values()) {
      const list = byStemCache.get(g.stem);
      if (list) list.push(g);
      else byStemCache.set(g.stem, [g]);
    }
    return byStemCache;
  };

  const formed: { folder: string; stem: string; a: Candidate; b: Candidate }[] = [];
  for (const [key, g] of groups.entries()) {
    const clash = g.one.length > 1 ? g.one : g.two.length > 1 ? g.two : null;
    if (clash) {
      const slot = clash === g.one ? 1 : 2;
      const names = clash.map((c) => c.base).sort(naturalCompare).join(', ');
      for (const c of [...g.one, ...g.two]) {
        skipped.push({
          path: c.original,
          reason: c.slot === slot
            ? `Ambiguous: ${where(g.folder)} holds ${clash.length} _image${slot} files for "${g.stem}" (${names}), so no pair was formed for it. Keep one and re-create the ZIP.`
            : `Not sent: its _image${slot} partner is ambiguous (${names} in ${where(g.folder)}). Keep one and re-create the ZIP.`,
        });
      }
      continue;
    }
    const a = g.one[0];
    const b = g.two[0];
    if (a && b) {
      formed.push({ folder: g.folder, stem: g.stem, a, b });
      stemFolders.set(g.stem, (stemFolders.get(g.stem) ?? 0) + 1);
      if (a.upperSuffix) upperCount++;
      if (b.upperSuffix) upperCount++;
      continue;
    }
    const lone = (a ?? b)!;
    const missing = lone.slot === 1 ? 2 : 1;
    const collided = collidedGroups.get(key);
    if (collided) {
      skipped.push({
        path: lone.original,
        reason: `Not sent: its partner ${collided} collides with another entry of the archive (see that entry). Re-create the archive with unique file names.`,
      });
      continue;
    }
    const elsewhere = (byStem().get(g.stem) ?? [])
      .filter((o) => o !== g && (missing === 1 ? o.one : o.two).length > 0)
      .map((o) => (o.folder ? `${o.folder}/` : 'the top level'));
    skipped.push({
      path: lone.original,
      reason: `No partner: ${where(g.folder)} has no ${g.stem}_image${missing}.* file for this ${g.stem}_image${lone.slot}.`
        + (elsewhere.length ? ` A ${g.stem}_image${missing} file exists in ${elsewhere.join(', ')}, but both files of a pair must be in the same folder.` : ''),
    });
  }

  // `groups` keeps the order in which each folder/stem was first listed, so `formed` is already in
  // the ZIP's order: the pair stands where the first of its files is.

  const prefixed = new Set<string>();
  const pairs: PairEntry[] = formed.map(({ folder, stem, a, b }) => {
    const several = (stemFolders.get(stem) ?? 0) > 1;
    if (several) prefixed.add(stem);
    const pair: PairEntry = {
      pair_id: several && folder ? `${folder}/${stem}` : stem,
      image1_path: a.original,
      image2_path: b.original,
    };
    if (!ACCEPTED_EXTENSIONS.has(a.ext) || !ACCEPTED_EXTENSIONS.has(b.ext)) {
      const odd = [a, b].filter((c) => !ACCEPTED_EXTENSIONS.has(c.ext));
      pair.flag = `${odd.map((c) => `${c.base} has the extension .${c.ext}`).join(' and ')}; the API documents JPEG and PNG only. The pair is sent anyway and the API decides.`;
    }
    return pair;
  });

  const keyed = skipped.map((entry) => ({ entry, key: normalisePath(entry.path) }));
  sortIfNeeded(keyed, (x, y) => naturalCompareFast(x.key, y.key));
  skipped.splice(0, skipped.length, ...keyed.map((k) => k.entry));

  if (prefixed.size) {
    const list = [...prefixed].sort(naturalCompare);
    const shown = list.slice(0, 5).map((s) => `"${s}"`).join(', ') + (list.length > 5 ? ` and ${list.length - 5} more` : '');
    notices.push(`${list.length} stem${list.length === 1 ? '' : 's'} (${shown}) occur${list.length === 1 ? 's' : ''} in several folders; those pair_ids are prefixed with their folder (e.g. "folder/stem") so each is unique.`);
  }
  if (upperCount) {
    notices.push(`${upperCount} file name${upperCount === 1 ? ' uses' : 's use'} an upper- or mixed-case _IMAGE1/_IMAGE2 suffix; the suffix is matched case-insensitively, so they were paired.`);
  }
  const flagged = pairs.filter((p) => p.flag).length;
  if (flagged) {
    notices.push(`${flagged} pair${flagged === 1 ? ' has' : 's have'} an image whose extension is not .jpg, .jpeg or .png; ${flagged === 1 ? 'it is' : 'they are'} sent anyway and the API decides.`);
  }
  return { pairs, skipped, notices };
}
