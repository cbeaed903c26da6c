/**
 * Face-match API contracts, as data.
 *
 * Everything that differs between vendors lives here: the endpoint path, the multipart field
 * names, which credentials the user supplies and which headers they become, how to get a token,
 * and where the verdict, the confidence and the error message sit in a response body.
 * The browser (Single and Bulk), the reference server and the tests all read these objects;
 * no other module may branch on a provider id.
 */
import { PRESET_IDS } from '../providers/emulation.ts';
import { deepvue, kwikid } from '../providers/presets.ts';
import type { AnswerRule, CredentialKey, JsonPath, ProviderContract } from '../providers/types.ts';

export * from '../providers/types.ts';
export { kwikid, deepvue, PRESET_ENTRIES, PROVIDER_GROUPS, type PresetEntry } from '../providers/presets.ts';

/** Definitions the user loaded (Custom…, --provider-file), looked up like the presets. */
const custom = new Map<string, ProviderContract>();

/** The preset definitions loaded so far: KwikID and Deepvue at once, the others once registered (presets-loader.ts). */
const loaded = new Map<string, ProviderContract>([[kwikid.id, kwikid], [deepvue.id, deepvue]]);
const loadedList: ProviderContract[] = [];
function refreshList(): void {
  loadedList.splice(0, loadedList.length, ...PRESET_IDS.flatMap((id) => loaded.get(id) ?? []));
}
refreshList();

/** The loaded presets, in the Provider select's order (all nine once loadPresets() has resolved). */
export const contracts: readonly ProviderContract[] = loadedList;

/** Makes the vendor presets' definitions findable (loadPresets() in presets-loader.ts, or a static import in Node and the worker). */
export function registerPresets(list: readonly ProviderContract[]): void {
  for (const c of list) if ((PRESET_IDS as readonly string[]).includes(c.id)) loaded.set(c.id, c);
  refreshList();
}

/** True when contractById(id) answers now, without loadPresets(). */
export function isContractLoaded(id: string): boolean {
  return loaded.has(id) || custom.has(id);
}

export type ProviderId = string;

/** Makes a validated definition findable by its id (replacing an earlier one with that id). */
export function registerDefinition(def: ProviderContract): void {
  if ((PRESET_IDS as readonly string[]).includes(def.id)) throw new Error(`"${def.id}" is a preset's id; give the definition its own id.`);
  custom.set(def.id, def);
}

/** Forgets a custom definition (a preset stays). */
export function unregisterDefinition(id: string): void {
  custom.delete(id);
}

/** The custom definitions registered so far. */
export function customDefinitions(): ProviderContract[] {
  return [...custom.values()];
}

/** A loaded definition by id (a vendor preset only after loadPresets(); see loadContract). */
export function contractById(id: string): ProviderContract {
  const found = loaded.get(id) ?? custom.get(id);
  if (found) return found;
  if ((PRESET_IDS as readonly string[]).includes(id)) throw new Error(`The provider "${id}" is not loaded yet; load it with loadContract("${id}") (presets-loader.ts).`);
  throw new Error(`Unknown provider "${id}". Known: ${[...PRESET_IDS, ...custom.keys()].join(', ')}.`);
}

