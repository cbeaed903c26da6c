/**
 * The one secrets collector and scrubber: which values are secret (a snapshot's secret
 * credentials, every token renewed during a run), and replacing them with "[redacted]" in what is
 * written (archive, run.json, journal). report.ts, manifest.ts, the journal and the run session
 * all read them from here, so none of them imports another for it.
 */
import type { CallSettings } from '../request/request.ts';
import type { PairRecord } from '../run/records.ts';

export const REDACTED = '[redacted]';

export interface Scrubber {
  (s: string): string;
  /** True when the text holds a secret (raw or JSON-escaped). */
  test(s: string): boolean;
}

/** The secrets that are scrubbed: trimmed, 4+ characters, each once. */
export function secretValues(secrets: readonly string[] = []): string[] {
  return [...new Set(secrets.map((s) => s.trim()).filter((s) => s.length >= 4))];
}

/** Replaces each secret (4+ characters, also in its JSON-escaped form) in a string; null when there are none. */
export function scrubber(secrets: readonly string[] = []): Scrubber | null {
  const list = secretValues(secrets);
  const forms = [...new Set(list.flatMap((s) => [s, JSON.stringify(s).slice(1, -1)]))].sort((a, b) => b.length - a.length);
  if (!forms.length) return null;
  const scrub = ((s: string) => forms.reduce((acc, secret) => acc.split(secret).join(REDACTED), s)) as Scrubber;
  scrub.test = (s: string) => forms.some((f) => s.includes(f));
  return scrub;
}

/** Deep copy of the records with every secret replaced by "[redacted]" in strings and keys. */
export function redactRecords(records: readonly PairRecord[], secrets: readonly string[] = []): PairRecord[] {
  const scrub = scrubber(secrets);
  if (!scrub) return records.slice();
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return scrub(v);
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, val] of Object.entries(v)) out[scrub(k)] = walk(val);
      return out;
    }
    return v;
  };
  // Fast path: only records whose JSON holds a secret are copied.
  return records.map((r) => (scrub.test(JSON.stringify(r)) ? (walk(r) as PairRecord) : r));
}

/** The secret credential values of a snapshot (tokens, client secrets). */
export function snapshotSecrets(s: Pick<CallSettings, 'contract' | 'credentials'>): string[] {
  return s.contract.credentials.filter((c) => c.secret).map((c) => s.credentials[c.key] ?? '').filter((v) => v.trim() !== '');
}

/**
 * Every secret a run has used: those of the snapshot it started with and of each snapshot renewed
 * since (a refreshed or re-typed token). What a run writes is scrubbed with all of them.
 */
export interface SecretsCollector {
  /** Adds a snapshot's secrets (the first one, then each renewed one). */
  add(snapshot: Pick<CallSettings, 'contract' | 'credentials'>): void;
  /** Every secret seen so far, in the order first seen. */
  values(): string[];
}

export function collectSecrets(first?: Pick<CallSettings, 'contract' | 'credentials'>): SecretsCollector {
  const seen = new Set<string>();
  const c: SecretsCollector = {
    add: (s) => { for (const v of snapshotSecrets(s)) seen.add(v); },
    values: () => [...seen],
  };
  if (first) c.add(first);
  return c;
}
