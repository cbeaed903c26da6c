/**
 * The Bulk panel's robustness sweep settings — screen state: whether the sweep is on, which
 * perturbations are picked, their level text as typed, and which image is perturbed. What a level
 * may be, the defaults, the count and the variants are core's (core/sweep/spec.ts): the text is
 * read with the parser the CLI's --sweep uses. A run reads `sweepForRun` once, when Run is pressed.
 */
import { create, type StoreApi, type UseBoundStore } from 'zustand';
import {
  levelText, parseSweepLevels, PERTURBATION_IDS, PERTURBATIONS, sweepCountSentence, SweepSpecError,
  type PerturbationId, type SweepSettings, type SweepSide,
} from '../core/sweep/spec.ts';

export interface SweepState {
  on: boolean;
  picked: Readonly<Record<PerturbationId, boolean>>;
  /** Each perturbation's levels as typed (its defaults until changed). */
  levels: Readonly<Record<PerturbationId, string>>;
  side: SweepSide;
  setOn: (on: boolean) => void;
  pick: (id: PerturbationId, on: boolean) => void;
  setLevels: (id: PerturbationId, text: string) => void;
  setSide: (side: SweepSide) => void;
}

/** A perturbation's default levels as the field shows them ("90, 70, 50, 30, 15"). */
export function defaultLevelsText(id: PerturbationId): string {
  return PERTURBATIONS[id].defaults.map(levelText).join(', ');
}

const each = <T>(f: (id: PerturbationId) => T) => Object.fromEntries(PERTURBATION_IDS.map((id) => [id, f(id)])) as Record<PerturbationId, T>;

export interface SweepReading {
  /** The sweep a run would send; null when the sweep is off or its settings have a problem. */
  settings: SweepSettings | null;
  /** Each problem in a sentence, with the perturbation whose field it is about (null: the whole sweep). */
  problems: { id: PerturbationId | null; sentence: string }[];
}

const OFF: SweepReading = { settings: null, problems: [] };
const readings = new WeakMap<object, SweepReading>();

/** The settings as core reads them (the same object for the same state, so it can be a selector). */
export function readSweep(s: Pick<SweepState, 'on' | 'picked' | 'levels' | 'side'>): SweepReading {
  if (!s.on) return OFF;
  const cached = readings.get(s);
  if (cached) return cached;
  const problems: SweepReading['problems'] = [];
  const steps = [];
  for (const id of PERTURBATION_IDS) {
    if (!s.picked[id]) continue;
    try {
      steps.push({ perturbation: id, levels: parseSweepLevels(id, s.levels[id], { field: PERTURBATIONS[id].label, example: defaultLevelsText(id) }) });
    } catch (err) {
      if (!(err instanceof SweepSpecError)) throw err;
      problems.push({ id, sentence: err.message });
    }
  }
  if (steps.length === 0 && problems.length === 0) {
    problems.push({ id: null, sentence: 'The robustness sweep has no perturbation picked: tick at least one (for example JPEG quality), or turn the sweep off.' });
  }
  const reading = { settings: problems.length ? null : { steps, side: s.side }, problems };
  readings.set(s, reading);
  return reading;
}

/** Why Run cannot start a sweep (the first problem), or null. */
export const selectSweepBlocker = (s: SweepState): string | null => readSweep(s).problems[0]?.sentence ?? null;

/** The pre-flight's call count for `pairs` loaded pairs ("100 pairs × 19 variants = 1,900 calls"); null without a sweep. */
export function sweepCount(pairs: number, s: SweepState): string | null {
  const { settings } = readSweep(s);
  return settings ? sweepCountSentence(pairs, settings) : null;
}

export type SweepStore = UseBoundStore<StoreApi<SweepState>>;

export function createSweepStore(): SweepStore {
  return create<SweepState>()((set, get) => ({
    on: false,
    picked: each(() => false),
    levels: each(defaultLevelsText),
    side: 'image2',
    setOn: (on) => set({ on }),
    pick: (id, on) => set({ picked: { ...get().picked, [id]: on } }),
    setLevels: (id, text) => set({ levels: { ...get().levels, [id]: text } }),
    setSide: (side) => set({ side }),
  }));
}

export const useSweepStore = createSweepStore();

/** The sweep settings a run sends, read when Run is pressed (null: no sweep). */
export const sweepForRun = (): SweepSettings | null => readSweep(useSweepStore.getState()).settings;