/** Reads a value at a JSON path; undefined when any step is missing. */
export function readPath(body: unknown, path: JsonPath): unknown {
  let cur: unknown = body;
  for (const key of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}

export interface Verdict {
  match: boolean;
  /** The score exactly as the API sent it (0–1 or 0–100 by contract). */
  rawConfidence: number | null;
  /** Score on a 0–1 scale. */
  confidence: number | null;
  credits: number | null;
  /** The threshold on a 0–1 scale, when the definition has one (fixed or read from the answer). */
  threshold?: number | null;
}

/** The threshold of an answer on the score's own scale; null when the definition has none or the answer lacks it. */
export function readThreshold(contract: ProviderContract, body: unknown): number | null {
  const t = contract.threshold;
  if (!t) return null;
  if (t.path) return toNumber(readPath(body, t.path));
  return typeof t.value === 'number' ? t.value : null;
}

/**
 * Reads the verdict from a 2xx body; null when the body does not carry one. Without a verdict
 * path, the verdict is score >= threshold (both on the score's scale).
 */
export function readVerdict(contract: ProviderContract, body: unknown): Verdict | null {
  const score = contract.confidence;
  const raw = score ? toNumber(readPath(body, score.path)) : null;
  const rawThreshold = contract.threshold ? readThreshold(contract, body) : undefined;
  let match: boolean;
  if (contract.verdict.path) {
    const v = readPath(body, contract.verdict.path);
    if (v === undefined || v === null) return null;
    const want = contract.verdict.matchValue ?? true;
    match = typeof want === 'string' ? String(v).toLowerCase() === want.toLowerCase() : v === want;
  } else {
    if (raw === null || rawThreshold === null || rawThreshold === undefined) return null;
    match = raw >= rawThreshold;
  }
  const credits = contract.credits ? toNumber(readPath(body, contract.credits.path)) : null;
  return {
    match,
    rawConfidence: raw,
    confidence: raw === null || !score ? null : normaliseConfidence(raw, score.scale),
    credits,
    ...(rawThreshold !== undefined
      ? { threshold: rawThreshold === null || !score ? null : normaliseConfidence(rawThreshold, score.scale) }
      : {}),
  };
}

/** Where a definition reads its verdict, for a sentence: `facematch_result`, or `confidence >= thresholds.1e-4`. */
export function verdictSource(contract: ProviderContract): string {
  if (contract.verdict.path) return contract.verdict.path.join('.');
  const t = contract.threshold;
  return `${contract.confidence?.path.join('.') ?? 'score'} >= ${t?.path ? t.path.join('.') : String(t?.value ?? 'threshold')}`;
}

/** True when an answer meets a rule: every part the rule gives holds. */
export function matchesRule(rule: AnswerRule, status: number | null, body: unknown): boolean {
  if (rule.status && (status === null || !rule.status.includes(status))) return false;
  if (!rule.path) return rule.status !== undefined;
  const v = rule.path.length ? readPath(body, rule.path) : body;
  if (rule.empty !== undefined && isEmpty(v) !== rule.empty) return false;
  if (rule.equals !== undefined) {
    const same = typeof rule.equals === 'string' ? v !== undefined && v !== null && String(v).toLowerCase() === rule.equals.toLowerCase() : v === rule.equals;
    if (!same) return false;
  }
  if (rule.contains !== undefined) {
    const text = typeof v === 'string' ? v : v === undefined ? '' : JSON.stringify(v);
    if (!text.toLowerCase().includes(rule.contains.toLowerCase())) return false;
  }
  return true;
}

function isEmpty(v: unknown): boolean {
  if (v === undefined || v === null || v === '') return true;
  if (Array.isArray(v)) return v.length === 0;
  if (typeof v === 'object') return Object.keys(v).length === 0;
  return false;
}

/** True when the answer says no face was found (the definition's no-face rules). */
export function isNoFace(contract: ProviderContract, status: number | null, body: unknown): boolean {
  return (contract.noFace ?? []).some((r) => matchesRule(r, status, body));
}

/** The vendor's transaction id in an answer, when the definition says where it sits. */
export function readTransactionId(contract: ProviderContract, body: unknown): string | null {
  if (!contract.transactionIdPath) return null;
  const v = readPath(body, contract.transactionIdPath);
  return typeof v === 'string' || typeof v === 'number' ? String(v) : null;
}

/**
 * Confidence on a 0–1 scale. Rounded to 12 significant digits so that 83.96 / 100 gives 0.8396,
 * not 0.8395999999999999 (far below any precision an API reports).
 */
export function normaliseConfidence(raw: number, scale: number): number {
  const n = Number((raw / scale).toPrecision(12));
  return Math.min(1, Math.max(0, n));
}

function toNumber(v: unknown): number | null {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return null;
}

/**
 * Finds a readable message in an error body: `{"msg"}`, `{"detail","message"}`,
 * `{"detail": "..."}` or a FastAPI-style `{"detail": [{"loc": [...], "msg": "..."}]}`.
 */
export function readErrorMessage(contract: ProviderContract, body: unknown): string | undefined {
  for (const path of contract.errorMessagePaths) {
    const text = describe(readPath(body, path));
    if (text) return text;
  }
  return undefined;
}

function describe(v: unknown): string | undefined {
  if (typeof v === 'string') return v.trim() || undefined;
  if (Array.isArray(v)) {
    const parts = v.map((item) => {
      if (item && typeof item === 'object' && 'msg' in item) {
        const loc = Array.isArray((item as { loc?: unknown }).loc) ? (item as { loc: unknown[] }).loc.join('.') : '';
        return `${loc ? `${loc}: ` : ''}${String((item as { msg: unknown }).msg)}`;
      }
      return typeof item === 'string' ? item : undefined;
    }).filter((s): s is string => Boolean(s));
    return parts.length ? parts.join('; ') : undefined;
  }
  return undefined;
}

/** Builds the request headers for a contract from the user's credentials. Empty credentials send no header. */
export function buildHeaders(contract: ProviderContract, creds: Partial<Record<CredentialKey, string>>): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const rule of contract.headers) {
    const value = creds[rule.from]?.trim();
    if (value) headers[rule.name] = `${rule.prefix ?? ''}${value}`;
  }
  return headers;
}

/** Joins a base URL and a path without doubling or dropping the slash. */
/** The URL a definition's main call goes to: its path under the Base URL. */
export function endpointUrl(contract: Pick<ProviderContract, 'path'>, baseUrl: string): string {
  return joinUrl(baseUrl, contract.path);
}

export function joinUrl(baseUrl: string, path: string): string {
  return `${baseUrl.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
}
