/**
 * A sweep as a bulk run: each loaded pair becomes its baseline (the pair as it is, same id) then
 * one variant pair per perturbation level, `<pair_id>~<perturbation>-<level>`, each sent like any
 * other pair (the job, journal, resume and archive are unchanged). A variant's images are made
 * when the job reads the pair, by a `VariantMaker`: perturb.ts in this thread (the CLI), or the
 * same code in a worker (the browser).
 *
 * Each record names what it is: `base_pair_id` and `perturbation` ({name, level, side}; null for
 * the baseline) are appended after the seed's keys (the pair's `tags`, records.ts), whatever happens
 * to the pair, and a variant that was made and sent adds its `fingerprint`. run.json gets a `sweep`
 * section (settings, the image libraries and their versions, and every variant's fingerprint, read
 * from the records: a resumed or re-run sweep lists those sent before too).
 */
import { sha256 } from '@noble/hashes/sha256';
import { bytesToHex } from '@noble/hashes/utils';
import type { Expected, LabelSet } from '../pairing/labels.ts';
import type { PairEntry, PairRecord } from '../run/records.ts';
import { bytesPart, type ImagePart } from '../request/request.ts';
import { callsPerPair, PERTURBATIONS, sweepVariants, variantId, type PerturbationId, type SweepSettings, type SweepSide, type VariantSpec } from './spec.ts';

/**
 * The image libraries a variant's bytes depend on, at the versions installed (a test holds these
 * to node_modules, so run.json cannot claim versions that did not make the bytes).
 */
export const SWEEP_LIBRARIES: Readonly<Record<string, string>> = {
  'image-js': '1.7.0',
  'jpeg-js': '0.4.4',
  'fast-png': '8.0.0',
  'pure-rand': '8.4.2',
};

/** A pair of a sweep: the loaded pair, or one of its variants. Its `tags` go into each of its records. */
export interface SweepPair extends PairEntry {
  base_pair_id: string;
  /** null for the baseline (the pair as loaded). */
  variant: VariantSpec | null;
  tags: SweepRecordFields;
}

/** What a record of a sweep says about itself (appended after the seed's keys). */
export interface SweepRecordFields {
  base_pair_id: string;
  perturbation: { name: PerturbationId; level: number; side: SweepSide } | null;
  /** A variant that was made: the fingerprint of the two images it sent (variantFingerprint). */
  fingerprint?: string;
}

/** Every loaded pair, then its variants, pair by pair (a stopped sweep has whole pairs first). */
export function sweepPairs(pairs: readonly PairEntry[], settings: SweepSettings): SweepPair[] {
  const variants = sweepVariants(settings);
  const side = settings.side;
  return pairs.flatMap((p) => [
    { ...p, base_pair_id: p.pair_id, variant: null, tags: { base_pair_id: p.pair_id, perturbation: null } },
    ...variants.map((v) => ({
      ...p, pair_id: variantId(p.pair_id, v), base_pair_id: p.pair_id, variant: v,
      tags: { base_pair_id: p.pair_id, perturbation: { name: v.perturbation, level: v.level, side } },
    })),
  ]);
}

/** The sweep fields of a record, when it has them. */
export function sweepFieldsOf(rec: PairRecord): SweepRecordFields | null {
  const r = rec as PairRecord & Partial<SweepRecordFields>;
  if (typeof r.base_pair_id !== 'string' || r.perturbation === undefined) return null;
  return { base_pair_id: r.base_pair_id, perturbation: r.perturbation, ...(typeof r.fingerprint === 'string' ? { fingerprint: r.fingerprint } : {}) };
}

/** Labels for a sweep: each variant inherits its base pair's label (the same two people). */
export function sweepLabels(labels: ReadonlyMap<string, Expected>, pairs: readonly SweepPair[]): Map<string, Expected> {
  const out = new Map(labels);
  for (const p of pairs) {
    const e = labels.get(p.base_pair_id);
    if (e && p.variant) out.set(p.pair_id, e);
  }
  return out;
}

