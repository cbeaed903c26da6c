import JSZip from 'jszip';
import { describe, expect, it } from 'vitest';
import { fingerprintEntryCount, sameFingerprint, zipFingerprint } from './fingerprint.ts';
import { openZip } from './zip.ts';

const png = (seed: number) => Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, seed, seed + 1, seed + 2]);

async function zipOf(files: Record<string, Uint8Array>, opts: { compression?: 'STORE' | 'DEFLATE'; folders?: boolean } = {}): Promise<Uint8Array> {
  const zip = new JSZip();
  for (const [name, data] of Object.entries(files)) zip.file(name, data, { createFolders: opts.folders ?? false });
  return zip.generateAsync({ type: 'uint8array', compression: opts.compression ?? 'STORE' });
}

const base = () => ({
  'set/a_image1.png': png(1), 'set/a_image2.png': png(2),
  'set/b_image1.png': png(3), 'set/b_image2.png': png(4),
});

async function fingerprintOf(bytes: Uint8Array): Promise<string> {
  return zipFingerprint((await openZip(bytes, 'regress.zip')).entries);
}

describe('zipFingerprint', () => {
  it('is the same for the same archive opened twice, and for the same files zipped again in another order and compression', async () => {
    const one = await fingerprintOf(await zipOf(base()));
    expect(await fingerprintOf(await zipOf(base()))).toBe(one);
    const reordered = Object.fromEntries(Object.entries(base()).reverse());
    expect(await fingerprintOf(await zipOf(reordered, { compression: 'DEFLATE', folders: true }))).toBe(one);
    expect(sameFingerprint(one, one)).toBe(true);
    expect(fingerprintEntryCount(one)).toBe(4);
  });

  it('changes when an image changes (same name and size, other bytes), is renamed, added or removed', async () => {
    const one = await fingerprintOf(await zipOf(base()));
    const changed = { ...base(), 'set/b_image2.png': png(9) };
    const renamed = Object.fromEntries(Object.entries(base()).map(([k, v]) => [k.replace('set/a_', 'set/c_'), v]));
    const added = { ...base(), 'set/c_image1.png': png(5), 'set/c_image2.png': png(6) };
    const { 'set/b_image2.png': _gone, ...removed } = base();
    const others = await Promise.all([changed, renamed, added, removed].map(async (f) => fingerprintOf(await zipOf(f))));
    for (const other of others) {
      expect(other).not.toBe(one);
      expect(sameFingerprint(one, other)).toBe(false);
    }
    expect(new Set(others).size).toBe(others.length);
  });

  it('covers names, sizes and CRCs only: one size or CRC differing changes it', () => {
    const entries = [{ name: 'x_image1.jpg', size: 10, crc32: 0xdeadbeef }, { name: 'x_image2.jpg', size: 12, crc32: 1 }];
    const fp = zipFingerprint(entries);
    expect(zipFingerprint([...entries].reverse())).toBe(fp);
    expect(zipFingerprint([{ ...entries[0]!, size: 11 }, entries[1]!])).not.toBe(fp);
    expect(zipFingerprint([{ ...entries[0]!, crc32: 0xdeadbeee }, entries[1]!])).not.toBe(fp);
    expect(zipFingerprint([...entries, { name: 'folder/', size: 0, crc32: 0, dir: true }])).toBe(fp);
  });

  it('never matches a missing fingerprint', () => {
    expect(sameFingerprint(undefined, undefined)).toBe(false);
    expect(sameFingerprint('', '')).toBe(false);
    expect(fingerprintEntryCount('something else')).toBeNull();
  });
});
