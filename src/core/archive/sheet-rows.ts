/**
 * SpreadsheetML `<row>` elements for data rows, written the way the workbook writer (`xlsx`,
 * SheetJS community 0.18.5) writes them, so that rows written one by one as a run goes can be
 * spliced into the sheet it writes at the end (archive-stream.ts).
 *
 * The same cell rules as the writer: a number is `<c r s><v>`, a boolean `t="b"`, a string
 * `t="str"` with the writer's escaping (XML entities; control characters as `_xHHHH_`); an empty
 * cell is left out. Which style a number takes is the caller's: the index the writer gave its
 * column's number format (read from a probe row it wrote, see archive-stream.ts).
 */

/** The cell as the writer's worksheet holds it (report.ts `sheetCell`). */
export interface SheetCell {
  t: 'n' | 'b' | 's';
  v: number | boolean | string;
  /** Number format; only numbers carry one. */
  z?: string;
}

/** The longest text a cell may hold (Excel's limit; the writer refuses longer). */
export const MAX_CELL_TEXT = 32_767;

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', "'": '&apos;', '"': '&quot;' };

/** Text as the writer escapes it inside `<v>`. */
export function escapeCellText(text: string): string {
  return text
    .replace(/[&<>'"]/g, (c) => ENTITIES[c]!)
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u0008\u000b-\u001f]/g, (c) => `_x${c.charCodeAt(0).toString(16).padStart(4, '0')}_`);
}

/** An element as the writer writes it: `xml:space="preserve"` when its content starts or ends with space or holds a line break. */
const element = (name: string, attrs: string, inner: string) =>
  `<${name}${attrs}${/(^\s|\s$|\n)/.test(inner) ? ' xml:space="preserve"' : ''}>${inner}</${name}>`;

/**
 * One `<row>`: `cells[c]` in column `letters[c]`; `styleOf(c)` is the style index of a number in
 * column c (0 = none). Returns null when a cell cannot be written this way (text over
 * MAX_CELL_TEXT, or a number whose format is not its column's), so the caller can fall back to
 * the writer itself.
 */
export function rowXml(row: number, letters: readonly string[], cells: readonly (SheetCell | null)[], styleOf: (column: number, z: string | undefined) => number | null): string | null {
  let out = '';
  for (let c = 0; c < cells.length; c++) {
    const cell = cells[c];
    if (!cell) continue;
    const ref = `${letters[c]}${row}`;
    if (cell.t === 'n') {
      const s = styleOf(c, cell.z);
      if (s === null) return null;
      out += element('c', ` r="${ref}"${s ? ` s="${s}"` : ''}`, element('v', '', String(cell.v)));
    } else if (cell.t === 'b') {
      out += element('c', ` r="${ref}" t="b"`, element('v', '', cell.v ? '1' : '0'));
    } else {
      const text = String(cell.v);
      if (text.length > MAX_CELL_TEXT) return null;
      out += element('c', ` r="${ref}" t="str"`, element('v', '', escapeCellText(text)));
    }
  }
  return element('row', ` r="${row}"`, out);
}
