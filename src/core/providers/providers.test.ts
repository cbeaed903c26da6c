import { describe, expect, it } from 'vitest';
import { contracts, contractById, readTransactionId, readVerdict, type ProviderContract } from '../contracts/contracts.ts';
import { loadPresets } from './presets-loader.ts';
import { PRESET_DEMO_CREDENTIALS, PRESET_IDS } from './emulation.ts';
import { bytesPart, callFacematch, type CallSettings } from '../request/request.ts';
import { credentialEnvName, credentialFromEnv, demoCredentials, snakeKey } from './credentials.ts';
import { deepvue, kwikid, PRESET_ENTRIES } from './presets.ts';
import { VENDOR_PRESETS } from './vendor-presets.ts';

const PRESETS = Object.fromEntries([kwikid, deepvue, ...VENDOR_PRESETS].map((c) => [c.id, c])) as Record<(typeof PRESET_IDS)[number], ProviderContract>;
import { checkDefinition, checkDefinitionText } from './schema.ts';
import { placeholders, substitute, substituteJson, toBase64 } from './template.ts';

const jpeg = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]);
const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 9]);
const images = [bytesPart('a.jpg', jpeg, 'image/jpeg'), bytesPart('b.png', png, 'image/png')] as const;

interface Seen { url: string; method: string; headers: Headers; body: BodyInit | null | undefined }

/** A fake vendor: answers each request from `answer(url)`, keeping what was sent. */
function vendor(answer: (url: string, seen: Seen) => { status: number; body: unknown }) {
  const seen: Seen[] = [];
  const fetch = (async (url: string, init: RequestInit) => {
    // Bytes leave as a Blob (request.ts); kept here as the bytes a vendor receives.
    const body = init.body instanceof Blob ? new Uint8Array(await init.body.arrayBuffer()) : init.body;
    const s = { url, method: init.method ?? 'GET', headers: new Headers(init.headers), body };
    seen.push(s);
    const a = answer(url, s);
    return new Response(typeof a.body === 'string' ? a.body : JSON.stringify(a.body), { status: a.status, headers: { 'content-type': 'application/json' } });
  }) as unknown as typeof globalThis.fetch;
  return { fetch, seen };
}

const settingsFor = (contract: ProviderContract, credentials: Record<string, string> = demoCredentials(contract)): CallSettings => ({
  contract, baseUrl: 'http://127.0.0.1:8080/emulate/x', credentials, timeoutMs: 5000, retries: 0,
});

describe('templates', () => {
  it('replaces placeholders and nothing else (no expressions)', () => {
    const values = new Map([['credentials.api_key', 'k-1'], ['uuid', 'u-1']]);
    const lookup = (n: string) => values.get(n);
    expect(substitute('Key {{credentials.api_key}} / {{ uuid }}', lookup)).toBe('Key k-1 / u-1');
    expect(substitute('{{constructor}}{{1+1}}', lookup)).toBe('{{1+1}}');
    expect(substituteJson({ a: ['{{uuid}}', 0, true], b: { c: '{{credentials.api_key}}' } }, lookup))
      .toEqual({ a: ['u-1', 0, true], b: { c: 'k-1' } });
    expect(placeholders('{{image1.base64}} and {{steps.detect1.faceId}}')).toEqual(['image1.base64', 'steps.detect1.faceId']);
  });

  it('encodes base64 as the platform does', () => {
    expect(toBase64(jpeg)).toBe(Buffer.from(jpeg).toString('base64'));
  });
});

