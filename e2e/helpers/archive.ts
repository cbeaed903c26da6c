/**
 * Reading the bulk results archive a test downloaded: results/*.json records, summary.xlsx's
 * sheets (read with XLSX.read), and every entry's bytes (the xlsx's own XML parts included).
 * Tests only.
 */
import { readFile } from 'node:fs/promises';
import type { Download } from '@playwright/test';
import JSZip from 'jszip';
import * as XLSX from 'xlsx';

/** One results/<pair_id>.json, as the archive holds it. */
export interface ArchiveRecord {
  pair_id: string;
  image1_path: string;
  image2_path: string;
  success: boolean;
  http_status: number | null;
  response_time_ms: number | null;
  body?: unknown;
  error?: { type: string; message: string };
  error_body?: unknown;
  attempts: number;
  /** With labels: labels.csv's other cells for this pair (e.g. {"capture": "selfie"}). */
  label_columns?: Record<string, string>;
}

export type SummaryRow = Record<string, string | number | boolean | undefined>;

export interface OpenedArchive {
  /** The raw bytes of the downloaded .zip. */
  bytes: Buffer;
  /** Entry names, folders excluded. */
  names: string[];
  /** results/*.json in the archive's order. */
  records: ArchiveRecord[];
  /** Records by pair_id. */
  byPair: Map<string, ArchiveRecord>;
  /** The "Summary" sheet, one object per row keyed by the header. */
  summary: SummaryRow[];
  /** The "Run" sheet as field → value. */
  run: Map<string, string | number | boolean | undefined>;
  sheetNames: string[];
  /** Every decompressed entry, and for summary.xlsx also each of its own (XML) parts as `summary.xlsx!<part>`. */
  entries: Map<string, Buffer>;
}

export async function downloadBytes(download: Download): Promise<Buffer> {
  return readFile(await download.path());
}

export async function openArchive(bytes: Buffer): Promise<OpenedArchive> {
  const zip = await JSZip.loadAsync(bytes);
  const entries = new Map<string, Buffer>();
  const names: string[] = [];
  for (const f of Object.values(zip.files)) {
    if (f.dir) continue;
    names.push(f.name);
    entries.set(f.name, Buffer.from(await f.async('uint8array')));
  }
  const xlsxBytes = entries.get('summary.xlsx');
  if (!xlsxBytes) throw new Error(`The archive has no summary.xlsx; it holds: ${names.join(', ')}`);
  const inner = await JSZip.loadAsync(xlsxBytes);
  for (const f of Object.values(inner.files)) {
    if (!f.dir) entries.set(`summary.xlsx!${f.name}`, Buffer.from(await f.async('uint8array')));
  }

  const records = names
    .filter((n) => /^results\/[^/]+\.json$/.test(n))
    .map((n) => JSON.parse(entries.get(n)!.toString('utf8')) as ArchiveRecord);
  const byPair = new Map(records.map((r) => [r.pair_id, r]));

  const wb = XLSX.read(xlsxBytes, { type: 'buffer' });
  const summarySheet = wb.Sheets.Summary;
  const runSheet = wb.Sheets.Run;
  if (!summarySheet || !runSheet) throw new Error(`summary.xlsx lacks a sheet; it has ${wb.SheetNames.join(', ')}`);
  const summary = XLSX.utils.sheet_to_json<SummaryRow>(summarySheet);
  const runRows = XLSX.utils.sheet_to_json<{ field: string; value?: string | number | boolean }>(runSheet);
  const run = new Map(runRows.map((r) => [r.field, r.value]));

  return { bytes, names, records, byPair, summary, run, sheetNames: wb.SheetNames, entries };
}

/** Names of the places (raw ZIP, entries, xlsx parts) where `needle` occurs, in UTF-8 or JSON-escaped form. */
export function placesHolding(archive: OpenedArchive, needle: string): string[] {
  const forms = [...new Set([needle, JSON.stringify(needle).slice(1, -1)])].map((s) => Buffer.from(s, 'utf8'));
  const hits: string[] = [];
  if (forms.some((f) => archive.bytes.includes(f))) hits.push('(raw .zip bytes)');
  for (const [name, data] of archive.entries) {
    if (forms.some((f) => data.includes(f))) hits.push(name);
  }
  return hits;
}
