import { describe, expect, it } from 'vitest';
import { describeTypeWithArticle, formatBytes } from '../zip/filetype.ts';
import { errorText } from './text.ts';

describe('wording rules that live in one place', () => {
  it('a/an: "an empty file", "a PNG image", and no article before a mass noun ("unrecognised data")', () => {
    expect(describeTypeWithArticle('empty')).toBe('an empty file');
    expect(describeTypeWithArticle('png')).toBe('a PNG image');
    expect(describeTypeWithArticle('heic')).toBe('a HEIC image');
    expect(describeTypeWithArticle('unknown')).toBe('unrecognised data');
  });

  it('formatBytes and errorText give the short forms sentences use', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(3 * 1024 * 1024)).toBe('3.0 MB');
    expect(errorText(new TypeError('bad entry'))).toBe('bad entry');
    expect(errorText('plain')).toBe('plain');
  });
});