describe('the definition schema', () => {
  const minimal = {
    id: 'acme', label: 'Acme', path: '/v1/compare',
    request: { encoding: 'json', json: { a: '{{image1.base64}}', b: '{{image2.base64}}' } },
    credentials: [{ key: 'api_key', label: 'API key', secret: true }],
    headers: [{ name: 'x-api-key', from: 'api_key' }],
    verdict: { path: ['match'], matchValue: true },
    confidence: { path: ['score'], scale: 100 },
  };

  it('lists every preset in the Provider select with its definition\'s label and group, before the definition loads', async () => {
    expect(PRESET_ENTRIES.map((e) => e.id)).toEqual([...PRESET_IDS]);
    for (const e of PRESET_ENTRIES) expect({ id: e.id, label: PRESETS[e.id].label, group: PRESETS[e.id].group }).toEqual(e);
    expect(contracts.map((c) => c.id)).toContain('kwikid');
    await loadPresets();
    expect(contracts.map((c) => c.id)).toEqual([...PRESET_IDS]);
    expect(contractById('facepp')).toBe(PRESETS.facepp);
  });

  it('accepts every preset written out as JSON under its own id', () => {
    for (const p of Object.values(PRESETS)) {
      const r = checkDefinition(JSON.parse(JSON.stringify({ ...p, id: `${p.id}-copy` })));
      expect(r.ok ? [] : r.problems, p.id).toEqual([]);
    }
  });

  it('accepts a minimal definition and fills the defaults', () => {
    const r = checkDefinition(minimal);
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.definition).toMatchObject({ imageFields: ['a', 'b'], acceptedTypes: ['image/jpeg', 'image/png'], version: 1 });
  });

  it('takes a verdict without a score (no "confidence"), but not a score >= threshold verdict without one', () => {
    const { confidence: _score, ...verdictOnly } = minimal;
    expect(checkDefinition(verdictOnly).ok).toBe(true);
    const r = checkDefinition({ ...verdictOnly, verdict: {}, threshold: { value: 70 } });
    expect(r.ok ? [] : r.problems).toEqual(['"confidence" is missing: without "verdict.path" the verdict is score >= threshold, and the score is read on it; add { "path": [...], "scale": 1 or 100 }.']);
  });

  it('refuses a definition naming another host, in a sentence naming the field', () => {
    for (const path of ['https://evil.example/v1/compare', '//evil.example/x', 'http:evil']) {
      const r = checkDefinition({ ...minimal, path });
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.problems[0]).toMatch(/^"path" must be a path on the Base URL \(starting with "\/"\), never a host or a full URL/);
    }
  });

  it('says what is wrong with each field, by its path', () => {
    const r = checkDefinition({
      ...minimal,
      request: { encoding: 'xml', json: {} },
      confidence: { path: ['score'], scale: 10 },
      colour: 'red',
    });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems).toContain('"request.encoding" must be "multipart" or "json" or "urlencoded" or "octet", not "xml".');
    expect(r.problems.some((p) => p.startsWith('"confidence.scale"'))).toBe(true);
    expect(r.problems).toContain('The definition has a field the format does not know: "colour"; check the spelling or remove it.');
  });

  it('refuses a template naming an undeclared credential or an unknown value', () => {
    const r = checkDefinition({ ...minimal, request: { encoding: 'json', json: { a: '{{credentials.secret}}', b: '{{image3}}' } } });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems[0]).toBe('"request.json.a": {{credentials.secret}} names the credential "secret", which the definition does not declare; add it to "credentials" or fix the name.');
    expect(r.problems[1]).toMatch(/^"request\.json\.b": \{\{image3\}\} is not a value a template can use; use one of \{\{image1\}\}/);
  });

  it('refuses a secret written into the definition (header, field, JSON, query), naming the field and the credential to declare instead', () => {
    const cases: [object, string][] = [
      [{ request: { ...minimal.request, headers: [{ name: 'Authorization', value: 'Bearer eyJhbGciOi.live' }] } }, '"request.headers[0].value" holds a value for "Authorization" written out'],
      [{ request: { encoding: 'multipart', fields: [{ name: 'a', value: '{{image1}}' }, { name: 'b', value: '{{image2}}' }, { name: 'api_secret', value: 's3cr3t-value' }] } }, '"request.fields[2].value" holds a value for "api_secret" written out'],
      [{ request: { encoding: 'json', json: { a: '{{image1.base64}}', b: '{{image2.base64}}', auth: { apiKey: 'k-12345' } } } }, '"request.json.auth.apiKey" holds a value for "apiKey" written out'],
      [{ path: '/v1/compare?api_key=k-12345' }, '"path" holds a value for "api_key" written out'],
    ];
    for (const [change, start] of cases) {
      const r = checkDefinition({ ...minimal, ...change });
      expect(r.ok, start).toBe(false);
      if (r.ok) continue;
      expect(r.problems).toHaveLength(1);
      expect(r.problems[0]!.startsWith(start), r.problems[0]).toBe(true);
      expect(r.problems[0]).toMatch(/Declare it in "credentials" with "secret": true and write "\{\{credentials\.[a-z_]+\}\}" instead\.$/);
    }
    // Placeholders, prefixes and ordinary literals are not secrets.
    const fine = checkDefinition({
      ...minimal,
      request: { ...minimal.request, headers: [{ name: 'Authorization', value: 'Bearer {{credentials.api_key}}' }, { name: 'X-Amz-Target', value: 'Svc.Compare' }, { name: 'transactionId', value: '{{uuid}}' }] },
    });
    expect(fine.ok ? [] : fine.problems).toEqual([]);
  });

  it('every sentence names a field and never a library or an internal error', () => {
    const broken: unknown[] = [
      { ...minimal, id: 'Acme Vendor' },
      { ...minimal, credentials: [{ key: '1st', label: '', secret: 'yes' }] },
      { ...minimal, verdict: { path: [] }, threshold: { value: 'high' } },
      { ...minimal, noFace: [{ status: [42] }], reportFields: [{ header: 'x', path: ['x'], width: 500 }] },
      { ...minimal, steps: [{ id: 'one', path: '/d', request: { encoding: 'octet', octet: '{{image3}}' }, capture: {} }] },
      [],
    ];
    for (const input of broken) {
      const r = checkDefinitionText(JSON.stringify(input), 'vendor.json');
      expect(r.ok).toBe(false);
      if (r.ok) continue;
      for (const p of r.problems) {
        expect(p, p).toMatch(/^vendor\.json: ("[A-Za-z][\w.[\]]*"|The definition)[ :]/);
        expect(p, p).not.toMatch(/zod|Zod|invalid_|Error:|\bat \w+ \(/);
      }
    }
  });

  it('names the file and the JSON syntax problem', () => {
    const r = checkDefinitionText('{ "id": ', 'acme.json');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problems[0]).toMatch(/^acme\.json is not valid JSON \(.+\); fix the syntax first\.$/);
    const missing = checkDefinitionText('{"id":"acme"}', 'acme.json');
    expect(!missing.ok && missing.problems).toContain('acme.json: "label" is missing; add it (text in quotes).');
  });
});

