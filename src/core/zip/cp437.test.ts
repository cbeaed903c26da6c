import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { CP437_HIGH, decodeCp437 } from './cp437.ts';

// SheetJS's maintained code-page tables (a dependency of xlsx) as the reference.
const require = createRequire(import.meta.url);
const cptable = require('codepage') as { utils: { decode(cp: number, data: Uint8Array | number[]): string } };

describe('code page 437', () => {
  it('maps all 128 high bytes exactly like a maintained code-page table', () => {
    expect(CP437_HIGH).toHaveLength(128);
    const high = Array.from({ length: 128 }, (_, i) => 0x80 + i);
    expect(decodeCp437(new Uint8Array(high))).toBe(cptable.utils.decode(437, high));
  });

  it('keeps ASCII as ASCII and decodes the names Windows writes', () => {
    expect(decodeCp437(new Uint8Array([0x63, 0x61, 0x66, 0x82]))).toBe('café');
    expect(decodeCp437(new Uint8Array([0x4d, 0x81, 0x6c, 0x6c, 0x65, 0x72]))).toBe('Müller');
  });
});
