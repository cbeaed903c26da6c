/**
 * jpeg-js (image-js's JPEG encoder) returns `Buffer.from(bytes)` once bundled, where a CommonJS
 * `module` is defined: a browser has no Buffer, so the `buffer` package's stands in, loaded only
 * where a variant is made. The bytes are the same as Node's.
 */
export async function ensureBuffer(): Promise<void> {
  const scope = globalThis as { Buffer?: unknown };
  if (scope.Buffer !== undefined) return;
  const { Buffer } = await import('buffer');
  scope.Buffer ??= Buffer;
}
