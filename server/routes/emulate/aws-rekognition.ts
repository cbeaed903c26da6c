/**
 * AWS Rekognition CompareFaces emulator: POST /emulate/aws-rekognition/ with
 * `X-Amz-Target: RekognitionService.CompareFaces`, `Content-Type: application/x-amz-json-1.1` and the
 * JSON body {SourceImage: {Bytes}, TargetImage: {Bytes}, SimilarityThreshold} (Bytes in base64),
 * signed with Signature Version 4 (service `rekognition`) by the demo access key.
 *
 * The signature is verified by recomputing it with AWS's own signer over the request as received
 * (method, path, query, the signed headers, the body): any change after signing is refused.
 *
 *   200 {SourceImageFace: {BoundingBox, Confidence}, FaceMatches: [{Similarity (0–100), Face}], UnmatchedFaces: [Face]}
 *       FaceMatches holds the target's face when its Similarity is at least SimilarityThreshold (default 80)
 *   no face in an image: 400 InvalidParameterException
 *   errors: {__type, message} with an x-amzn-ErrorType header; a bad signature is 403
 *   InvalidSignatureException, an unknown access key 403 UnrecognizedClientException
 */
import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import { Hono } from 'hono';
import type { Context } from 'hono';
import type { FaceBox } from '../../engine/types.ts';
import type { RouteDeps } from '../deps.ts';
import { bodyCap, clamp01, decodeBase64Image, latency, round } from '../common.ts';
import { demoCredentials, detectFaces, emulatedPath, vendorScore, withEngine, type DetectedFaces } from './shared.ts';

export const REKOGNITION_PATH = '/';
export const REKOGNITION_TARGET = 'RekognitionService.CompareFaces';
export const REKOGNITION_CONTENT_TYPE = 'application/x-amz-json-1.1';
export const REKOGNITION_SERVICE = 'rekognition';
/** Rekognition's default SimilarityThreshold; the engine's decision boundary maps to it. */
export const DEFAULT_SIMILARITY_THRESHOLD = 80;
/** How far the request's X-Amz-Date may be from the server's clock, as AWS allows. */
export const MAX_CLOCK_SKEW_MS = 5 * 60 * 1000;
/** Headers a SigV4 caller sends besides Content-Type (for the CORS allow-list). */
export const AWS_HEADERS_SIGNED: readonly string[] = ['Authorization', 'X-Amz-Date', 'X-Amz-Target', 'X-Amz-Content-Sha256', 'X-Amz-Security-Token', 'X-Amz-User-Agent'];

type Status = 400 | 403 | 405 | 413 | 500 | 503;

export function awsError(c: Context, status: Status, type: string, message: string) {
  c.header('x-amzn-ErrorType', `${type}:`);
  return c.json({ __type: type, message }, status);
}

const AUTH = /^AWS4-HMAC-SHA256\s+Credential=([^,\s]+)\s*,\s*SignedHeaders=([^,\s]+)\s*,\s*Signature=([0-9a-f]{64})\s*$/i;
const AMZ_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

type Verified = { ok: true } | { ok: false; status: 403; type: string; message: string };

function refuse(type: string, message: string): Verified {
  return { ok: false, status: 403, type, message };
}

/**
 * Checks a SigV4-signed request against the demo credentials by signing the same canonical
 * request again and comparing signatures.
 */
