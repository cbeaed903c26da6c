/**
 * Bold, frozen header rows for the workbook that `xlsx` (SheetJS community 0.18.5) writes.
 *
 * That writer has no cell styles and no panes: it emits one font and a bare `<sheetView/>`.
 * Rather than replace it, this opens its output (fflate) and makes three small, well-defined edits
 * to the SpreadsheetML it produced:
 *   - styles.xml: one more font (bold) and one more cell format using it;
 *   - each sheet: row 1's cells point at that cell format;
 *   - each sheet: the sheet view gets a frozen pane below row 1.
 * Anything it does not recognise is left untouched, so a future writer change degrades to a plain
 * header rather than a broken file.
 */

const SHEET_PATH = /^xl\/worksheets\/sheet\d+\.xml$/;

/** Adds a bold font and a cell format using it; returns the new styles XML and the format's index. */
export function addBoldCellFormat(styles: string): { xml: string; index: number } | null {
  const fonts = /<fonts count="(\d+)">([\s\S]*?)<\/fonts>/.exec(styles);
  const xfs = /<cellXfs count="(\d+)">([\s\S]*?)<\/cellXfs>/.exec(styles);
  const firstFont = fonts ? /<font>([\s\S]*?)<\/font>/.exec(fonts[2]!) : null;
  if (!fonts || !xfs || !firstFont) return null;
  const fontCount = Number(fonts[1]);
  const xfCount = Number(xfs[1]);
  const boldFont = `<font><b/>${firstFont[1]!.replace(/<b\/>/g, '')}</font>`;
  let xml = styles.replace(fonts[0], `<fonts count="${fontCount + 1}">${fonts[2]}${boldFont}</fonts>`);
  xml = xml.replace(
    /<cellXfs count="(\d+)">([\s\S]*?)<\/cellXfs>/,
    `<cellXfs count="${xfCount + 1}">${xfs[2]}<xf numFmtId="0" fontId="${fontCount}" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>`,
  );
  return { xml, index: xfCount };
}

/** Points row 1's cells at `styleIndex` and freezes the pane below row 1. */
export function styleHeaderRow(sheet: string, styleIndex: number): string {
  const withStyle = sheet.replace(/<row r="1"([^>]*)>([\s\S]*?)<\/row>/, (_m, attrs: string, cells: string) => {
    const styled = cells.replace(/<c r="([A-Z]+1)"( s="\d+")?/g, `<c r="$1" s="${styleIndex}"`);
    return `<row r="1"${attrs}>${styled}</row>`;
  });
  const pane = '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/><selection pane="bottomLeft" activeCell="A2" sqref="A2"/>';
  return withStyle.replace(/<sheetView workbookViewId="0"\/>/, `<sheetView workbookViewId="0">${pane}</sheetView>`);
}

/** The workbook's parts (path → bytes), as its ZIP holds them. */
export type WorkbookParts = Record<string, Uint8Array>;

/** Makes every sheet's first row bold and frozen, in place; returns the bold format's index (null: left plain). */
export async function boldFrozenHeaderParts(files: WorkbookParts): Promise<number | null> {
  const { strFromU8, strToU8 } = await import('fflate');
  const styles = files['xl/styles.xml'];
  if (!styles) return null;
  const bold = addBoldCellFormat(strFromU8(styles));
  if (!bold) return null;
  files['xl/styles.xml'] = strToU8(bold.xml);
  for (const [path, data] of Object.entries(files)) {
    if (SHEET_PATH.test(path)) files[path] = strToU8(styleHeaderRow(strFromU8(data), bold.index));
  }
  return bold.index;
}
