/**
 * The reference server's face detector (POST /faces on the page's own origin): the call, the
 * answer's shape, and the sentence a user sees before a run when an image has no face or several.
 * Used by Single previews and by Bulk "Check faces"; nothing here talks to a vendor.
 */
import { kwikid, type ProviderContract } from '../contracts/contracts.ts';
import { DEFAULT_TOKEN } from '../contracts/defaults.ts';

export const FACES_PATH = '/faces';
export const FACES_FIELD = 'image';

export interface FaceBoxReport { x: number; y: number; width: number; height: number }
export interface FacesReport {
  width: number;
  height: number;
  faces: { box: FaceBoxReport; score: number }[];
  /** Index of the face the reference engine compares (the largest), null when there is none. */
  used: number | null;
}

const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** The body of a 200 from POST /faces, or null when it is not that shape. */
export function parseFacesReport(body: unknown): FacesReport | null {
  if (!body || typeof body !== 'object') return null;
  const b = body as Record<string, unknown>;
  if (!isNum(b.width) || !isNum(b.height) || !Array.isArray(b.faces)) return null;
  const faces: FacesReport['faces'] = [];
  for (const f of b.faces as unknown[]) {
    const box = (f as { box?: Record<string, unknown> } | null)?.box;
    const score = (f as { score?: unknown } | null)?.score;
    if (!box || !isNum(box.x) || !isNum(box.y) || !isNum(box.width) || !isNum(box.height) || !isNum(score)) return null;
    faces.push({ box: { x: box.x, y: box.y, width: box.width, height: box.height }, score });
  }
  const used = b.used === null ? null : isNum(b.used) && Number.isInteger(b.used) && b.used >= 0 && b.used < faces.length ? b.used : undefined;
  if (used === undefined) return null;
  return { width: b.width, height: b.height, faces, used };
}

/**
 * The token for POST /faces: the KwikID token typed in the settings while they point at this
 * server, otherwise the reference server's demo token. A token meant for a vendor is never sent.
 */
export function facesToken(settings: { contract: ProviderContract; baseUrl: string; token: string }, pageOrigin: string): string {
  const own = settings.baseUrl.trim().replace(/\/+$/, '') === pageOrigin.replace(/\/+$/, '');
  return own && settings.contract.id === kwikid.id && settings.token.trim() ? settings.token.trim() : DEFAULT_TOKEN;
}

export interface DetectFacesOptions {
  pageOrigin: string;
  token: string;
  signal?: AbortSignal;
  fetch?: typeof fetch;
}

/**
 * Asks the reference server at the page's own origin for the faces of one image. Null when the
 * page is not served by the reference server, or it cannot say (no route, instant engine, wrong
 * token, network): the caller then shows nothing. Rejects only when `signal` aborts.
 */
export async function detectFaces(image: Blob, name: string, opts: DetectFacesOptions): Promise<FacesReport | null> {
  const f = opts.fetch ?? globalThis.fetch.bind(globalThis);
  const form = new FormData();
  form.append(FACES_FIELD, image, name);
  let res: Response;
  try {
    res = await f(`${opts.pageOrigin.replace(/\/+$/, '')}${FACES_PATH}`, {
      method: 'POST',
      body: form,
      headers: { authorization: `Bearer ${opts.token}`, accept: 'application/json' },
      signal: opts.signal,
    });
  } catch (err) {
    if (opts.signal?.aborted) throw err;
    return null;
  }
  if (res.status !== 200) return null;
  try {
    return parseFacesReport(await res.json());
  } catch {
    return null;
  }
}

/**
 * Whether the page is served by the reference server with a face detector: GET /health on the
 * page's own origin answers `status: "ok"` with an engine that detects faces (not the instant
 * one, not one that failed to load). Anything else (a static host, a network error) is false:
 * Bulk "Check faces" is then not offered.
 */
export async function facesAvailable(pageOrigin: string, doFetch?: typeof fetch): Promise<boolean> {
  const f = doFetch ?? globalThis.fetch.bind(globalThis);
  try {
    const res = await f(`${pageOrigin.replace(/\/+$/, '')}/health`, { headers: { accept: 'application/json' } });
    if (!res.ok) return false;
    const body = (await res.json()) as { status?: unknown; engine?: { mode?: unknown; state?: unknown } } | null;
    return body?.status === 'ok' && body.engine?.mode === 'real' && body.engine.state !== 'failed';
  } catch {
    return false;
  }
}

/** Pairs with this many faces in an image are flagged before a run. */
export function facesProblem(report: FacesReport): 'none' | 'several' | null {
  if (report.faces.length === 0) return 'none';
  if (report.faces.length > 1) return 'several';
  return null;
}

/**
 * The sentence shown before a run when an image has no face or more than one; null otherwise.
 * `label` names the image (the contract's field, e.g. "image2", or a file name).
 */
export function facesSentence(label: string, report: FacesReport): string | null {
  const n = report.faces.length;
  if (n === 0) return `No face found in ${label}: the reference engine would answer "No face found", and a vendor probably will too.`;
  if (n === 1) return null;
  return `${n} faces found in ${label}: the reference engine compares the ${n === 2 ? 'larger' : 'largest'}; a vendor may pick another.`;
}

/** Short form for lists (Bulk "Check faces"): "no face" / "2 faces". */
export function facesCountText(report: FacesReport): string {
  const n = report.faces.length;
  return n === 0 ? 'no face' : n === 1 ? '1 face' : `${n} faces`;
}