describe('credentials from the environment', () => {
  it('reads FACEMATCH_CRED_<KEY> in upper snake case, and the long-standing names', () => {
    expect(credentialEnvName('api_secret')).toBe('FACEMATCH_CRED_API_SECRET');
    expect(credentialEnvName('clientId')).toBe('FACEMATCH_CRED_CLIENT_ID');
    expect(snakeKey('secret_access_key')).toBe('secret_access_key');
    expect(credentialFromEnv('token', { FACEMATCH_TOKEN: ' t ' })).toBe('t');
    expect(credentialFromEnv('token', { FACEMATCH_CRED_TOKEN: 'new', FACEMATCH_TOKEN: 'old' })).toBe('new');
    expect(credentialFromEnv('clientSecret', { DEEPVUE_CLIENT_SECRET: 's' })).toBe('s');
  });

  it('gives every preset the demo values of its emulator', () => {
    for (const id of PRESET_IDS) {
      const demo = demoCredentials(PRESETS[id]);
      expect(Object.values(demo).length, id).toBeGreaterThan(0);
      for (const v of Object.values(demo)) expect(Object.values(PRESET_DEMO_CREDENTIALS[id])).toContain(v);
    }
    expect(demoCredentials(PRESETS.deepvue)).toEqual({ clientId: 'demo-client', clientSecret: 'demo-secret' });
  });
});

