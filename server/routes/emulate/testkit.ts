/**
 * Test support (not imported by the server): how a caller talks to each emulator, as the vendor's
 * document says, and how it reads the answer. Used by verdicts.test.ts and by
 * scripts/record-emulators.ts, which writes test/recorded/<preset>.json.
 */
import aws4 from 'aws4';
import { emulatorBasePath, PRESET_DEMO_CREDENTIALS, type PresetId } from '../../../src/core/providers/emulation.ts';
import { form } from '../../testkit.ts';
import { AZURE_DETECT_PATH, AZURE_KEY_HEADER, AZURE_VERIFY_PATH } from './azure-face.ts';
import { DEFAULT_SIMILARITY_THRESHOLD, REKOGNITION_CONTENT_TYPE, REKOGNITION_PATH, REKOGNITION_SERVICE, REKOGNITION_TARGET } from './aws-rekognition.ts';
import { FACEPP_PATH, FACEPP_THRESHOLDS } from './facepp.ts';
import { KWIKID_ADVANCED_PATH } from './kwikid-advanced.ts';
import { HYPERVERGE_PATH } from './hyperverge.ts';
import { IDFY_PATH } from './idfy.ts';
import { KARZA_NO_FACE, KARZA_OK, KARZA_PATH } from './karza.ts';

/** `app.request` of an in-process app, or a fetch bound to a running server's URL. */
export type Fetcher = (path: string, init: RequestInit) => Response | Promise<Response>;

export type Reading = 'match' | 'no_match' | 'no_face' | 'auth_error' | 'error';

export interface Exchange {
  /** The calls made, last one last (Azure makes three). */
  calls: Array<{ method: string; path: string; status: number }>;
  status: number;
  body: unknown;
  reading: Reading;
  /** The vendor's own score, when it gives one. */
  score?: number;
}

export interface EmulatorClient {
  id: PresetId;
  /** One comparison of two images; `credentials` replaces the demo ones (a wrong key). */
  compare(fetch: Fetcher, image1: Uint8Array, image2: Uint8Array, credentials?: Record<string, string>): Promise<Exchange>;
}

const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');
const path = (id: PresetId, vendorPath: string) => `${emulatorBasePath(id)}${vendorPath}`;

async function single(fetch: Fetcher, url: string, init: RequestInit, read: (status: number, body: Record<string, unknown>) => { reading: Reading; score?: number }): Promise<Exchange> {
  const res = await fetch(url, init);
  const text = await res.text();
  let body: unknown = text;
  try { body = JSON.parse(text); } catch { /* kept as text */ }
  const r = read(res.status, (body && typeof body === 'object' ? body : {}) as Record<string, unknown>);
  return { calls: [{ method: init.method ?? 'GET', path: url, status: res.status }], status: res.status, body, ...r };
}

const get = (o: unknown, ...keys: string[]): unknown => keys.reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined), o);

export const facepp: EmulatorClient = {
  id: 'facepp',
  compare(fetch, a, b, credentials = PRESET_DEMO_CREDENTIALS.facepp) {
    return single(fetch, path('facepp', FACEPP_PATH), { method: 'POST', body: form({ api_key: credentials.api_key ?? '', api_secret: credentials.api_secret ?? '', image_file1: a, image_file2: b }) }, (status, body) => {
      if (status === 401) return { reading: 'auth_error' };
      if (status !== 200) return { reading: 'error' };
      if (typeof body.confidence !== 'number') return { reading: 'no_face' };
      const threshold = get(body, 'thresholds', '1e-4');
      return { reading: body.confidence >= (typeof threshold === 'number' ? threshold : FACEPP_THRESHOLDS['1e-4']) ? 'match' : 'no_match', score: body.confidence };
    });
  },
};

