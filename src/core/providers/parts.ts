/**
 * The parts of a call that load with the page: image parts, the multipart encoding and the fields
 * of a definition without a request template (KwikID, Deepvue: image fields, unique id, credential
 * fields), so their calls leave at once. Templates (body.ts, template.ts) load on demand.
 */
import { encodeMultipart } from '../request/multipart.ts';
import type { CredentialKey, HeaderRule, ProviderContract } from './types.ts';

export type Credentials = Partial<Record<CredentialKey, string>>;

export interface ImagePart {
  /** File name sent in the multipart part (the base name, never a path). */
  name: string;
  /** The image as a Blob (a File from the picker; for a ZIP entry, made only when first read). */
  data: Blob;
  /** The image's bytes when they are already in memory (a ZIP entry): sent without making a Blob. */
  bytes?: Uint8Array;
  /** The media type sent with `bytes`. */
  type?: string;
}

/** An image part over bytes in memory: its Blob is made only if something asks for `data`. */
export function bytesPart(name: string, bytes: Uint8Array, type: string): ImagePart {
  let blob: Blob | undefined;
  return {
    name,
    bytes,
    type,
    get data() {
      blob ??= new Blob([bytes as Uint8Array<ArrayBuffer>], { type });
      return blob;
    },
  };
}

export type Part = { name: string; image: ImagePart } | { name: string; value: string };

export type BuiltBody = FormData | Uint8Array<ArrayBuffer> | string;

/** A credential as a header or field value (with its prefix); undefined when empty. */
export function authValue(rule: HeaderRule, creds: Credentials): string | undefined {
  const v = creds[rule.from]?.trim();
  return v ? `${rule.prefix ?? ''}${v}` : undefined;
}

/**
 * The multipart fields of a definition without a request template, in order: its two image
 * fields, its unique-id field (left out when empty), then the credentials' body fields.
 */
export function plainParts(
  contract: Pick<ProviderContract, 'imageFields' | 'uniqueIdField' | 'authFields'>,
  images: readonly [ImagePart, ImagePart], uniqueId: string | undefined, credentials: Credentials,
): Part[] {
  const parts: Part[] = [{ name: contract.imageFields[0], image: images[0] }, { name: contract.imageFields[1], image: images[1] }];
  const id = uniqueId?.trim() ?? '';
  if (contract.uniqueIdField && id !== '') parts.push({ name: contract.uniqueIdField, value: id });
  for (const rule of contract.authFields ?? []) {
    const value = authValue(rule, credentials);
    if (value) parts.push({ name: rule.name, value });
  }
  return parts;
}

/** Multipart: bytes already in memory are encoded once, without a Blob per image (see multipart.ts). */
export function multipartBody(parts: readonly Part[]): { body: FormData | Uint8Array<ArrayBuffer>; contentType?: string } {
  if (parts.every((p) => !('image' in p) || p.image.bytes)) {
    const { body, contentType } = encodeMultipart(parts.map((p) => (
      'image' in p ? { name: p.name, filename: p.image.name, type: p.image.type ?? '', bytes: p.image.bytes! } : p
    )));
    return { body, contentType };
  }
  const fd = new FormData();
  for (const p of parts) {
    if ('image' in p) fd.append(p.name, p.image.data, p.image.name);
    else fd.append(p.name, p.value);
  }
  return { body: fd };
}