/** Each preset against an answer shaped as its vendor documents it (what its emulator answers). */
const recorded: Record<string, { match: unknown; noMatch?: unknown; noFace: { status: number; body: unknown }; unauthorized: { status: number; body: unknown } }> = {
  kwikid: {
    match: { confidence_score: 0.91, facematch_result: 'True', credits_consumed: 1 },
    noFace: { status: 422, body: { detail: { image: 'image1' }, message: 'No face found in image1' } },
    unauthorized: { status: 401, body: { msg: 'Invalid token' } },
  },
  'kwikid-advanced': {
    match: { image1: { result: 'real', confidence: 0.97 }, image2: { result: 'real', confidence: 0.95 }, image1_image2_facematch: { performed: true, result: true, confidence: 0.91 }, overall_result: 'pass' },
    noFace: { status: 422, body: { message: 'No face found in image1' } },
    unauthorized: { status: 401, body: { msg: 'Invalid token' } },
  },
  deepvue: {
    match: { code: 200, transaction_id: 't-1', data: { match: true, confidence: 91 } },
    noFace: { status: 422, body: { detail: 'No face found in file_a' } },
    unauthorized: { status: 401, body: { detail: 'Invalid API key' } },
  },
  facepp: {
    match: { request_id: 'r-1', confidence: 91, thresholds: { '1e-3': 62.3, '1e-4': 69.1, '1e-5': 73.9 }, faces1: [{}], faces2: [{}] },
    noMatch: { request_id: 'r-2', confidence: 40, thresholds: { '1e-3': 62.3, '1e-4': 69.1, '1e-5': 73.9 }, faces1: [{}], faces2: [{}] },
    noFace: { status: 200, body: { request_id: 'r-3', faces1: [], faces2: [{}] } },
    unauthorized: { status: 401, body: { error_message: 'AUTHENTICATION_ERROR' } },
  },
  hyperverge: {
    match: { status: 'success', statusCode: 200, metadata: { requestId: 'h-1', transactionId: 'tx-1' }, result: { details: { match: { value: 'yes', confidence: 'high' } } } },
    noMatch: { status: 'success', statusCode: 200, metadata: { requestId: 'h-2', transactionId: 'tx-2' }, result: { details: { match: { value: 'no', confidence: 'high' } } } },
    noFace: { status: 422, body: { status: 'failure', statusCode: '422', error: 'Face not detected in selfie' } },
    unauthorized: { status: 401, body: { status: 'failure', statusCode: '401', error: 'Missing/Invalid credentials' } },
  },
  karza: {
    match: { statusCode: '101', requestId: 'q-1', result: { match: true, matchScore: 91 } },
    noMatch: { statusCode: '101', requestId: 'q-3', result: { match: false, matchScore: 40 } },
    noFace: { status: 200, body: { statusCode: '102', requestId: 'q-2', error: 'No face detected in image1' } },
    unauthorized: { status: 403, body: { error: 'Invalid key' } },
  },
  idfy: {
    match: { request_id: 'i-1', status: 'completed', result: { is_a_match: true, match_score: 91 } },
    noFace: { status: 422, body: { message: 'Face not detected in document1' } },
    unauthorized: { status: 401, body: { message: 'Invalid credentials' } },
  },
  'aws-rekognition': {
    match: { FaceMatches: [{ Similarity: 91, Face: {} }], UnmatchedFaces: [] },
    noMatch: { FaceMatches: [{ Similarity: 40, Face: {} }], UnmatchedFaces: [] },
    noFace: { status: 400, body: { __type: 'InvalidParameterException', Message: 'Request has invalid parameters' } },
    unauthorized: { status: 403, body: { __type: 'UnrecognizedClientException', message: 'The security token included in the request is invalid.' } },
  },
  'azure-face': {
    match: { isIdentical: true, confidence: 0.91 },
    noFace: { status: 200, body: [] },
    unauthorized: { status: 401, body: { error: { code: '401', message: 'Access denied due to invalid subscription key.' } } },
  },
};