export const hyperverge: EmulatorClient = {
  id: 'hyperverge',
  compare(fetch, a, b, credentials = PRESET_DEMO_CREDENTIALS.hyperverge) {
    return single(fetch, path('hyperverge', HYPERVERGE_PATH), {
      method: 'POST', headers: { appId: credentials.app_id ?? '', appKey: credentials.app_key ?? '', transactionId: crypto.randomUUID() }, body: form({ selfie: a, id: b }),
    }, (status, body) => {
      if (status === 401) return { reading: 'auth_error' };
      if (status === 422 && /face not detected/i.test(String(body.error))) return { reading: 'no_face' };
      if (status !== 200) return { reading: 'error' };
      return { reading: get(body, 'result', 'details', 'match', 'value') === 'yes' ? 'match' : 'no_match' };
    });
  },
};

export const karza: EmulatorClient = {
  id: 'karza',
  compare(fetch, a, b, credentials = PRESET_DEMO_CREDENTIALS.karza) {
    return single(fetch, path('karza', KARZA_PATH), {
      method: 'POST', headers: { 'content-type': 'application/json', 'x-karza-key': credentials.api_key ?? '' }, body: JSON.stringify({ image1B64: b64(a), image2B64: b64(b) }),
    }, (status, body) => {
      if (status === 401) return { reading: 'auth_error' };
      if (status === 200 && body.statusCode === KARZA_NO_FACE) return { reading: 'no_face' };
      if (status !== 200 || body.statusCode !== KARZA_OK) return { reading: 'error' };
      const score = get(body, 'result', 'matchScore');
      return { reading: get(body, 'result', 'match') === true ? 'match' : 'no_match', score: typeof score === 'number' ? score : undefined };
    });
  },
};

export const idfy: EmulatorClient = {
  id: 'idfy',
  compare(fetch, a, b, credentials = PRESET_DEMO_CREDENTIALS.idfy) {
    return single(fetch, path('idfy', IDFY_PATH), {
      method: 'POST', headers: { 'content-type': 'application/json', 'account-id': credentials.account_id ?? '', 'api-key': credentials.api_key ?? '' },
      body: JSON.stringify({ task_id: crypto.randomUUID(), group_id: 'facematch-tests', data: { document1: b64(a), document2: `data:image/jpeg;base64,${b64(b)}` } }),
    }, (status, body) => {
      if (status === 401) return { reading: 'auth_error' };
      if (status === 422 && body.error === 'NO_FACE_DETECTED') return { reading: 'no_face' };
      if (status !== 200) return { reading: 'error' };
      const score = get(body, 'result', 'match_score');
      return { reading: get(body, 'result', 'is_a_match') === true ? 'match' : 'no_match', score: typeof score === 'number' ? score : undefined };
    });
  },
};

export const kwikidAdvanced: EmulatorClient = {
  id: 'kwikid-advanced',
  compare(fetch, a, b, credentials = PRESET_DEMO_CREDENTIALS['kwikid-advanced']) {
    return single(fetch, path('kwikid-advanced', KWIKID_ADVANCED_PATH), {
      method: 'POST', headers: { Authorization: `Bearer ${credentials.token ?? ''}` }, body: form({ image1: a, image2: b, unique_id: 'case-1' }),
    }, (status, body) => {
      if (status === 401) return { reading: 'auth_error' };
      if (status === 422 && /no face/i.test(String(body.message))) return { reading: 'no_face' };
      if (status !== 200) return { reading: 'error' };
      const score = get(body, 'image1_image2_facematch', 'confidence');
      return { reading: get(body, 'image1_image2_facematch', 'result') === 'True' ? 'match' : 'no_match', score: typeof score === 'number' ? score : undefined };
    });
  },
};