/**
 * A labels file made a sweep's: each variant labelled as its pair, with its pair's other columns
 * (subjects, groups) too, so the report card's groups and subject intervals count the variants.
 */
export function sweepLabelSet(set: LabelSet, pairs: readonly SweepPair[]): LabelSet {
  const labels = sweepLabels(set.labels, pairs);
  if (!set.attributes) return { ...set, labels };
  const values = new Map(set.attributes.values);
  for (const p of pairs) {
    const row = set.attributes.values.get(p.base_pair_id);
    if (row && p.variant) values.set(p.pair_id, row);
  }
  return { ...set, labels, attributes: { columns: set.attributes.columns, values } };
}

/** Makes one image's variant: bytes in, bytes and format out. */
export type VariantMaker = (bytes: Uint8Array, v: VariantSpec) => Promise<{ bytes: Uint8Array; format: 'jpeg' | 'png' }>;

/** perturb.ts in this thread, loaded on first use. */
export function inThreadMaker(): VariantMaker {
  let mod: Promise<typeof import('./perturb.ts')> | undefined;
  return async (bytes, v) => {
    mod ??= import('./perturb.ts');
    const { perturbImage } = await mod;
    return perturbImage(bytes, v.perturbation, v.level);
  };
}

/** A variant's fingerprint: SHA-256 over the two images it sends, image1 then image2. */
export function variantFingerprint(one: Uint8Array, two: Uint8Array): string {
  return `sha256-${bytesToHex(sha256.create().update(one).update(two).digest())}`;
}

export interface VariantInfo {
  pair_id: string;
  base_pair_id: string;
  perturbation: PerturbationId;
  level: number;
  fingerprint: string;
}

/** run.json's `sweep` section. */
export interface SweepManifest {
  perturbations: { name: PerturbationId; label: string; levels: number[] }[];
  side: SweepSide;
  libraries: Record<string, string>;
  /** Every variant made and sent (its record has a fingerprint), in input order. */
  variants: VariantInfo[];
}

const partBytes = async (p: ImagePart): Promise<Uint8Array> => p.bytes ?? new Uint8Array(await p.data.arrayBuffer());

function renamed(name: string, format: 'jpeg' | 'png'): string {
  const ext = format === 'png' ? 'png' : 'jpg';
  const dot = name.lastIndexOf('.');
  const stem = dot > 0 ? name.slice(0, dot) : name;
  const had = dot > 0 ? name.slice(dot + 1).toLowerCase() : '';
  return (format === 'jpeg' && (had === 'jpg' || had === 'jpeg')) || (format === 'png' && had === 'png') ? name : `${stem}.${ext}`;
}

/** A problem making a variant: the job turns it into a not_run record with this sentence. */
export class VariantError extends Error {
  override name = 'VariantError';
}

/**
 * The reader a sweep's job uses: the baseline reads the pair as it is; a variant reads its base
 * pair and perturbs the chosen side(s). `onVariant` receives each variant's fingerprint.
 */
export function sweepReader(o: {
  readPair: (pair: PairEntry) => Promise<[ImagePart, ImagePart]>;
  side: SweepSide;
  make: VariantMaker;
  onVariant?: (info: VariantInfo) => void;
}): (pair: PairEntry) => Promise<[ImagePart, ImagePart]> {
  return async (entry) => {
    const pair = entry as SweepPair;
    const parts = await o.readPair(pair);
    const v = pair.variant;
    if (!v) return parts;
    const out: ImagePart[] = [];
    for (const [k, part] of parts.entries()) {
      const side = k === 0 ? 'image1' : 'image2';
      if (o.side !== 'both' && o.side !== side) {
        out.push(part);
        continue;
      }
      let made;
      try {
        made = await o.make(await partBytes(part), v);
      } catch (err) {
        const why = err instanceof Error ? err.message : String(err);
        throw new VariantError(`${side === 'image1' ? pair.image1_path : pair.image2_path} ${why}: the ${PERTURBATIONS[v.perturbation].label} variant could not be made.`);
      }
      out.push(bytesPart(renamed(part.name, made.format), made.bytes, made.format === 'png' ? 'image/png' : 'image/jpeg'));
    }
    const [one, two] = out as [ImagePart, ImagePart];
    o.onVariant?.({
      pair_id: pair.pair_id, base_pair_id: pair.base_pair_id, perturbation: v.perturbation, level: v.level,
      fingerprint: variantFingerprint(await partBytes(one), await partBytes(two)),
    });
    return [one, two];
  };
}

