/**
 * Reads summary.xlsx back as SpreadsheetML, the way Excel sees it: each cell's type attribute
 * (`t="n"` or absent = number, `t="b"` boolean, `t="s"` shared string, `t="str"`/`t="inlineStr"`
 * text), its raw value and its number format. Tests only; deliberately not XLSX.read, so a test
 * checks what was written rather than what a reader makes of it.
 */
import { strFromU8, unzipSync } from 'fflate';

export interface XmlCell {
  ref: string;
  /** The t attribute; "n" when absent (the default). */
  t: string;
  /** The cell's text: the raw <v> for numbers and booleans, the string itself for text cells. */
  text: string;
  /** The number format code of the cell's style ("General" when none). */
  numFmt: string;
}

export interface XmlSheet {
  name: string;
  xml: string;
  cells: Map<string, XmlCell>;
  /** Row 1's texts, by column letter order. */
  header: string[];
  /** Cells of the column whose header is `header`, rows 2.. in order (undefined for empty cells). */
  column(header: string): (XmlCell | undefined)[];
  /** Rows 2.. as header → cell. */
  rows(): Map<string, XmlCell>[];
}

const BUILTIN_FORMATS: Record<number, string> = {
  0: 'General', 1: '0', 2: '0.00', 3: '#,##0', 4: '#,##0.00', 9: '0%', 10: '0.00%', 11: '0.00E+00',
  14: 'm/d/yy', 15: 'd-mmm-yy', 16: 'd-mmm', 17: 'mmm-yy', 18: 'h:mm AM/PM', 19: 'h:mm:ss AM/PM',
  20: 'h:mm', 21: 'h:mm:ss', 22: 'm/d/yy h:mm', 45: 'mm:ss', 46: '[h]:mm:ss', 47: 'mmss.0', 49: '@',
};

const unescape = (s: string) => s
  .replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&');

/** True when a number format shows a date or time (what makes a numeric cell a date cell in Excel). */
export function isDateFormat(code: string): boolean {
  const bare = code.replace(/"[^"]*"|\[[^\]]*\]|\\./g, '');
  return /[ymdhs]/i.test(bare) && !/^General$/i.test(bare);
}

const colIndex = (ref: string) => [...ref.replace(/\d+$/, '')].reduce((n, ch) => n * 26 + ch.charCodeAt(0) - 64, 0) - 1;
const rowNumber = (ref: string) => Number(/\d+$/.exec(ref)![0]);

export function readWorkbookXml(bytes: Uint8Array): Map<string, XmlSheet> {
  const files = unzipSync(bytes);
  const text = (p: string) => (files[p] ? strFromU8(files[p]) : '');
  const shared = [...text('xl/sharedStrings.xml').matchAll(/<si>([\s\S]*?)<\/si>/g)]
    .map((m) => unescape([...m[1]!.matchAll(/<t[^>]*>([\s\S]*?)<\/t>/g)].map((t) => t[1]).join('')));
  const styles = text('xl/styles.xml');
  const custom = new Map([...styles.matchAll(/<numFmt numFmtId="(\d+)" formatCode="([^"]*)"\/>/g)].map((m) => [Number(m[1]), unescape(m[2]!)]));
  const xfBlock = /<cellXfs[^>]*>([\s\S]*?)<\/cellXfs>/.exec(styles)?.[1] ?? '';
  const xfFormats = [...xfBlock.matchAll(/<xf ([^>]*?)\/?>/g)].map((m) => Number(/numFmtId="(\d+)"/.exec(m[1]!)?.[1] ?? 0));
  const formatOf = (s: number) => {
    const id = xfFormats[s] ?? 0;
    return custom.get(id) ?? BUILTIN_FORMATS[id] ?? `#${id}`;
  };

  const rels = new Map([...text('xl/_rels/workbook.xml.rels').matchAll(/<Relationship ([^>]*)\/>/g)].map((m) => {
    const id = /Id="([^"]+)"/.exec(m[1]!)![1]!;
    const target = /Target="([^"]+)"/.exec(m[1]!)![1]!;
    return [id, target.replace(/^\/?(xl\/)?/, 'xl/')];
  }));
  const out = new Map<string, XmlSheet>();
  for (const m of text('xl/workbook.xml').matchAll(/<sheet ([^>]*)\/>/g)) {
    const name = unescape(/name="([^"]+)"/.exec(m[1]!)![1]!);
    const rid = /r:id="([^"]+)"/.exec(m[1]!)![1]!;
    const xml = text(rels.get(rid)!);
    const cells = new Map<string, XmlCell>();
    for (const c of xml.matchAll(/<c ([^>]*?)(?:\/>|>([\s\S]*?)<\/c>)/g)) {
      const attrs = c[1]!;
      const ref = /r="([A-Z]+\d+)"/.exec(attrs)![1]!;
      const t = /\bt="([^"]+)"/.exec(attrs)?.[1] ?? 'n';
      const s = Number(/\bs="(\d+)"/.exec(attrs)?.[1] ?? 0);
      const inner = c[2] ?? '';
      const v = /<v(?: [^>]*)?>([\s\S]*?)<\/v>/.exec(inner)?.[1] ?? '';
      const cellText = t === 's' ? shared[Number(v)] ?? '' : t === 'inlineStr' ? unescape(/<t[^>]*>([\s\S]*?)<\/t>/.exec(inner)?.[1] ?? '') : unescape(v);
      cells.set(ref, { ref, t, text: cellText, numFmt: formatOf(s) });
    }
    const headerCells = [...cells.values()].filter((c) => rowNumber(c.ref) === 1).sort((a, b) => colIndex(a.ref) - colIndex(b.ref));
    const header = headerCells.map((c) => c.text);
    const lastRow = Math.max(1, ...[...cells.keys()].map(rowNumber));
    const letterOf = (h: string) => {
      const cell = headerCells.find((c) => c.text === h);
      if (!cell) throw new Error(`Sheet "${name}" has no column "${h}"; it has ${header.join(', ')}`);
      return cell.ref.replace(/\d+$/, '');
    };
    out.set(name, {
      name, xml, cells, header,
      column: (h) => {
        const letter = letterOf(h);
        return Array.from({ length: lastRow - 1 }, (_, i) => cells.get(`${letter}${i + 2}`));
      },
      rows: () => Array.from({ length: lastRow - 1 }, (_, i) => new Map(headerCells.flatMap((hc) => {
        const cell = cells.get(`${hc.ref.replace(/\d+$/, '')}${i + 2}`);
        return cell ? [[hc.text, cell] as const] : [];
      }))),
    });
  }
  return out;
}