/** The SigV4-signed CompareFaces request, signed by aws4 (a signer independent of the one the emulator verifies with). */
export function signedCompareFaces(a: Uint8Array, b: Uint8Array, credentials: Record<string, string>, host = 'localhost', threshold = 0): { path: string; init: RequestInit } {
  const body = JSON.stringify({ SourceImage: { Bytes: b64(a) }, TargetImage: { Bytes: b64(b) }, SimilarityThreshold: threshold });
  const url = path('aws-rekognition', REKOGNITION_PATH);
  const signed = aws4.sign(
    { host, path: url, method: 'POST', service: REKOGNITION_SERVICE, region: credentials.region, body, headers: { 'Content-Type': REKOGNITION_CONTENT_TYPE, 'X-Amz-Target': REKOGNITION_TARGET } },
    { accessKeyId: credentials.access_key_id, secretAccessKey: credentials.secret_access_key },
  );
  const headers = Object.fromEntries(Object.entries(signed.headers ?? {}).map(([k, v]) => [k, String(v)]));
  return { path: url, init: { method: 'POST', headers, body } };
}

export const awsRekognition: EmulatorClient = {
  id: 'aws-rekognition',
  compare(fetch, a, b, credentials = PRESET_DEMO_CREDENTIALS['aws-rekognition']) {
    const { path: url, init } = signedCompareFaces(a, b, credentials);
    return single(fetch, url, init, (status, body) => {
      if (status === 403) return { reading: 'auth_error' };
      if (status === 400 && body.__type === 'InvalidParameterException') return { reading: 'no_face' };
      if (status !== 200) return { reading: 'error' };
      const similarity = get(body, 'FaceMatches', '0', 'Similarity');
      if (typeof similarity !== 'number') return { reading: 'error' };
      return { reading: similarity >= DEFAULT_SIMILARITY_THRESHOLD ? 'match' : 'no_match', score: similarity };
    });
  },
};

export const azureFace: EmulatorClient = {
  id: 'azure-face',
  async compare(fetch, a, b, credentials = PRESET_DEMO_CREDENTIALS['azure-face']) {
    const key = { [AZURE_KEY_HEADER]: credentials.api_key ?? '' };
    const calls: Exchange['calls'] = [];
    const faceIds: string[] = [];
    for (const image of [a, b]) {
      const url = `${path('azure-face', AZURE_DETECT_PATH)}?returnFaceId=true`;
      const res = await fetch(url, { method: 'POST', headers: { ...key, 'content-type': 'application/octet-stream' }, body: image as Uint8Array<ArrayBuffer> });
      calls.push({ method: 'POST', path: url, status: res.status });
      const body = await res.json() as unknown;
      if (res.status === 401) return { calls, status: res.status, body, reading: 'auth_error' };
      if (res.status !== 200 || !Array.isArray(body)) return { calls, status: res.status, body, reading: 'error' };
      const id = get(body, '0', 'faceId');
      if (typeof id !== 'string') return { calls, status: res.status, body, reading: 'no_face' };
      faceIds.push(id);
    }
    const url = path('azure-face', AZURE_VERIFY_PATH);
    const res = await fetch(url, { method: 'POST', headers: { ...key, 'content-type': 'application/json' }, body: JSON.stringify({ faceId1: faceIds[0], faceId2: faceIds[1] }) });
    calls.push({ method: 'POST', path: url, status: res.status });
    const body = await res.json() as Record<string, unknown>;
    if (res.status !== 200) return { calls, status: res.status, body, reading: 'error' };
    return { calls, status: res.status, body, reading: body.isIdentical === true ? 'match' : 'no_match', score: typeof body.confidence === 'number' ? body.confidence : undefined };
  },
};

/** Every emulator's client, in landing order. */
export const CLIENTS: readonly EmulatorClient[] = [facepp, karza, hyperverge, idfy, kwikidAdvanced, azureFace, awsRekognition];

/** Credentials that are the demo ones with every secret value changed (a wrong key). */
export function wrongCredentials(id: PresetId): Record<string, string> {
  return Object.fromEntries(Object.entries(PRESET_DEMO_CREDENTIALS[id]).map(([k, v]) => [k, /id$/.test(k) || k === 'region' ? v : `${v}-wrong`]));
}