export async function verifySigV4(c: Context, body: string, creds: Readonly<Record<string, string>>, service: string, now = Date.now()): Promise<Verified> {
  const header = c.req.header('authorization');
  if (!header) return refuse('MissingAuthenticationTokenException', 'Missing Authentication Token');
  const m = AUTH.exec(header);
  if (!m) return refuse('IncompleteSignatureException', 'The Authorization header must be "AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…".');
  const [, credential, signedList, signature] = m as unknown as [string, string, string, string];
  const [accessKeyId, scopeDate, region, scopeService, terminator] = credential.split('/');
  if (!accessKeyId || !safeEq(accessKeyId, creds.access_key_id!) || c.req.header('x-amz-security-token') !== undefined) {
    return refuse('UnrecognizedClientException', 'The security token included in the request is invalid.');
  }
  const amzDate = c.req.header('x-amz-date') ?? '';
  const d = AMZ_DATE.exec(amzDate);
  if (!d) return refuse('IncompleteSignatureException', 'The request must carry an X-Amz-Date header like 20260101T120000Z, and sign it.');
  const signingDate = new Date(Date.UTC(+d[1]!, +d[2]! - 1, +d[3]!, +d[4]!, +d[5]!, +d[6]!));
  if (Math.abs(now - signingDate.getTime()) > MAX_CLOCK_SKEW_MS) {
    return refuse('InvalidSignatureException', `Signature expired: ${amzDate} is more than 5 minutes away from the server's time (${new Date(now).toISOString()}); check the clock of the machine that signs.`);
  }
  if (scopeDate !== amzDate.slice(0, 8) || terminator !== 'aws4_request') {
    return refuse('InvalidSignatureException', `The Credential scope must be ${amzDate.slice(0, 8)}/<region>/${service}/aws4_request, matching X-Amz-Date.`);
  }
  if (region !== creds.region) return refuse('InvalidSignatureException', `Credential should be scoped to a valid region (this emulator answers for ${creds.region}).`);
  if (scopeService !== service) return refuse('InvalidSignatureException', `Credential should be scoped to correct service: '${service}'.`);
  const signed = signedList.toLowerCase().split(';');
  if (!signed.includes('host') || !signed.includes('x-amz-date')) {
    return refuse('InvalidSignatureException', 'SignedHeaders must include host and x-amz-date.');
  }
  const declaredHash = c.req.header('x-amz-content-sha256');
  if (declaredHash !== undefined && declaredHash !== createHash('sha256').update(body).digest('hex')) {
    return refuse('InvalidSignatureException', 'The x-amz-content-sha256 header does not match the body.');
  }

  const url = new URL(c.req.url);
  const headers: Record<string, string> = {};
  for (const name of signed) {
    const value = name === 'host' ? (c.req.header('host') ?? url.host) : c.req.header(name);
    if (value === undefined) return refuse('InvalidSignatureException', `The signed header ${name} is missing from the request.`);
    headers[name] = value;
  }
  const query: Record<string, string | string[]> = {};
  for (const key of new Set(url.searchParams.keys())) {
    const all = url.searchParams.getAll(key);
    query[key] = all.length === 1 ? all[0]! : all;
  }
  const signer = new SignatureV4({
    credentials: { accessKeyId: creds.access_key_id!, secretAccessKey: creds.secret_access_key! },
    region: creds.region!, service, sha256: Sha256, uriEscapePath: true, applyChecksum: false,
  });
  const resigned = await signer.sign(
    { method: c.req.method, protocol: url.protocol, hostname: url.hostname, port: url.port ? Number(url.port) : undefined, path: url.pathname, query, headers, body },
    { signingDate, signableHeaders: new Set(signed) },
  );
  const expected = /Signature=([0-9a-f]{64})/.exec(String(resigned.headers.authorization ?? resigned.headers.Authorization))?.[1] ?? '';
  if (!safeEq(expected, signature.toLowerCase())) {
    return refuse('InvalidSignatureException', 'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.');
  }
  return { ok: true };
}

