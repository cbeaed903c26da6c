/**
 * Template substitution for provider definitions: `{{name}}` placeholders replaced by values,
 * nothing else. There are no expressions, filters or code: an unknown name is an error the schema
 * reports before a call is made, and stays empty at call time.
 */

/** A placeholder: `{{ image1.base64 }}`, `{{credentials.api_key}}`. */
const PLACEHOLDER = /\{\{\s*([A-Za-z0-9_.-]+)\s*\}\}/g;

/** The names a template may use besides `credentials.<key>` and `steps.<id>.<name>`. */
export const TEMPLATE_NAMES = [
  'image1', 'image2', 'image1.base64', 'image2.base64', 'image1.dataUrl', 'image2.dataUrl',
  'image1.name', 'image2.name', 'unique_id', 'uuid',
] as const;

/** The placeholders used in a template string, in order. */
export function placeholders(template: string): string[] {
  return [...template.matchAll(PLACEHOLDER)].map((m) => m[1]!);
}

/** Why a placeholder name is not one a definition may use; null when it is. */
export function placeholderProblem(name: string, credentialKeys: readonly string[], stepIds: readonly string[]): string | null {
  if ((TEMPLATE_NAMES as readonly string[]).includes(name)) return null;
  const cred = /^credentials\.(.+)$/.exec(name);
  if (cred) {
    return credentialKeys.includes(cred[1]!)
      ? null
      : `{{${name}}} names the credential "${cred[1]}", which the definition does not declare; add it to "credentials" or fix the name`;
  }
  const step = /^steps\.([^.]+)\.(.+)$/.exec(name);
  if (step) {
    return stepIds.includes(step[1]!)
      ? null
      : `{{${name}}} names the step "${step[1]}", which the definition does not declare`;
  }
  return `{{${name}}} is not a value a template can use; use one of ${TEMPLATE_NAMES.map((n) => `{{${n}}}`).join(', ')}, {{credentials.<key>}} or {{steps.<id>.<name>}}`;
}

/** A template that is exactly one image placeholder (`{{image1}}`): the image is sent as a file. */
export function wholeImage(template: string): 0 | 1 | null {
  const m = /^\s*\{\{\s*image([12])\s*\}\}\s*$/.exec(template);
  return m ? (Number(m[1]) - 1) as 0 | 1 : null;
}

/** Replaces every placeholder with `lookup(name)`; an unknown name gives ''. */
export function substitute(template: string, lookup: (name: string) => string | undefined): string {
  return template.replace(PLACEHOLDER, (_all, name: string) => lookup(name) ?? '');
}

/** Substitutes every string inside a JSON value (keys and non-string values are kept as written). */
export function substituteJson(value: unknown, lookup: (name: string) => string | undefined): unknown {
  if (typeof value === 'string') return substitute(value, lookup);
  if (Array.isArray(value)) return value.map((v) => substituteJson(v, lookup));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substituteJson(v, lookup)]));
  }
  return value;
}

/** Every template string inside a JSON value, with its path (for validation). */
export function jsonStrings(value: unknown, path: string[] = []): { path: string[]; text: string }[] {
  if (typeof value === 'string') return [{ path, text: value }];
  if (Array.isArray(value)) return value.flatMap((v, i) => jsonStrings(v, [...path, String(i)]));
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => jsonStrings(v, [...path, k]));
  return [];
}

/** Base64 of bytes, in chunks (no Buffer, no DOM: runs in browsers, workers and Node). */
export function toBase64(bytes: Uint8Array): string {
  let out = '';
  const CHUNK = 0x8000;
  for (let i = 0; i < bytes.length; i += CHUNK) {
    out += String.fromCharCode(...bytes.subarray(i, i + CHUNK));
  }
  return btoa(out);
}

/** A random (version 4) UUID; crypto.randomUUID is missing on pages served over plain http. */
export function uuidV4(): string {
  const b = new Uint8Array(16);
  globalThis.crypto.getRandomValues(b);
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
