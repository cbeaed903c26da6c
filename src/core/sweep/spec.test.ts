import { describe, expect, it } from 'vitest';
import { levelLabel, mergeSteps, parseSweepSide, parseSweepStep, sweepCountSentence, SweepSpecError, sweepVariants, variantId, PERTURBATION_IDS, PERTURBATIONS } from './spec.ts';

describe('sweep settings', () => {
  it('reads --sweep values, with the default levels when none are given', () => {
    expect(parseSweepStep('jpeg=90,50,15')).toEqual({ perturbation: 'jpeg', levels: [90, 50, 15] });
    expect(parseSweepStep('blur')).toEqual({ perturbation: 'blur', levels: [1, 2, 4] });
    expect(parseSweepStep('brightness=-50%,25')).toEqual({ perturbation: 'brightness', levels: [-50, 25] });
    expect(parseSweepStep('size=12.5')).toEqual({ perturbation: 'size', levels: [12.5] });
  });

  it('names the value and says what to write when it is wrong', () => {
    expect(() => parseSweepStep('sharpen=2')).toThrow(SweepSpecError);
    expect(() => parseSweepStep('sharpen=2')).toThrow(/"sharpen" is not a perturbation. Use one of jpeg, size/);
    expect(() => parseSweepStep('jpeg=90,abc')).toThrow(/"abc" is not a level of jpeg: give JPEG quality 1–100/);
    expect(() => parseSweepStep('jpeg=0')).toThrow(/"0" is not a level of jpeg/);
    expect(() => parseSweepSide('selfie')).toThrow(/"selfie" is not an image to perturb/);
    expect(parseSweepSide('Both')).toBe('both');
  });

  it('counts the calls before a run: every pair once as it is, once per variant', () => {
    const steps = PERTURBATION_IDS.map((id) => ({ perturbation: id, levels: [...PERTURBATIONS[id].defaults] }));
    // The defaults without contrast: 5 + 3 + 3 + 3 + 3 + 3 = 20 variants, 21 calls per pair.
    expect(sweepCountSentence(100, { steps: steps.filter((s) => s.perturbation !== 'contrast'), side: 'image2' })).toBe('100 pairs × 21 variants = 2,100 calls');
    expect(sweepCountSentence(4, { steps: [parseSweepStep('jpeg=90,50,15')], side: 'image2' })).toBe('4 pairs × 4 variants = 16 calls');
  });

  it('names variants <pair_id>~<perturbation>-<level> and merges repeated perturbations', () => {
    const s = { steps: mergeSteps([parseSweepStep('jpeg=90'), parseSweepStep('blur=2'), parseSweepStep('jpeg=30,90')]), side: 'image2' as const };
    expect(sweepVariants(s).map((v) => variantId('p01', v))).toEqual(['p01~jpeg-90', 'p01~jpeg-30', 'p01~blur-2']);
    expect(variantId('a/b', { perturbation: 'brightness', level: -25 })).toBe('a/b~brightness--25');
    expect(levelLabel({ perturbation: 'jpeg', level: 30 })).toBe('JPEG quality 30');
    expect(levelLabel({ perturbation: 'size', level: 12.5 })).toBe('face size 12.5 %');
  });
});
