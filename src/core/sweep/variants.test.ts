import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { kwikid } from '../contracts/contracts.ts';
import { reportCard } from '../evaluation/card.ts';
import { evalRows, withOutcomes } from '../evaluation/evaluation.ts';
import { attributeTable } from '../evaluation/input.ts';
import { parseLabels } from '../pairing/labels.ts';
import { Image, encodePng } from 'image-js';
import { bytesPart } from '../request/request.ts';
import { recordForUnreadablePair, recordFromCall } from '../run/records.ts';
import { inThreadMaker, sweepLabels, sweepLabelSet, sweepManifest, sweepPairs, sweepReader, sweepSource, SWEEP_LIBRARIES, variantFingerprint, type VariantInfo } from './variants.ts';

const pairs = [{ pair_id: 'a', image1_path: 'a_image1.png', image2_path: 'a_image2.png' }];
const settings = { steps: [{ perturbation: 'blur' as const, levels: [2] }, { perturbation: 'jpeg' as const, levels: [30] }], side: 'image2' as const };

function png(v: number): Uint8Array {
  const img = new Image(8, 8, { colorModel: 'RGB' });
  img.fill([v, v, v]);
  return encodePng(img);
}

describe('sweep variants', () => {
  it('lists each pair, then its variants, each record naming its base pair and perturbation', () => {
    const list = sweepPairs(pairs, settings);
    expect(list.map((p) => p.pair_id)).toEqual(['a', 'a~blur-2', 'a~jpeg-30']);
    expect(list.map((p) => p.tags)).toEqual([
      { base_pair_id: 'a', perturbation: null },
      { base_pair_id: 'a', perturbation: { name: 'blur', level: 2, side: 'image2' } },
      { base_pair_id: 'a', perturbation: { name: 'jpeg', level: 30, side: 'image2' } },
    ]);
    // A record made for a pair, whatever happened to it, carries its tags after the seed's keys.
    const rec = recordForUnreadablePair(list[2]!, 'x');
    expect(Object.keys(rec).slice(-3)).toEqual(['attempts', 'base_pair_id', 'perturbation']);
    expect(sweepLabels(new Map([['a', 'same' as const]]), list)).toEqual(new Map([['a', 'same'], ['a~blur-2', 'same'], ['a~jpeg-30', 'same']]));
  });

  it('gives each variant its pair\'s label columns too, so the report card\'s groups count the variants', () => {
    const two = [...pairs, { pair_id: 'b', image1_path: 'b_image1.png', image2_path: 'b_image2.png' }];
    const set = parseLabels('pair_id,expected,capture,age_band\na,same,selfie,18-30\nb,different,id_card,\n', { source: 'labels.csv', pairIds: ['a', 'b'] });
    const list = sweepPairs(two, settings);
    const swept = sweepLabelSet(set, list);
    expect(swept.labels).toEqual(sweepLabels(set.labels, list));
    expect(swept.attributes?.columns).toEqual(['capture', 'age_band']);
    expect([...swept.attributes!.values]).toEqual([
      ['a', ['selfie', '18-30']], ['b', ['id_card', '']],
      ['a~blur-2', ['selfie', '18-30']], ['a~jpeg-30', ['selfie', '18-30']], ['b~blur-2', ['id_card', '']], ['b~jpeg-30', ['id_card', '']],
    ]);
    // The records written with these labels carry each pair's cells; the card's capture groups hold 3 pairs each.
    const answered = list.map((p) => recordFromCall(p, { ok: true, status: 200, timeMs: 1, attempts: 1, body: { facematch_result: 'True', confidence_score: 0.9 } }));
    const records = withOutcomes(answered, kwikid, swept.labels, attributeTable(swept.attributes));
    expect(records.map((r) => [r.pair_id, r.label_columns])).toEqual(list.map((p) => [p.pair_id, p.base_pair_id === 'a' ? { capture: 'selfie', age_band: '18-30' } : { capture: 'id_card', age_band: '' }]));
    const card = reportCard(evalRows(records, kwikid, swept.labels), { threshold: null, attributes: attributeTable(swept.attributes)! });
    expect(card.groups.find((g) => g.column === 'capture')!.groups.map((g) => [g.value, g.figures.pairs])).toEqual([['id_card', 3], ['selfie', 3]]);
    // Without other columns, only the labels.
    expect(sweepLabelSet(parseLabels('pair_id,expected\na,same\n', { source: 'l.csv', pairIds: ['a'] }), list).attributes).toBeUndefined();
  });

  it('perturbs only the chosen side, renames a PNG sent as JPEG, and reports each variant with its fingerprint', async () => {
    const one = png(10), two = png(200);
    const made: VariantInfo[] = [];
    const read = sweepReader({ readPair: async () => [bytesPart('a_image1.png', one, 'image/png'), bytesPart('a_image2.png', two, 'image/png')], side: 'image2', make: inThreadMaker(), onVariant: (v) => made.push(v) });
    const list = sweepPairs(pairs, settings);
    const [b1, b2] = await read(list[0]!);
    expect([b1.bytes, b2.bytes]).toEqual([one, two]);
    const [j1, j2] = await read(list[2]!);
    expect(j1.bytes).toBe(one);
    expect([j2.name, j2.type, j2.bytes![0]]).toEqual(['a_image2.jpg', 'image/jpeg', 0xff]);
    expect(made).toEqual([expect.objectContaining({ pair_id: 'a~jpeg-30', base_pair_id: 'a', perturbation: 'jpeg', level: 30, fingerprint: expect.stringMatching(/^sha256-[0-9a-f]{64}$/) })]);
  });

  it('a variant\'s record carries its fingerprint, and run.json\'s variants are read from the records (those of an earlier page included)', async () => {
    const one = png(10), two = png(200);
    const source = sweepSource({ pairs, readPair: async () => [bytesPart('a_image1.png', one, 'image/png'), bytesPart('a_image2.png', two, 'image/png')] }, settings, inThreadMaker());
    const answered = (i: number) => recordFromCall(source.pairs[i]!, { ok: true, status: 200, timeMs: 1, attempts: 1, body: {} });
    await source.readPair(source.pairs[0]!);
    const [, sent] = await source.readPair(source.pairs[2]!);
    const baseline = source.tag(answered(0));
    const jpeg = source.tag(answered(2));
    const fingerprint = variantFingerprint(one, sent.bytes!);
    expect(baseline).not.toHaveProperty('fingerprint');
    expect(Object.keys(jpeg).slice(-3)).toEqual(['base_pair_id', 'perturbation', 'fingerprint']);
    expect(jpeg).toMatchObject({ pair_id: 'a~jpeg-30', fingerprint });
    // a~blur-2 was journalled by the page before a reload (its record has its fingerprint); this page did not make it.
    const blur = { ...answered(1), fingerprint: 'sha256-earlier' };
    expect(source.tag(blur)).toBe(blur);
    const manifest = source.manifest([baseline, blur, jpeg]);
    expect(manifest.variants).toEqual([
      { pair_id: 'a~blur-2', base_pair_id: 'a', perturbation: 'blur', level: 2, fingerprint: 'sha256-earlier' },
      { pair_id: 'a~jpeg-30', base_pair_id: 'a', perturbation: 'jpeg', level: 30, fingerprint },
    ]);
    // A variant never made (not_run) is in the records, not in run.json's variants.
    expect(sweepManifest(settings, [baseline, recordForUnreadablePair(source.pairs[1]!, 'x')]).variants).toEqual([]);
  });

  it('says which file could not be made into a variant', async () => {
    const read = sweepReader({ readPair: async () => [bytesPart('a_image1.png', png(1), 'image/png'), bytesPart('a_image2.png', new Uint8Array([1, 2, 3]), 'image/png')], side: 'both', make: inThreadMaker() });
    await expect(read(sweepPairs(pairs, settings)[1]!)).rejects.toThrow('a_image2.png is neither a JPEG nor a PNG image, so no variant can be made from it: the Gaussian blur σ variant could not be made.');
  });

  it('run.json names the versions of the image libraries actually installed', () => {
    // The packages image-js itself resolves (its own copies first, then the top level).
    const imageJs = path.resolve('node_modules/image-js');
    for (const [name, version] of Object.entries(SWEEP_LIBRARIES)) {
      const own = path.join(imageJs, 'node_modules', name, 'package.json');
      const file = name !== 'image-js' && existsSync(own) ? own : path.resolve('node_modules', name, 'package.json');
      expect((JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version, name).toBe(version);
    }
  });
});
