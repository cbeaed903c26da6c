/**
 * What a robustness sweep is, as data: the perturbations, their default levels, how a level is
 * written, which image is perturbed, and how many calls a sweep sends. Light (no image code): the
 * settings screen, the CLI's arguments and the pre-flight read it; perturb.ts does the pixels.
 */

export type PerturbationId = 'jpeg' | 'size' | 'blur' | 'brightness' | 'contrast' | 'rotation' | 'noise';

export interface PerturbationInfo {
  id: PerturbationId;
  /** How a person names it ("JPEG quality"). */
  label: string;
  /** Unit after a level in a sentence ("%", " px", "°"); empty for none. */
  unit: string;
  defaults: readonly number[];
  min: number;
  max: number;
  /** What a level means, for help texts and error sentences. */
  help: string;
  /** True when a lower level is the harsher one (JPEG quality, face size). */
  lowerIsHarsher: boolean;
}

export const PERTURBATIONS: Readonly<Record<PerturbationId, PerturbationInfo>> = {
  jpeg: { id: 'jpeg', label: 'JPEG quality', unit: '', defaults: [90, 70, 50, 30, 15], min: 1, max: 100, help: 'JPEG quality 1–100', lowerIsHarsher: true },
  size: { id: 'size', label: 'face size', unit: ' %', defaults: [50, 25, 12.5], min: 1, max: 100, help: 'the longest side scaled to this percentage and back up, 1–100', lowerIsHarsher: true },
  blur: { id: 'blur', label: 'Gaussian blur σ', unit: ' px', defaults: [1, 2, 4], min: 0, max: 50, help: 'Gaussian blur σ in pixels at the image\'s own scale, 0–50', lowerIsHarsher: false },
  brightness: { id: 'brightness', label: 'brightness', unit: ' %', defaults: [-50, -25, 25], min: -100, max: 300, help: 'brightness change in percent, −100 to 300', lowerIsHarsher: false },
  contrast: { id: 'contrast', label: 'contrast', unit: ' %', defaults: [-50, -25, 25], min: -100, max: 300, help: 'contrast change in percent about mid-grey, −100 to 300', lowerIsHarsher: false },
  rotation: { id: 'rotation', label: 'rotation', unit: '°', defaults: [5, 15, 30], min: -180, max: 180, help: 'clockwise rotation in degrees, −180 to 180', lowerIsHarsher: false },
  noise: { id: 'noise', label: 'noise σ', unit: '', defaults: [5, 10, 20], min: 0, max: 128, help: 'Gaussian sensor noise σ on 0–255, 0–128', lowerIsHarsher: false },
};

export const PERTURBATION_IDS = Object.keys(PERTURBATIONS) as PerturbationId[];

/** Which image of each pair is perturbed. */
export type SweepSide = 'image1' | 'image2' | 'both';
export const SWEEP_SIDES: readonly SweepSide[] = ['image2', 'image1', 'both'];

export interface SweepStep {
  perturbation: PerturbationId;
  levels: number[];
}

export interface SweepSettings {
  steps: SweepStep[];
  side: SweepSide;
}

/** One variant of a pair: its perturbation and level. */
export interface VariantSpec {
  perturbation: PerturbationId;
  level: number;
}

/** The separator between a pair's id and its variant ("pair01~jpeg-30"). */
export const VARIANT_SEPARATOR = '~';

/** A level as it is written in ids and sentences: no float noise ("12.5", "-25"). */
export function levelText(level: number): string {
  return String(Math.round(level * 1000) / 1000);
}

export function variantSuffix(v: VariantSpec): string {
  return `${v.perturbation}-${levelText(v.level)}`;
}

/** `<pair_id>~<perturbation>-<level>`. */
export function variantId(pairId: string, v: VariantSpec): string {
  return `${pairId}${VARIANT_SEPARATOR}${variantSuffix(v)}`;
}

/** "JPEG quality 30", "blur σ 2 px", "brightness -25 %". */
export function levelLabel(v: VariantSpec): string {
  const p = PERTURBATIONS[v.perturbation];
  return `${p.label} ${levelText(v.level)}${p.unit}`;
}

/** The variants a sweep makes of each pair, in order (the baseline, the pair itself, not included). */
export function sweepVariants(s: SweepSettings): VariantSpec[] {
  return s.steps.flatMap((step) => step.levels.map((level) => ({ perturbation: step.perturbation, level })));
}

/** Calls per pair: the baseline plus one per variant. */
export function callsPerPair(s: SweepSettings): number {
  return 1 + sweepVariants(s).length;
}

const count = (n: number) => n.toLocaleString('en-US');

/** "100 pairs × 19 variants = 1,900 calls" (the baseline counts as a variant: it is a call too). */
export function sweepCountSentence(pairs: number, s: SweepSettings): string {
  const per = callsPerPair(s);
  return `${count(pairs)} pair${pairs === 1 ? '' : 's'} × ${count(per)} variant${per === 1 ? '' : 's'} = ${count(pairs * per)} call${pairs * per === 1 ? '' : 's'}`;
}

export class SweepSpecError extends Error {}

/**
 * Reads one `--sweep` value: `jpeg=90,50,15`, or just `blur` for the default levels. The error
 * names the value and says what to write.
 */
export function parseSweepStep(text: string): SweepStep {
  const [rawName, rawLevels] = text.split('=', 2) as [string, string | undefined];
  const name = rawName.trim().toLowerCase();
  const info = (PERTURBATIONS as Record<string, PerturbationInfo | undefined>)[name];
  if (!info) {
    throw new SweepSpecError(`"${rawName.trim()}" is not a perturbation. Use one of ${PERTURBATION_IDS.join(', ')}, e.g. jpeg=90,50,15.`);
  }
  return { perturbation: info.id, levels: parseSweepLevels(info.id, rawLevels ?? '', { field: name, example: `${name}=${info.defaults.join(',')}` }) };
}

/**
 * Reads one perturbation's levels, comma-separated ("90, 50, 15"; a trailing % is allowed; empty
 * means its default levels). The error names `where.field` and shows `where.example`: the CLI's
 * `--sweep` and the app's sweep settings both read levels here.
 */
export function parseSweepLevels(id: PerturbationId, text: string, where: { field: string; example: string }): number[] {
  const info = PERTURBATIONS[id];
  if (text.trim() === '') return [...info.defaults];
  const levels: number[] = [];
  for (const part of text.split(',')) {
    const t = part.trim().replace(/\s*%$/, '');
    const v = Number(t);
    if (t === '' || !Number.isFinite(v) || v < info.min || v > info.max) {
      throw new SweepSpecError(`"${part.trim()}" is not a level of ${where.field}: give ${info.help}, separated by commas (e.g. ${where.example}).`);
    }
    if (!levels.includes(v)) levels.push(v);
  }
  return levels;
}

/** Merges steps naming the same perturbation (levels in the order first given). */
export function mergeSteps(steps: readonly SweepStep[]): SweepStep[] {
  const out: SweepStep[] = [];
  for (const s of steps) {
    const same = out.find((o) => o.perturbation === s.perturbation);
    if (same) for (const l of s.levels) { if (!same.levels.includes(l)) same.levels.push(l); }
    else out.push({ perturbation: s.perturbation, levels: [...s.levels] });
  }
  return out;
}

export function parseSweepSide(text: string): SweepSide {
  const t = text.trim().toLowerCase();
  if ((SWEEP_SIDES as readonly string[]).includes(t)) return t as SweepSide;
  throw new SweepSpecError(`"${text}" is not an image to perturb. Use image2 (the selfie, the default), image1 or both.`);
}