/** Every variant the records say was made (they carry its fingerprint), in the records' order. */
export function sweepVariantsOf(records: readonly PairRecord[]): VariantInfo[] {
  const variants: VariantInfo[] = [];
  for (const rec of records) {
    const f = sweepFieldsOf(rec);
    if (!f?.perturbation || f.fingerprint === undefined) continue;
    variants.push({ pair_id: rec.pair_id, base_pair_id: f.base_pair_id, perturbation: f.perturbation.name, level: f.perturbation.level, fingerprint: f.fingerprint });
  }
  return variants;
}

/** run.json's sweep section from the settings and the records: every variant made, in the records' order. */
export function sweepManifest(settings: SweepSettings, records: readonly PairRecord[]): SweepManifest {
  const variants = sweepVariantsOf(records);
  return {
    perturbations: settings.steps.map((s) => ({ name: s.perturbation, label: PERTURBATIONS[s.perturbation].label, levels: [...s.levels] })),
    side: settings.side,
    libraries: { ...SWEEP_LIBRARIES },
    variants,
  };
}

/**
 * What a run session needs of a sweep besides its pairs: each record of a variant this run made
 * gets its fingerprint, and run.json's section is read from the records when the run ends.
 */
export interface SweepHooks {
  tag: (record: PairRecord) => PairRecord;
  manifest: (records: readonly PairRecord[]) => SweepManifest;
}

/**
 * A run's input made a sweep: the pairs it sends, how each is read, the labels its variants
 * inherit and run.json's section. The CLI and the browser both hand this to the run session, so
 * both send the same pairs and write the same archive; only the VariantMaker differs (this thread,
 * or a worker).
 */
export interface SweepSource extends SweepHooks {
  settings: SweepSettings;
  pairs: SweepPair[];
  readPair: (pair: PairEntry) => Promise<[ImagePart, ImagePart]>;
  /** The loaded pairs' labels, with each variant labelled as its pair and given its pair's other columns. */
  labels: (set: LabelSet) => LabelSet;
  /** Loaded pairs left out (index among the loaded pairs → reason): the same for each of their variants. */
  excluded: (byLoaded: ReadonlyMap<number, string>) => Map<number, string>;
}

export function sweepSource(
  base: { pairs: readonly PairEntry[]; readPair: (pair: PairEntry) => Promise<[ImagePart, ImagePart]> },
  settings: SweepSettings,
  make: VariantMaker,
): SweepSource {
  const pairs = sweepPairs(base.pairs, settings);
  const made = new Map<string, VariantInfo>();
  return {
    settings,
    pairs,
    readPair: sweepReader({ readPair: base.readPair, side: settings.side, make, onVariant: (v) => made.set(v.pair_id, v) }),
    labels: (set) => sweepLabelSet(set, pairs),
    tag: (record) => {
      const v = made.get(record.pair_id);
      return v ? { ...record, fingerprint: v.fingerprint } : record;
    },
    manifest: (records) => sweepManifest(settings, records),
    excluded: (byLoaded) => {
      const per = callsPerPair(settings);
      const out = new Map<number, string>();
      for (const [i, why] of byLoaded) for (let k = 0; k < per; k++) out.set(i * per + k, why);
      return out;
    },
  };
}
