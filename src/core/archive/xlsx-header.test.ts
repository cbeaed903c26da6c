import { strFromU8, unzipSync } from 'fflate';
import * as XLSX from 'xlsx';
import { describe, expect, it } from 'vitest';
import { kwikid } from '../contracts/contracts.ts';
import { notRunRecord } from '../run/records.ts';
import { buildSummaryWorkbook } from './report.ts';
import { addBoldCellFormat, styleHeaderRow } from './xlsx-header.ts';

describe('bold, frozen header rows in summary.xlsx', () => {
  it('marks every header cell of every sheet bold and freezes the pane below row 1', async () => {
    const records = [notRunRecord({ pair_id: 'p1', image1_path: 'p1_image1.jpg', image2_path: 'p1_image2.jpg' })];
    const bytes = await buildSummaryWorkbook({
      records, skipped: [], notices: [], contract: kwikid, endpoint: 'http://x/facematch',
      startedAt: '2026-01-01T00:00:00Z', finishedAt: '2026-01-01T00:00:01Z',
    });
    const files = unzipSync(bytes);
    const styles = strFromU8(files['xl/styles.xml']!);
    const fonts = [...styles.matchAll(/<font>([\s\S]*?)<\/font>/g)].map((m) => m[1]!);
    const boldFontId = fonts.findIndex((f) => f.includes('<b/>'));
    expect(boldFontId).toBeGreaterThan(-1);
    const xfs = [...styles.replace(/^[\s\S]*<cellXfs[^>]*>|<\/cellXfs>[\s\S]*$/g, '').matchAll(/<xf [^>]*>/g)].map((m) => m[0]);
    const boldXf = xfs.findIndex((x) => x.includes(`fontId="${boldFontId}"`));
    expect(boldXf).toBeGreaterThan(-1);

    const sheets = Object.keys(files).filter((p) => /^xl\/worksheets\/sheet\d+\.xml$/.test(p));
    expect(sheets).toHaveLength(4);
    for (const path of sheets) {
      const xml = strFromU8(files[path]!);
      expect(xml).toContain('<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>');
      const header = /<row r="1"[^>]*>([\s\S]*?)<\/row>/.exec(xml)![1]!;
      const cells = [...header.matchAll(/<c [^>]*>/g)].map((m) => m[0]);
      expect(cells.length).toBeGreaterThan(0);
      for (const c of cells) expect(c).toContain(`s="${boldXf}"`);
      // Data rows keep their own formats.
      expect(/<row r="2"[^>]*>[\s\S]*?<\/row>/.exec(xml)![0]).not.toContain(`s="${boldXf}"`);
    }
    // The file still reads back, with its header intact.
    const wb = XLSX.read(bytes, { type: 'array' });
    expect(XLSX.utils.sheet_to_json<unknown[]>(wb.Sheets.Summary!, { header: 1 })[0]![0]).toBe('input_order');
  });

  it('leaves XML it does not recognise untouched', () => {
    expect(addBoldCellFormat('<styleSheet/>')).toBeNull();
    const sheet = '<worksheet><sheetViews><sheetView tabSelected="1"/></sheetViews><sheetData/></worksheet>';
    expect(styleHeaderRow(sheet, 1)).toBe(sheet);
  });
});
