/**
 * Builds a call's body and headers from a definition's request template: multipart, json,
 * urlencoded or octet, with the credentials' headers and body fields. Used for the main call and
 * for each preparatory step; `preview` gives the same request for cURL without reading images.
 */
import { authValue, multipartBody, type BuiltBody, type Credentials, type ImagePart, type Part } from './parts.ts';
import {
  placeholders, substitute, substituteJson, toBase64, uuidV4, wholeImage,
} from './template.ts';
import type { HeaderRule, ProviderContract, RequestTemplate } from './types.ts';

export { bytesPart, multipartBody, type BuiltBody, type Credentials, type ImagePart } from './parts.ts';
export { uuidV4 } from './template.ts';

/** What a template's placeholders are replaced with for one call. */
export interface TemplateContext {
  images: readonly [ImagePart, ImagePart];
  uniqueId?: string;
  credentials: Credentials;
  /** Values captured by the preparatory steps: steps.<id>.<name>. */
  steps?: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /** The call's {{uuid}} (one per call). */
  uuid?: string;
  /** Base64 of each image, when a template needs it (prepareImages). */
  base64?: readonly [string, string];
}

/** The request template of a definition: its own, or multipart of imageFields then uniqueIdField. */
export function requestTemplate(contract: Pick<ProviderContract, 'request' | 'imageFields' | 'uniqueIdField'>): RequestTemplate {
  if (contract.request) return contract.request;
  const [f1, f2] = contract.imageFields;
  return {
    encoding: 'multipart',
    fields: [
      { name: f1, value: '{{image1}}' },
      { name: f2, value: '{{image2}}' },
      ...(contract.uniqueIdField ? [{ name: contract.uniqueIdField, value: '{{unique_id}}' }] : []),
    ],
  };
}

/** Every template string of a request template. */
function templateStrings(t: RequestTemplate): string[] {
  const out = [...(t.fields ?? []).map((f) => f.value), ...(t.headers ?? []).map((h) => h.value)];
  if (t.octet) out.push(t.octet);
  if (t.json !== undefined) out.push(...jsonTexts(t.json));
  return out;
}

function jsonTexts(v: unknown): string[] {
  if (typeof v === 'string') return [v];
  if (Array.isArray(v)) return v.flatMap(jsonTexts);
  if (v && typeof v === 'object') return Object.values(v).flatMap(jsonTexts);
  return [];
}

/** True when the request sends an image as text (base64 or data URL), so the bytes must be read first. */
export function needsBase64(t: RequestTemplate): boolean {
  const textual = t.encoding === 'json' || t.encoding === 'urlencoded';
  return templateStrings(t).some((s) => placeholders(s).some((p) => /^image[12]\.(base64|dataUrl)$/.test(p) || (textual && /^image[12]$/.test(p))));
}

/** The bytes of an image part. */
export async function imageBytes(part: ImagePart): Promise<Uint8Array> {
  return part.bytes ?? new Uint8Array(await part.data.arrayBuffer());
}

/** Reads both images as base64 when the template needs them. */
export async function withBase64(t: RequestTemplate, ctx: TemplateContext): Promise<TemplateContext> {
  if (ctx.base64 || !needsBase64(t)) return ctx;
  const [a, b] = await Promise.all(ctx.images.map(imageBytes));
  return { ...ctx, base64: [toBase64(a!), toBase64(b!)] };
}

function mediaType(part: ImagePart): string {
  return part.type || part.data.type || 'application/octet-stream';
}

/** The value of one placeholder for a call; undefined for an unknown name. */
export function lookupIn(ctx: TemplateContext): (name: string) => string | undefined {
  const uuid = ctx.uuid ?? uuidV4();
  return (name) => {
    const img = /^image([12])(?:\.(base64|dataUrl|name))?$/.exec(name);
    if (img) {
      const i = Number(img[1]) - 1;
      const part = ctx.images[i]!;
      if (img[2] === 'name') return part.name;
      const b64 = ctx.base64?.[i] ?? '';
      return img[2] === 'dataUrl' ? `data:${mediaType(part)};base64,${b64}` : b64;
    }
    if (name === 'unique_id') return ctx.uniqueId?.trim() ?? '';
    if (name === 'uuid') return uuid;
    const cred = /^credentials\.(.+)$/.exec(name);
    if (cred) return own(ctx.credentials, cred[1]!)?.trim() ?? '';
    const step = /^steps\.([^.]+)\.(.+)$/.exec(name);
    if (step) return own(own(ctx.steps ?? {}, step[1]!) ?? {}, step[2]!);
    return undefined;
  };
}