function safeEq(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** A box as Rekognition gives it: ratios of the image's width and height. */
function boundingBox(f: FaceBox, width: number, height: number) {
  return {
    Width: round(f.width / width, 6), Height: round(f.height / height, 6),
    Left: round(f.x / width, 6), Top: round(f.y / height, 6),
  };
}

function faceDetail(f: FaceBox, found: DetectedFaces & { kind: 'faces' }) {
  return { BoundingBox: boundingBox(f, found.width, found.height), Confidence: round(clamp01(f.score) * 100, 4) };
}

export function awsRekognitionRoutes({ config, engine }: RouteDeps): Hono {
  const app = new Hono();
  const path = emulatedPath('aws-rekognition', REKOGNITION_PATH);
  const demo = demoCredentials('aws-rekognition');

  app.post(
    path,
    async (c, next) => {
      c.header('x-amzn-RequestId', randomUUID());
      await next();
    },
    latency(config.latencyMs),
    bodyCap(config.maxImageBytes, 'image', (message) => ({ __type: 'ImageTooLargeException', message }), 'base64'),
    async (c) => {
      const text = await c.req.text();
      const verified = await verifySigV4(c, text, demo, REKOGNITION_SERVICE);
      if (!verified.ok) return awsError(c, verified.status, verified.type, verified.message);

      const target = c.req.header('x-amz-target');
      if (target !== REKOGNITION_TARGET) {
        return awsError(c, 400, 'UnknownOperationException', `This emulator answers X-Amz-Target: ${REKOGNITION_TARGET} only (got ${target ?? 'none'}).`);
      }
      const type = (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
      if (type !== REKOGNITION_CONTENT_TYPE && type !== 'application/json') {
        return awsError(c, 400, 'SerializationException', `Send the body as JSON with Content-Type: ${REKOGNITION_CONTENT_TYPE} (got ${type || 'none'}).`);
      }
      let body: Record<string, unknown>;
      try {
        const parsed = JSON.parse(text) as unknown;
        if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object');
        body = parsed as Record<string, unknown>;
      } catch {
        return awsError(c, 400, 'SerializationException', 'The body is not a JSON object.');
      }
      const threshold = body.SimilarityThreshold ?? DEFAULT_SIMILARITY_THRESHOLD;
      if (typeof threshold !== 'number' || !(threshold >= 0 && threshold <= 100)) {
        return awsError(c, 400, 'ValidationException', '1 validation error detected: SimilarityThreshold must be a number from 0 to 100.');
      }
      const images: Uint8Array[] = [];
      for (const field of ['SourceImage', 'TargetImage'] as const) {
        const image = body[field];
        if (image === null || typeof image !== 'object' || !('Bytes' in image)) {
          return awsError(c, 400, 'ValidationException', `1 validation error detected: ${field}.Bytes is missing; send {"${field}": {"Bytes": "<base64>"}} (S3Object is not emulated).`);
        }
        const check = decodeBase64Image(`${field}.Bytes`, (image as { Bytes: unknown }).Bytes, config.maxImageBytes);
        if (!check.ok) {
          if (check.status === 413) return awsError(c, 400, 'ImageTooLargeException', check.message);
          return awsError(c, 400, /only JPEG and PNG/.test(check.message) ? 'InvalidImageFormatException' : 'ValidationException', check.message);
        }
        images.push(check.bytes);
      }
      const [source, targetImage] = images as [Uint8Array, Uint8Array];
      const call = await withEngine(c, engine, () => Promise.all([engine.match(source, targetImage), detectFaces(engine, source), detectFaces(engine, targetImage)]));
      if (!call.ok) return awsError(c, call.status === 503 ? 503 : 500, call.status === 503 ? 'ThrottlingException' : 'InternalServerError', call.message);
      const [outcome, sourceFaces, targetFaces] = call.value;
      if (outcome.kind === 'undecodable') {
        return awsError(c, 400, 'InvalidImageFormatException', `Request has invalid image format: ${outcome.image === 0 ? 'SourceImage' : 'TargetImage'} could not be decoded (${outcome.message}).`);
      }
      if (outcome.kind === 'no_face' || sourceFaces.kind !== 'faces' || targetFaces.kind !== 'faces' || !sourceFaces.faces[0] || !targetFaces.faces[0]) {
        return awsError(c, 400, 'InvalidParameterException', 'Request has invalid parameters');
      }
      const similarity = vendorScore(outcome, DEFAULT_SIMILARITY_THRESHOLD, 100, 4);
      const [compared, ...others] = targetFaces.faces;
      const matched = similarity >= threshold;
      return c.json({
        SourceImageFace: faceDetail(sourceFaces.faces[0], sourceFaces),
        FaceMatches: matched ? [{ Similarity: similarity, Face: faceDetail(compared, targetFaces) }] : [],
        UnmatchedFaces: [...(matched ? [] : [compared]), ...others].map((f) => faceDetail(f, targetFaces)),
      });
    },
  );

  app.all(path, (c) => {
    c.header('Allow', 'POST, OPTIONS');
    return awsError(c, 405, 'UnknownOperationException', `Use POST ${path} with X-Amz-Target: ${REKOGNITION_TARGET}.`);
  });
  return app;
}
