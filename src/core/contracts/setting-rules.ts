/**
 * The numeric connection settings and what makes a typed value acceptable, declared once: the
 * settings store decides with it whether Run may start, the settings panel shows its sentence, and
 * the CLI reads its number flags (--timeout, --retries, --concurrency, --rate) with it. The clamps
 * below apply the same bounds to a value that was never typed (a stored snapshot, a journalled run,
 * a caller of the job), so a run never goes outside what the panel and the CLI accept.
 */
import {
  DEFAULT_CONCURRENCY, MAX_CONCURRENCY, MAX_RATE_PER_SECOND, MAX_RETRIES, MAX_TIMEOUT_MS, MIN_CONCURRENCY, MIN_TIMEOUT_MS,
} from './defaults.ts';

export type NumericSetting = 'timeout' | 'retries' | 'concurrency' | 'rate';

export interface NumericRule {
  /** The field's label, as the panel shows it. */
  label: string;
  min: number;
  max: number;
  /** Whole numbers only. */
  integer: boolean;
  /** Empty is accepted and means "none" (null). */
  optional: boolean;
}

/** In the panel's order: the first invalid one is the one Run names. */
export const NUMERIC_SETTINGS: Readonly<Record<NumericSetting, NumericRule>> = {
  timeout: { label: 'Timeout (s)', min: MIN_TIMEOUT_MS / 1000, max: MAX_TIMEOUT_MS / 1000, integer: false, optional: false },
  retries: { label: 'Retries', min: 0, max: MAX_RETRIES, integer: true, optional: false },
  concurrency: { label: 'Concurrency', min: MIN_CONCURRENCY, max: MAX_CONCURRENCY, integer: true, optional: false },
  rate: { label: 'Max requests per second', min: 1, max: MAX_RATE_PER_SECOND, integer: true, optional: true },
};

export type SettingReading = { ok: true; value: number | null } | { ok: false; problem: string };

/** What a setting accepts, e.g. "a whole number from 1 to 16" (the panel's and the CLI's sentences). */
export function acceptedRange(field: NumericSetting): string {
  const rule = NUMERIC_SETTINGS[field];
  return `${rule.integer ? 'a whole number' : 'a number'} from ${rule.min} to ${rule.max}`;
}

/** Plain decimal notation: "30", "2.5", ".5" (not "1e3" or "0x10", which Number() would take). */
const DECIMAL = /^(\d+\.?\d*|\.\d+)$/;

/** Reads what the user typed into a numeric setting: its value, or what to enter instead. */
export function readNumericSetting(field: NumericSetting, text: string): SettingReading {
  const rule = NUMERIC_SETTINGS[field];
  const t = text.trim();
  if (t === '' && rule.optional) return { ok: true, value: null };
  const v = DECIMAL.test(t) ? Number(t) : NaN;
  if (Number.isFinite(v) && v >= rule.min && v <= rule.max && (!rule.integer || Number.isInteger(v))) return { ok: true, value: v };
  return { ok: false, problem: `enter ${acceptedRange(field)}${rule.optional ? ', or leave it empty' : ''}` };
}

/** Concurrency as a run uses it: whole, within the rule's bounds; the default when not a number. */
export function clampConcurrency(n: unknown): number {
  const { min, max } = NUMERIC_SETTINGS.concurrency;
  if (typeof n !== 'number' || !Number.isFinite(n)) return DEFAULT_CONCURRENCY;
  return Math.min(max, Math.max(min, Math.floor(n)));
}

/** Max requests per second as a run uses it: whole, at most the rule's maximum; null ("no limit") below its minimum or when not a number. */
export function clampRate(n: unknown): number | null {
  const { min, max } = NUMERIC_SETTINGS.rate;
  if (typeof n !== 'number' || !Number.isFinite(n) || n < min) return null;
  return Math.min(max, Math.floor(n));
}