/** A record's own value (never one inherited from Object.prototype, e.g. `constructor`). */
function own<T>(rec: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(rec, key) ? rec[key] : undefined;
}

/** The multipart / urlencoded fields in order: the template's, then the credentials' body fields; empty ones left out. */
export function fieldParts(t: RequestTemplate, authFields: readonly HeaderRule[] | undefined, ctx: TemplateContext): Part[] {
  const lookup = lookupIn(ctx);
  const parts: Part[] = [];
  for (const f of t.fields ?? []) {
    const slot = t.encoding === 'multipart' ? wholeImage(f.value) : null;
    if (slot !== null) parts.push({ name: f.name, image: ctx.images[slot] });
    else {
      const value = substitute(f.value, lookup);
      if (value !== '') parts.push({ name: f.name, value });
    }
  }
  for (const rule of authFields ?? []) {
    const value = authValue(rule, ctx.credentials);
    if (value) parts.push({ name: rule.name, value });
  }
  return parts;
}

/** The template's own headers (e.g. transactionId: {{uuid}}), empty ones left out. */
export function templateHeaders(t: RequestTemplate, ctx: TemplateContext): Record<string, string> {
  const lookup = lookupIn(ctx);
  const out: Record<string, string> = {};
  for (const h of t.headers ?? []) {
    const v = substitute(h.value, lookup);
    if (v !== '') out[h.name] = v;
  }
  return out;
}

/** The body of a call and the Content-Type it needs (none for FormData: fetch sets it). */
export async function buildTemplateBody(
  t: RequestTemplate, authFields: readonly HeaderRule[] | undefined, ctx: TemplateContext,
): Promise<{ body: BuiltBody; contentType?: string }> {
  const full = await withBase64(t, ctx);
  switch (t.encoding) {
    case 'multipart':
      return multipartBody(fieldParts(t, authFields, full));
    case 'urlencoded': {
      const form = new URLSearchParams();
      for (const p of fieldParts(t, authFields, full)) form.append(p.name, 'value' in p ? p.value : '');
      return { body: form.toString(), contentType: BODY_CONTENT_TYPE.urlencoded };
    }
    case 'json':
      return { body: JSON.stringify(jsonBodyValue(t, authFields, full)), contentType: BODY_CONTENT_TYPE.json };
    case 'octet':
      return { body: (await imageBytes(full.images[octetSlot(t)])) as Uint8Array<ArrayBuffer>, contentType: BODY_CONTENT_TYPE.octet };
  }
}

/** The Content-Type each encoding is sent with, unless the template's headers name one (multipart: set by fetch). */
export const BODY_CONTENT_TYPE = {
  urlencoded: 'application/x-www-form-urlencoded',
  json: 'application/json',
  octet: 'application/octet-stream',
} as const;

/** The image an octet body is. */
export function octetSlot(t: RequestTemplate): 0 | 1 {
  return wholeImage(t.octet ?? '') ?? 0;
}

/** A json body's value: the template with every string substituted (a whole image as base64), then the credentials' body fields. */
export function jsonBodyValue(t: RequestTemplate, authFields: readonly HeaderRule[] | undefined, ctx: TemplateContext): unknown {
  const lookup = lookupIn(ctx);
  const value = substituteJson(t.json ?? {}, (name) => (/^image[12]$/.test(name) ? lookup(`${name}.base64`) : lookup(name)));
  if (authFields?.length && value && typeof value === 'object' && !Array.isArray(value)) {
    for (const rule of authFields) {
      const v = authValue(rule, ctx.credentials);
      if (v) (value as Record<string, unknown>)[rule.name] = v;
    }
  }
  return value;
}
