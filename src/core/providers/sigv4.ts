/**
 * AWS Signature Version 4 for definitions with `signing: { kind: 'aws-sigv4' }`, with AWS's own
 * signer (runs in browsers and Node). Loaded on demand: only a signed definition pulls it in.
 * Credentials: access_key_id, secret_access_key, optional session_token, region.
 */
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import type { Credentials } from './body.ts';
import type { SigV4Auth } from './types.ts';

/** Headers with the signature added (`host` left out: fetch sets it from the URL it signs). */
export async function signSigV4(
  auth: SigV4Auth, credentials: Credentials, url: string, headers: Readonly<Record<string, string>>, body: string | Uint8Array,
): Promise<Record<string, string>> {
  const u = new URL(url);
  const signer = new SignatureV4({
    service: auth.service,
    region: credentials.region?.trim() || 'us-east-1',
    credentials: {
      accessKeyId: credentials.access_key_id?.trim() ?? '',
      secretAccessKey: credentials.secret_access_key?.trim() ?? '',
      ...(credentials.session_token?.trim() ? { sessionToken: credentials.session_token.trim() } : {}),
    },
    sha256: Sha256,
  });
  const query: Record<string, string> = {};
  u.searchParams.forEach((v, k) => { query[k] = v; });
  const signed = await signer.sign({
    method: 'POST',
    protocol: u.protocol,
    hostname: u.hostname,
    ...(u.port ? { port: Number(u.port) } : {}),
    path: u.pathname,
    query,
    headers: { ...headers, host: u.host },
    body,
  });
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(signed.headers)) if (k.toLowerCase() !== 'host') out[k] = String(v);
  return out;
}
