import { describe, expect, it } from 'vitest';
import { findLabelsEntry, labelledLine, labelsUsedSentence, loadZipLabels, parseExpected, parseLabels, zipLabelsOverridden } from './labels.ts';

const ids = ['same01', 'same02', 'diff01', 'diff02', 'a;b'];
const parse = (text: string) => parseLabels(text, { source: 'labels.csv', pairIds: ids });

describe('parseExpected', () => {
  it.each([
    ['same', 'same'], ['SAME', 'same'], ['1', 'same'], ['True', 'same'], ['yes', 'same'], ['Match', 'same'],
    ['different', 'different'], ['0', 'different'], ['FALSE', 'different'], ['No', 'different'], ['no_match', 'different'], ['NO_MATCH', 'different'],
    [' different ', 'different'], ['maybe', null], ['', null], ['2', null],
  ])('%j → %j', (v, want) => expect(parseExpected(v)).toBe(want));
});

describe('parseLabels', () => {
  it('reads a plain file and counts both classes', () => {
    const l = parse('pair_id,expected\nsame01,same\nsame02,1\ndiff01,different\ndiff02,no\n');
    expect(l.problems).toEqual([]);
    expect([...l.labels]).toEqual([['same01', 'same'], ['same02', 'same'], ['diff01', 'different'], ['diff02', 'different']]);
    expect([l.same, l.different]).toEqual([2, 2]);
  });

  it('handles a BOM, CRLF, `;` separators and quoted fields with the separator inside', () => {
    const l = parse('\ufeffpair_id;expected\r\n"a;b";"same"\r\nsame01;"TRUE"\r\n\r\ndiff01;no_match\r\n');
    expect(l.problems).toEqual([]);
    expect([...l.labels]).toEqual([['a;b', 'same'], ['same01', 'same'], ['diff01', 'different']]);
  });

  it('names the line of unknown ids (with a case hint), duplicates and bad values, and keeps the rest', () => {
    const l = parse([
      'pair_id,expected',
      'same01,same', // 2
      'nobody,same', // 3
      'SAME02,same', // 4
      'same01,different', // 5
      'diff01,perhaps', // 6
      '"diff02",0', // 7
    ].join('\r\n'));
    expect(l.problems).toEqual([
      'labels.csv line 6: expected "perhaps" for diff01 is not a label. Use same or different (or 1/0, true/false, yes/no, match/no_match).',
      'labels.csv line 5: same01 is labelled again with a different value (same there, different here); line 2 is used. Keep one line per pair.',
      'labels.csv line 3: nobody is not a pair in the ZIP, so this label is not used. Check the spelling against the ZIP\'s <stem>_image1/_image2 names.',
      'labels.csv line 4: SAME02 is not a pair in the ZIP, so this label is not used. Did you mean same02? pair_ids are case-sensitive.',
    ]);
    expect([...l.labels]).toEqual([['same01', 'same'], ['diff02', 'different']]);
  });

  it('counts line numbers across a quoted field that spans lines', () => {
    const l = parse('pair_id,expected,comment\nsame01,same,"two\nlines"\ndiff01,bad,x\n');
    expect(l.problems).toEqual([expect.stringMatching(/^labels\.csv line 4: expected "bad"/)]);
  });

  it('asks for the header when it is missing, and for lines when there are none', () => {
    expect(parse('same01,same\n').problems).toEqual([
      'labels.csv line 1 must be the header "pair_id,expected" (found "same01, same"). Add that header line, then choose the file again.',
    ]);
    expect(parse('pair_id,expected\n').problems).toEqual([
      'labels.csv has a header but no label lines. Add one line per pair, e.g. "customer01,same".',
    ]);
    expect(parse('').problems[0]).toMatch(/^labels\.csv is empty\./);
  });

  it('reports an unclosed quote', () => {
    expect(parse('pair_id,expected\nsame01,"same\n').problems[0]).toMatch(/^labels\.csv line 2: a quoted field is not closed/);
  });

  it('keeps every label when no pair list is given', () => {
    expect(parseLabels('pair_id,expected\nx,1\n', { source: 'l.csv' }).labels.get('x')).toBe('same');
  });
});

describe('findLabelsEntry', () => {
  it('takes the shallowest labels.csv, any case, and lists the others', () => {
    expect(findLabelsEntry(['b/labels.csv', 'a/c/labels.csv', 'x_image1.jpg', 'Labels.CSV', '__MACOSX/labels.csv'])).toEqual({
      path: 'Labels.CSV', ignored: ['b/labels.csv', 'a/c/labels.csv'],
    });
    expect(findLabelsEntry(['batch/labels.csv', 'batch/x_image1.jpg'])).toEqual({ path: 'batch/labels.csv', ignored: [] });
    expect(findLabelsEntry(['pairs.csv'])).toBeNull();
  });
});

describe('labelledLine', () => {
  it('says how many pairs are loaded and labelled', () => {
    expect(labelledLine(12, parse('pair_id,expected\nsame01,same\ndiff01,0\ndiff02,0\n'))).toBe('12 pair(s) loaded · 3 labelled (1 same, 2 different)');
    expect(labelledLine(1, null)).toBe('1 pair(s) loaded');
  });
});

describe('loadZipLabels', () => {
  it('reads the shallowest labels.csv of a real ZIP and says which was used', async () => {
    const { zipSync, strToU8 } = await import('fflate');
    const { openZip } = await import('../zip/zip.ts');
    const jpeg = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 16, 0x4a, 0x46, 0x49, 0x46, 0, 1]);
    const bytes = zipSync({
      'set/same01_image1.jpg': jpeg, 'set/same01_image2.jpg': jpeg,
      'set/diff01_image1.jpg': jpeg, 'set/diff01_image2.jpg': jpeg,
      'set/labels.csv': strToU8('\ufeffpair_id;expected\r\nsame01;SAME\r\ndiff01;0\r\nnope;1\r\n'),
      'set/old/labels.csv': strToU8('pair_id,expected\nsame01,different\n'),
    });
    const zip = await openZip(bytes, 'pairs.zip');
    const { labels, skipped } = await loadZipLabels(zip, 'pairs.zip');
    expect(labels!.source).toBe('set/labels.csv in pairs.zip');
    expect([...labels!.labels]).toEqual([['same01', 'same'], ['diff01', 'different']]);
    expect(labels!.problems).toEqual([expect.stringMatching(/^set\/labels\.csv in pairs\.zip line 4: nope is not a pair in the ZIP/)]);
    // The one used is not "skipped": the load report says it is used instead.
    expect(skipped.filter((s) => s.path.endsWith('labels.csv'))).toEqual([
      { path: 'set/old/labels.csv', reason: 'Labels: not used; the shallowest labels.csv (set/labels.csv) is the one used.' },
    ]);
    expect(labelsUsedSentence(labels!)).toBe('Labels: set/labels.csv in pairs.zip is used as the expected outcome of each pair (pair_id,expected).');
    // With labels given elsewhere (the CLI's --labels), the ZIP's own labels.csv files are overridden, not misnamed pairs.
    expect(zipLabelsOverridden(zip.skipped, '--labels mine.csv').filter((s) => s.path.endsWith('labels.csv'))).toEqual([
      { path: 'set/labels.csv', reason: 'Labels: not used; overridden by --labels mine.csv.' },
      { path: 'set/old/labels.csv', reason: 'Labels: not used; overridden by --labels mine.csv.' },
    ]);
  });
});
