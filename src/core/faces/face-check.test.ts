import { describe, expect, it } from 'vitest';
import { checkFaces } from './face-check.ts';
import { excludedFromFlags } from '../pairing/preflight.ts';
import type { FacesReport } from './faces.ts';
import type { PairEntry } from '../run/records.ts';

const report = (n: number): FacesReport => ({
  width: 100, height: 100, faces: Array.from({ length: n }, (_, i) => ({ box: { x: i * 30, y: 0, width: 20 + i, height: 20 }, score: 0.9 })), used: n ? n - 1 : null,
});
const pairs: PairEntry[] = ['p1', 'p2', 'p3', 'p4'].map((id) => ({ pair_id: id, image1_path: `${id}_image1.jpg`, image2_path: `${id}_image2.jpg` }));
/** Faces per image name: p2's image2 has none, p3's image1 has two; p4's image1 cannot be read by the detector. */
const faces: Record<string, number | null> = { p2_image2: 0, p3_image1: 2, p4_image1: null };
const readPair = async (p: PairEntry) => [
  { name: p.image1_path, data: new Blob(['1']) },
  { name: p.image2_path, data: new Blob(['2']) },
] as [{ name: string; data: Blob }, { name: string; data: Blob }];
const detect = async (part: { name: string }) => {
  const n = faces[part.name.replace('.jpg', '')];
  return n === null ? null : report(n ?? 1);
};

describe('Check faces', () => {
  it('flags pairs with an image of 0 or >1 faces, naming the image; counts the ones it could not check', async () => {
    const progress: number[] = [];
    const r = await checkFaces({ pairs, readPair, detect, onProgress: (done) => progress.push(done) });
    expect(r).toEqual({
      checked: 3,
      unknown: 1,
      stopped: false,
      flags: [
        { index: 1, pair_id: 'p2', source: 'faces', reason: 'No face found in p2_image2.jpg.' },
        { index: 2, pair_id: 'p3', source: 'faces', reason: '2 faces found in p3_image1.jpg.' },
      ],
    });
    expect(progress).toEqual([1, 2, 3, 4]);
    expect([...excludedFromFlags(r.flags)]).toEqual([
      [1, 'Not sent: excluded before the run (Exclude flagged pairs). No face found in p2_image2.jpg.'],
      [2, 'Not sent: excluded before the run (Exclude flagged pairs). 2 faces found in p3_image1.jpg.'],
    ]);
  });

  it('stops between pairs when the signal aborts', async () => {
    const controller = new AbortController();
    const r = await checkFaces({ pairs, readPair, detect, signal: controller.signal, onProgress: (done) => { if (done === 2) controller.abort(); } });
    expect(r.stopped).toBe(true);
    expect(r.checked).toBe(2);
    expect(r.flags.map((f) => f.pair_id)).toEqual(['p2']);
  });
});
