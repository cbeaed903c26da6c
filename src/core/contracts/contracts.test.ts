import { describe, expect, it } from 'vitest';
import {
  buildHeaders, contractById, deepvue, joinUrl, kwikid, normaliseConfidence, readErrorMessage, readVerdict,
} from './contracts.ts';
import { buildFormData, endpointUrl } from '../request/request.ts';
import { buildCurl, MASK } from '../request/curl.ts';

const img = (name: string) => ({ name, data: new Blob([new Uint8Array([0xff, 0xd8, 0xff, 0xe0])], { type: 'image/jpeg' }) });

describe('KwikID contract', () => {
  it('builds a multipart body with image1, image2 and unique_id', () => {
    const fd = buildFormData({ contract: kwikid, uniqueId: ' case-42 ' }, [img('a.jpg'), img('b.png')]);
    expect([...fd.keys()]).toEqual(['image1', 'image2', 'unique_id']);
    expect((fd.get('image1') as File).name).toBe('a.jpg');
    expect((fd.get('image2') as File).name).toBe('b.png');
    expect(fd.get('unique_id')).toBe('case-42');
  });

  it('leaves unique_id out when it is blank', () => {
    const fd = buildFormData({ contract: kwikid, uniqueId: '  ' }, [img('a.jpg'), img('b.jpg')]);
    expect(fd.has('unique_id')).toBe(false);
  });

  it('sends the token as a Bearer header and nothing for an empty token', () => {
    expect(buildHeaders(kwikid, { token: 'abc' })).toEqual({ Authorization: 'Bearer abc' });
    expect(buildHeaders(kwikid, { token: '  ' })).toEqual({});
  });

  it('posts to /facematch under the base URL, with or without a trailing slash', () => {
    expect(endpointUrl(kwikid, 'http://localhost:8080/')).toBe('http://localhost:8080/facematch');
    expect(endpointUrl(kwikid, 'https://host/upstream')).toBe('https://host/upstream/facematch');
    expect(joinUrl('https://h//', '//v1/facematch')).toBe('https://h/v1/facematch');
  });

  it('reads "True" / "False" verdicts and the 0–1 confidence', () => {
    expect(readVerdict(kwikid, { confidence_score: 0.85, facematch_result: 'True', credits_consumed: 2 }))
      .toEqual({ match: true, rawConfidence: 0.85, confidence: 0.85, credits: 2 });
    expect(readVerdict(kwikid, { confidence_score: 0.12, facematch_result: 'False' }))
      .toEqual({ match: false, rawConfidence: 0.12, confidence: 0.12, credits: null });
  });

  it('has no verdict for a body without facematch_result', () => {
    expect(readVerdict(kwikid, { msg: 'Invalid token' })).toBeNull();
    expect(readVerdict(kwikid, 'not an object')).toBeNull();
  });

  it('reads error messages from {"msg"} and {"detail","message"} bodies', () => {
    expect(readErrorMessage(kwikid, { msg: 'Token has expired' })).toBe('Token has expired');
    expect(readErrorMessage(kwikid, { detail: { image: 'image1' }, message: 'No face found in image1' })).toBe('No face found in image1');
    expect(readErrorMessage(kwikid, { detail: {} })).toBeUndefined();
  });
});

describe('Deepvue contract', () => {
  it('sends file_a / file_b and no unique_id field', () => {
    const fd = buildFormData({ contract: deepvue, uniqueId: 'ignored' }, [img('a.jpg'), img('b.jpg')]);
    expect([...fd.keys()]).toEqual(['file_a', 'file_b']);
  });

  it('sends the JWT as Bearer and the client secret as x-api-key', () => {
    expect(buildHeaders(deepvue, { token: 'jwt', clientId: 'id', clientSecret: 's3cret' }))
      .toEqual({ Authorization: 'Bearer jwt', 'x-api-key': 's3cret' });
  });

  it('reads data.match and normalises data.confidence from 0–100', () => {
    const body = { code: 200, sub_code: 'SUCCESS', data: { match: true, confidence: 87.5 } };
    expect(readVerdict(deepvue, body)).toEqual({ match: true, rawConfidence: 87.5, confidence: 0.875, credits: null });
    expect(readVerdict(deepvue, { data: { match: false, confidence: 3 } })?.confidence).toBeCloseTo(0.03);
  });

  it('clamps normalised confidence into 0..1', () => {
    expect(normaliseConfidence(120, 100)).toBe(1);
    expect(normaliseConfidence(-5, 100)).toBe(0);
    expect(normaliseConfidence(98, 100)).toBe(0.98);
  });

  it('normalises without float noise: 83.96 on 0–100 is 0.8396, not 0.8395999999999999', () => {
    expect(normaliseConfidence(83.96, 100)).toBe(0.8396);
    expect(normaliseConfidence(0.57, 1)).toBe(0.57);
    for (let i = 0; i <= 10_000; i++) expect(String(normaliseConfidence(i / 100, 100)).length).toBeLessThanOrEqual(6);
  });

  it('reads {"detail": "..."} and FastAPI validation lists', () => {
    expect(readErrorMessage(deepvue, { detail: 'Not authenticated' })).toBe('Not authenticated');
    expect(readErrorMessage(deepvue, { detail: [{ loc: ['body', 'file_a'], msg: 'field required' }] })).toBe('body.file_a: field required');
  });

  it('names its token endpoint and fields', () => {
    expect(contractById('deepvue').tokenEndpoint?.path).toBe('/v1/authorize');
    expect(deepvue.tokenEndpoint?.fields).toEqual({ clientId: 'client_id', clientSecret: 'client_secret' });
  });
});

describe('Copy as cURL', () => {
  it('masks secrets by default and names file parts with @', () => {
    const cmd = buildCurl({
      contract: deepvue, baseUrl: 'http://localhost:8080', credentials: { token: 'jwt.value', clientId: 'cid', clientSecret: 'topsecret' },
      fileNames: ['obama 1.jpg', 'obama-2.jpg'], includeSecrets: false,
    });
    expect(cmd).not.toContain('topsecret');
    expect(cmd).not.toContain('jwt.value');
    expect(cmd).toContain(`Bearer ${MASK}`);
    expect(cmd).toContain(`-F 'file_a=@obama 1.jpg'`);
    expect(cmd).toContain('-F file_b=@obama-2.jpg');
  });

  it('includes secrets only when asked', () => {
    const cmd = buildCurl({
      contract: kwikid, baseUrl: 'http://localhost:8080', credentials: { token: "to'ken" }, uniqueId: 'u1',
      fileNames: ['a.jpg', 'b.jpg'], includeSecrets: true,
    });
    expect(cmd).toContain(`-H 'Authorization: Bearer to'\\''ken'`);
    expect(cmd).toContain('-F unique_id=u1');
    expect(cmd.startsWith('curl -sS -X POST http://localhost:8080/facematch')).toBe(true);
  });
});
