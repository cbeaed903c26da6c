import { describe, expect, it } from 'vitest';
import { naturalCompare, normalisePath, pairEntries } from './pairing.ts';

const files = (...paths: string[]) => paths.map((path) => ({ path, dir: false }));
const reasonOf = (r: ReturnType<typeof pairEntries>, path: string) => r.skipped.find((s) => s.path === path)?.reason;

describe('pairEntries', () => {
  it('pairs <stem>_image1 with <stem>_image2 in the same folder, extensions may differ', () => {
    const r = pairEntries(files('customer01_image1.jpg', 'customer01_image2.png', 'test1_image2.jpeg', 'test1_image1.jpeg'));
    expect(r.pairs).toEqual([
      { pair_id: 'customer01', image1_path: 'customer01_image1.jpg', image2_path: 'customer01_image2.png' },
      { pair_id: 'test1', image1_path: 'test1_image1.jpeg', image2_path: 'test1_image2.jpeg' },
    ]);
    expect(r.skipped).toEqual([]);
    expect(r.notices).toEqual([]);
  });

  it('keeps paths as read from the archive (folders preserved)', () => {
    const r = pairEntries([{ path: 'fm-bulk-test/', dir: true }, ...files('fm-bulk-test/test1_image1.jpeg', 'fm-bulk-test/test1_image2.jpeg')]);
    expect(r.pairs).toEqual([{ pair_id: 'test1', image1_path: 'fm-bulk-test/test1_image1.jpeg', image2_path: 'fm-bulk-test/test1_image2.jpeg' }]);
    expect(r.skipped).toEqual([]);
  });

  it('does not count folder entries as skipped files (directory records, names ending in / or \\)', () => {
    const r = pairEntries([
      { path: 'set/', dir: true },
      { path: 'set/empty/', dir: false },
      { path: 'win\\', dir: false },
      { path: 'set/sub/', dir: true },
      ...files('set/a_image1.jpg', 'set/a_image2.png', 'set/notes.txt'),
    ]);
    expect(r.pairs.map((p) => p.pair_id)).toEqual(['a']);
    expect(r.skipped.map((s) => s.path)).toEqual(['set/notes.txt']);
    expect(r.skipped.some((s) => /folder entry/i.test(s.reason))).toBe(false);
  });

  it('does not pair files across folders and says where the partner is', () => {
    const r = pairEntries(files('a/x_image1.jpg', 'b/x_image2.jpg'));
    expect(r.pairs).toEqual([]);
    expect(reasonOf(r, 'a/x_image1.jpg')).toMatch(/folder a\/ has no x_image2.*exists in b\/.*same folder/);
    expect(reasonOf(r, 'b/x_image2.jpg')).toMatch(/folder b\/ has no x_image1/);
  });

  it('prefixes the folder when one stem is paired in several folders, with a notice', () => {
    const r = pairEntries(files(
      'batchB/customer01_image1.jpg', 'batchB/customer01_image2.jpg',
      'batchA/customer01_image1.jpg', 'batchA/customer01_image2.jpg',
      'batchA/other_image1.jpg', 'batchA/other_image2.jpg',
    ));
    // Only the stem that occurs in several folders is prefixed.
    expect(r.pairs.map((p) => p.pair_id)).toEqual(['batchB/customer01', 'batchA/customer01', 'other']);
    expect(new Set(r.pairs.map((p) => p.pair_id)).size).toBe(3);
    expect(r.notices.join(' ')).toMatch(/"customer01".*prefixed with their folder/);
  });

  it('skips orphans with a sentence naming the missing file', () => {
    const r = pairEntries(files('a_image1.jpg', 'b_image2.png', 'c_image1.jpg', 'c_image2.jpg'));
    expect(r.pairs.map((p) => p.pair_id)).toEqual(['c']);
    expect(reasonOf(r, 'a_image1.jpg')).toMatch(/No partner: the top level of the ZIP has no a_image2\.\* file/);
    expect(reasonOf(r, 'b_image2.png')).toMatch(/no b_image1\.\* file/);
  });

  it('forms no pair for an ambiguous stem and names the clashing files', () => {
    const r = pairEntries(files('a_image1.jpg', 'a_image1.png', 'a_image2.jpg', 'b_image1.jpg', 'b_image2.jpg'));
    expect(r.pairs.map((p) => p.pair_id)).toEqual(['b']);
    expect(reasonOf(r, 'a_image1.jpg')).toMatch(/Ambiguous.*2 _image1 files for "a" \(a_image1\.jpg, a_image1\.png\)/);
    expect(reasonOf(r, 'a_image1.png')).toMatch(/Ambiguous/);
    expect(reasonOf(r, 'a_image2.jpg')).toMatch(/partner is ambiguous/);
  });

  it('matches the suffix case-insensitively, keeps the stem case, and says so', () => {
    const r = pairEntries(files('Scan_IMAGE1.JPG', 'Scan_Image2.jpeg', 'lower_image1.jpg', 'LOWER_image2.jpg'));
    expect(r.pairs).toEqual([{ pair_id: 'Scan', image1_path: 'Scan_IMAGE1.JPG', image2_path: 'Scan_Image2.jpeg' }]);
    expect(r.notices.join(' ')).toMatch(/2 file names use an upper- or mixed-case _IMAGE1\/_IMAGE2 suffix/);
    // Stems are compared exactly: "lower" and "LOWER" are two orphans.
    expect(r.skipped.map((s) => s.path).sort()).toEqual(['LOWER_image2.jpg', 'lower_image1.jpg']);
  });

  it('ignores __MACOSX, dotfiles, AppleDouble, Thumbs.db, desktop.ini and nested archives, with reasons', () => {
    const r = pairEntries([
      { path: '__MACOSX/', dir: true },
      ...files(
        '__MACOSX/set/._a_image1.jpg', 'set/._a_image1.jpg', 'set/.DS_Store', '.hidden/z_image1.jpg', '.hidden/z_image2.jpg',
        'set/Thumbs.db', 'set/desktop.ini', 'set/more_image1.zip', 'set/a_image1.jpg', 'set/a_image2.jpg', 'readme.txt',
      ),
    ]);
    expect(r.pairs.map((p) => p.image1_path)).toEqual(['set/a_image1.jpg']);
    expect(reasonOf(r, '__MACOSX/set/._a_image1.jpg')).toMatch(/__MACOSX/);
    expect(reasonOf(r, 'set/._a_image1.jpg')).toMatch(/AppleDouble/);
    expect(reasonOf(r, 'set/.DS_Store')).toMatch(/Hidden/);
    expect(reasonOf(r, '.hidden/z_image1.jpg')).toMatch(/Hidden/);
    expect(reasonOf(r, 'set/Thumbs.db')).toMatch(/Windows/);
    expect(reasonOf(r, 'set/desktop.ini')).toMatch(/Windows/);
    expect(reasonOf(r, 'set/more_image1.zip')).toMatch(/nested archives are not opened/);
    expect(reasonOf(r, 'readme.txt')).toMatch(/does not follow the rule/);
    expect(r.skipped).toHaveLength(9); // 12 entries − the 2 files of the pair − the __MACOSX/ folder entry
  });

  it('flags pairs whose extension is not jpg/jpeg/png but keeps them', () => {
    const r = pairEntries(files('p_image1.heic', 'p_image2.JPG', 'q_image1.PNG', 'q_image2.jpeg'));
    expect(r.pairs).toHaveLength(2);
    expect(r.pairs[0]!.flag).toMatch(/p_image1\.heic has the extension \.heic.*API decides/);
    expect(r.pairs[1]!.flag).toBeUndefined();
  });

  it('handles unicode and spaces in names and keeps them', () => {
    const r = pairEntries(files('Ünïcødé dir/José Müller 😀_image1.jpg', 'Ünïcødé dir/José Müller 😀_image2.png'));
    expect(r.pairs).toEqual([{ pair_id: 'José Müller 😀', image1_path: 'Ünïcødé dir/José Müller 😀_image1.jpg', image2_path: 'Ünïcødé dir/José Müller 😀_image2.png' }]);
  });

  it('normalises backslashes and leading ./ or / for matching but keeps the original strings', () => {
    const r = pairEntries(files('.\\win\\k_image1.jpg', '/win/k_image2.jpg'));
    expect(r.pairs).toEqual([{ pair_id: 'k', image1_path: '.\\win\\k_image1.jpg', image2_path: '/win/k_image2.jpg' }]);
    expect(normalisePath('./a\\b/c.jpg')).toBe('a/b/c.jpg');
  });

  it('rejects names without a stem or extension', () => {
    const r = pairEntries(files('_image1.jpg', '_image2.jpg', 'x_image1', 'x_image2'));
    expect(r.pairs).toEqual([]);
    expect(reasonOf(r, '_image1.jpg')).toMatch(/nothing before _image1/);
    expect(reasonOf(r, 'x_image1')).toMatch(/does not follow the rule/);
  });

  it('keeps the ZIP\'s order: a pair stands where the first of its files is listed, folder pairs included', () => {
    // As a ZIP tool may list them: a folder before the top level, numbers not in natural order.
    const r = pairEntries(files(
      'b2/x_image1.jpg', 'b2/x_image2.jpg',
      'img10_image1.jpg', 'img10_image2.jpg',
      'b10/x_image2.jpg', 'img2_image1.jpg', 'b10/x_image1.jpg', 'img2_image2.jpg',
      'b1/x_image1.jpg', 'b1/x_image2.jpg',
      'img1_image1.jpg', 'img1_image2.jpg',
    ));
    expect(r.pairs.map((p) => p.image1_path)).toEqual([
      'b2/x_image1.jpg', 'img10_image1.jpg', 'b10/x_image1.jpg', 'img2_image1.jpg', 'b1/x_image1.jpg', 'img1_image1.jpg',
    ]);
    const names = ['img10', 'img2', 'img1', 'Img1b', 'b2/x', 'b10/x', 'b1/x'];
    const entries = names.flatMap((n) => files(`${n}_image1.jpg`, `${n}_image2.jpg`));
    expect(pairEntries([...entries].reverse()).pairs.map((p) => p.image1_path)).toEqual(names.map((n) => `${n}_image1.jpg`).reverse());
    expect(naturalCompare('a', 'A')).not.toBe(0);
  });

  it('pairs 10,000 pairs quickly', () => {
    const entries = [];
    for (let i = 0; i < 10_000; i++) entries.push(...files(`batch/p${i}_image2.png`, `batch/p${i}_image1.jpg`));
    entries.push(...files('batch/Thumbs.db', 'batch/orphan_image1.jpg'));
    const t0 = performance.now();
    const r = pairEntries(entries.reverse());
    const ms = performance.now() - t0;
    console.log(`pairEntries: 10,000 pairs (20,002 entries) in ${ms.toFixed(0)} ms`);
    expect(r.pairs).toHaveLength(10_000);
    expect(r.skipped).toHaveLength(2);
    // Listed from p9999 down to p0: the pairs keep that order.
    expect(r.pairs[0]!.pair_id).toBe('p9999');
    expect(r.pairs[9999]!.pair_id).toBe('p0');
  });
});
