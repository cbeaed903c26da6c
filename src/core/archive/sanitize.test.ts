import { describe, expect, it } from 'vitest';
import { archiveEntryName, safeBaseName } from './sanitize.ts';

const one = (id: string) => archiveEntryName(id, new Set());

describe('archiveEntryName', () => {
  it('names a plain stem results/<stem>.json', () => {
    expect(one('test1')).toBe('results/test1.json');
  });

  it('turns folder separators of a prefixed pair_id into "__"', () => {
    expect(one('batchA/customer01')).toBe('results/batchA__customer01.json');
    expect(one('a\\b/c')).toBe('results/a__b__c.json');
  });

  it('never escapes results/: no .. segments, no leading slash, no backslash', () => {
    for (const hostile of ['../../etc/passwd', '/abs/path', '..', '.', '..\\..\\windows\\system32', './../x', '....//....//y']) {
      const name = one(hostile);
      expect(name.startsWith('results/')).toBe(true);
      const rest = name.slice('results/'.length);
      expect(rest).not.toContain('/');
      expect(rest).not.toContain('\\');
      expect(rest).not.toContain('..');
      expect(rest.startsWith('.')).toBe(false);
      expect(rest.endsWith('.json')).toBe(true);
    }
    expect(one('../../etc/passwd')).toBe('results/______etc__passwd.json');
  });

  it('replaces control characters, bidi overrides and characters illegal on Windows', () => {
    const name = one('a\u0000b\nc\td\u001b<e>f:g"h|i?j*k\u202eexe.gpj');
    expect(name).toBe('results/a_b_c_d__e_f_g_h_i_j_k_exe.gpj.json');
    // eslint-disable-next-line no-control-regex -- asserting control characters are gone
    expect(name).not.toMatch(/[\u0000-\u001f<>:"|?*\u202e]/);
  });

  it('keeps unicode and emoji, normalised to NFC', () => {
    expect(one('José Müller 😀')).toBe('results/José Müller 😀.json');
    expect(one('Jose\u0301')).toBe('results/Jos\u00e9.json');
  });

  it('drops trailing dots and spaces and guards Windows device names', () => {
    expect(one('name. . ')).toBe('results/name.json');
    expect(one('CON')).toBe('results/_CON.json');
    expect(one('lpt1.txt')).toBe('results/_lpt1.txt.json');
    expect(one('console')).toBe('results/console.json');
  });

  it('gives empty or all-illegal ids a name', () => {
    expect(one('')).toBe('results/pair.json');
    expect(one('   ')).toBe('results/pair.json');
  });

  it('cuts long names to 150 characters and 200 UTF-8 bytes without splitting an emoji', () => {
    expect(safeBaseName('x'.repeat(500))).toHaveLength(150);
    const emoji = safeBaseName('👍🏽'.repeat(100)); // 8 bytes per cluster
    expect(new TextEncoder().encode(emoji).length).toBeLessThanOrEqual(200);
    expect(emoji).toBe('👍🏽'.repeat(25));
    expect(emoji).not.toMatch(/[\ud800-\udbff]$/);
  });

  it('de-duplicates names that sanitise the same, case-insensitively', () => {
    const taken = new Set<string>();
    expect(archiveEntryName('a/b', taken)).toBe('results/a__b.json');
    expect(archiveEntryName('a__b', taken)).toBe('results/a__b-2.json');
    expect(archiveEntryName('A/B', taken)).toBe('results/A__B-3.json');
    expect(archiveEntryName('a:b', taken)).toBe('results/a_b.json');
    expect(archiveEntryName('a?b', taken)).toBe('results/a_b-2.json');
    expect(taken.size).toBe(5);
  });
});