describe.each(PRESET_IDS.map((id) => [id] as const))('preset %s', (id) => {
  const contract = PRESETS[id];
  const r = recorded[id]!;

  it('reads the verdict and the score on 0–1, keeping the raw value', () => {
    const v = readVerdict(contract, r.match)!;
    expect(v.match).toBe(true);
    if (id === 'hyperverge') {
      // A yes/no with high/low and no number: no score, and the transaction id from metadata.
      expect(v.confidence).toBeNull();
      expect(readTransactionId(contract, r.match)).toBe('tx-1');
    } else {
      expect(v.confidence).toBeCloseTo(0.91, 6);
      expect(v.rawConfidence).toBe(contract.confidence?.scale === 100 ? 91 : 0.91);
    }
    if (r.noMatch) expect(readVerdict(contract, r.noMatch)!.match).toBe(false);
  });

  it('sends the call with its credentials and turns a no-face answer into no_face', async () => {
    // Azure's no-face answer is its detect's; the others answer the one call.
    const api = vendor(() => r.noFace);
    const res = await callFacematch(settingsFor(contract), images, undefined, { fetch: api.fetch });
    expect(res.error?.type).toBe('no_face');
    expect(res.error?.message).toMatch(/^The API found no face in /);
    const main = api.seen[api.seen.length - 1]!;
    const first = contract.steps?.[0]?.path ?? contract.path;
    expect(main.url).toBe(`http://127.0.0.1:8080/emulate/x${first}`);
    const sentText = typeof main.body === 'string' ? main.body : main.body instanceof Uint8Array ? new TextDecoder().decode(main.body) : '';
    const used = new Set([...contract.headers, ...contract.authFields ?? []].map((h) => h.from));
    for (const [key, value] of Object.entries(demoCredentials(contract)).filter(([k]) => used.has(k))) {
      const inHeader = [...main.headers.values()].some((h) => h.includes(value));
      expect(inHeader || sentText.includes(value), `${key} sent`).toBe(true);
    }
  });

  it('turns an auth error into a sentence that says what to update', async () => {
    const api = vendor((url) => (url.includes('/detect') ? r.unauthorized : r.unauthorized));
    const res = await callFacematch(settingsFor(contract), images, undefined, { fetch: api.fetch });
    expect(res.ok).toBe(false);
    expect(res.error?.type).toBe('http');
    expect(res.error?.message).toMatch(/(rejected|refused) \(HTTP 40[13]\)\./);
    expect(res.error?.message).toMatch(/The server said: "/);
  });
});

describe('request shapes', () => {
  it('Face++ sends image_file1, image_file2, api_key and api_secret as multipart fields and reads the threshold from the answer', async () => {
    const api = vendor(() => ({ status: 200, body: recorded.facepp!.match }));
    const res = await callFacematch(settingsFor(PRESETS.facepp), images, undefined, { fetch: api.fetch });
    expect(res.ok).toBe(true);
    const text = new TextDecoder().decode(api.seen[0]!.body as Uint8Array);
    for (const name of ['image_file1', 'image_file2', 'api_key', 'api_secret']) expect(text).toContain(`name="${name}"`);
    expect(readVerdict(PRESETS.facepp, res.body)).toMatchObject({ match: true, threshold: 0.691 });
  });

  it('Karza sends JSON base64 and needs statusCode "101" for a success', async () => {
    const api = vendor(() => ({ status: 200, body: { statusCode: '103', error: 'Upstream source down' } }));
    const res = await callFacematch(settingsFor(PRESETS.karza), images, undefined, { fetch: api.fetch });
    expect(JSON.parse(api.seen[0]!.body as string)).toEqual({ image1B64: toBase64(jpeg), image2B64: toBase64(png) });
    expect(api.seen[0]!.headers.get('x-karza-key')).toBe('demo-karza-key');
    expect(res.error).toEqual({ type: 'http', message: 'The API answered HTTP 200 but statusCode is "103", not "101", so the call did not succeed. The server said: "Upstream source down".' });
  });

  it('HyperVerge sends a new transactionId with every call', async () => {
    const api = vendor(() => ({ status: 200, body: recorded.hyperverge!.match }));
    await callFacematch(settingsFor(PRESETS.hyperverge), images, undefined, { fetch: api.fetch });
    await callFacematch(settingsFor(PRESETS.hyperverge), images, undefined, { fetch: api.fetch });
    const ids = api.seen.map((s) => s.headers.get('transactionId'));
    expect(ids[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(ids[0]).not.toBe(ids[1]);
  });

  it('AWS Rekognition is signed with SigV4 for the region and service', async () => {
    const api = vendor(() => ({ status: 200, body: recorded['aws-rekognition']!.match }));
    const res = await callFacematch(settingsFor(PRESETS['aws-rekognition']), images, undefined, { fetch: api.fetch });
    expect(res.ok).toBe(true);
    const h = api.seen[0]!.headers;
    expect(h.get('authorization')).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDEMOFACEMATCH0000\/\d{8}\/us-east-1\/rekognition\/aws4_request, SignedHeaders=.*x-amz-target.*, Signature=[0-9a-f]{64}$/);
    expect(h.get('x-amz-target')).toBe('RekognitionService.CompareFaces');
    expect(JSON.parse(api.seen[0]!.body as string)).toMatchObject({ SimilarityThreshold: 0, SourceImage: { Bytes: toBase64(jpeg) } });
  });

  it('Azure makes detect, detect, verify and keeps the three timings in one result', async () => {
    let n = 0;
    const api = vendor((url) => (url.includes('/detect') ? { status: 200, body: [{ faceId: `face-${++n}` }] } : { status: 200, body: recorded['azure-face']!.match }));
    const res = await callFacematch(settingsFor(PRESETS['azure-face']), images, undefined, { fetch: api.fetch });
    expect(res.ok).toBe(true);
    expect(api.seen.map((s) => s.url.replace('http://127.0.0.1:8080/emulate/x', ''))).toEqual([
      '/face/v1.0/detect?returnFaceId=true', '/face/v1.0/detect?returnFaceId=true', '/face/v1.0/verify',
    ]);
    expect(api.seen[0]!.headers.get('content-type')).toBe('application/octet-stream');
    expect(JSON.parse(api.seen[2]!.body as string)).toEqual({ faceId1: 'face-1', faceId2: 'face-2' });
    expect(res.steps?.map((s) => [s.step, s.http_status])).toEqual([['detect1', 200], ['detect2', 200], ['main', 200]]);
  });

  it('Azure names the image whose detect found no face', async () => {
    const api = vendor((url) => (url.includes('/detect') ? { status: 200, body: [] } : { status: 200, body: {} }));
    const res = await callFacematch(settingsFor(PRESETS['azure-face']), images, undefined, { fetch: api.fetch });
    expect(res.error).toEqual({ type: 'no_face', message: 'The API found no face in a.jpg (its detect1 answer has no 0.faceId).' });
    expect(api.seen).toHaveLength(1);
  });
});
