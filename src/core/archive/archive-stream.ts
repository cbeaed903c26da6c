/**
 * The results archive written as the run goes, so that it is ready moments after the last answer
 * instead of being built from scratch when the run ends (10,000 pairs: about a second of work).
 *
 * Each record, as it arrives in input order:
 *   - its results/<pair>.json entry is written into the archive's ZIP stream (report.ts
 *     `resultEntry`: the same names, bytes and stored-or-deflated rule as a whole build);
 *   - its Summary row is written as SpreadsheetML (sheet-rows.ts) and compressed by a DEFLATE
 *     stream that runs alongside.
 * When the run ends, the workbook writer writes the workbook once with a probe row in the Summary
 * sheet (report.ts `workbookParts`); the streamed rows take the probe's place: its DEFLATE is the
 * writer's sheet head (compressed now, sync-flushed), then the streamed rows (sync-flushed), then
 * the sheet's tail — separate DEFLATE streams may be concatenated after a sync flush (zlib's
 * Z_SYNC_FLUSH, from pako: fflate 0.8.3's `flush(true)` loses bits when the stream is not
 * byte-aligned, found by this file's tests). Then
 * report.html and run.json, which need the whole run, and the ZIP's directory.
 *
 * The result is the archive `buildResultsZip` makes, cell for cell and entry for entry (only the
 * order of entries differs: results first). When anything the streamed parts depend on changed by
 * the end — the secrets to redact (a token refreshed mid-run), the labels, the number of records,
 * a cell the row writer cannot write, a cell format the writer numbered differently — finish()
 * builds the whole archive from the records instead: slower, never different.
 */
import { Zip, ZipDeflate, ZipPassThrough, strFromU8, strToU8, type ZipInputFile } from 'fflate';
import { Deflate, deflateRaw, Z_NO_FLUSH, Z_SYNC_FLUSH } from 'pako';
import type { ProviderContract } from '../contracts/contracts.ts';
import type { EvaluationInput } from '../evaluation/evaluation-report.ts';
import { withOutcomes } from '../evaluation/evaluation.ts';
import type { Expected } from '../pairing/labels.ts';
import type { AttributeTable } from '../evaluation/input.ts';
import type { PairRecord } from '../run/records.ts';
import {
  buildReportPage, buildResultsZip, columnLetters, redactRecords, reportContext, resultEntry, sheetCell,
  secretValues, summaryColumns, summaryRow, workbookParts, type ReportInput, type SummaryColumn,
} from './report.ts';
import { rowXml } from './sheet-rows.ts';

/** What is known when the run starts. */
export interface ArchiveStreamBegin {
  contract: ProviderContract;
  /** The secrets to redact, as the run starts. */
  secrets: readonly string[];
  /** The labels, when the run is labelled (records then gain expected/outcome). */
  labels: readonly (readonly [string, Expected])[] | null;
  /** labels.csv's other columns (records then gain label_columns). */
  attributes?: AttributeTable | undefined;
  /** How many records the run will produce (one per pair). */
  total: number;
}

/** What the end of the run adds: everything but the records, which the stream already has. */
export type ArchiveStreamEnd = Omit<ReportInput, 'records'>;

export interface ArchiveStream {
  /** The next records, in input order. */
  add(records: readonly PairRecord[]): void;
  /** The archive's bytes; the stream is spent. */
  finish(end: ArchiveStreamEnd): Promise<Uint8Array>;
  /** How many records were added. */
  readonly count: number;
  /** True once finish() had to build the whole archive from the records (see the top of this file). */
  readonly rebuilt: boolean;
}

const SUMMARY_PATH = 'xl/worksheets/sheet1.xml';
/** Records after which the end's work is rehearsed once more (see rehearse). */
const REHEARSE_AT = 2_000;
const LEVEL = 6;

function concat(chunks: readonly Uint8Array[]): Uint8Array<ArrayBuffer> {
  let size = 0;
  for (const c of chunks) size += c.length;
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) { out.set(c, at); at += c.length; }
  return out;
}

/** A ZIP being written: entries go in as they come, bytes out as they are made. */
function zipWriter() {
  // Bytes made so far: joined blocks, then the pieces since the last compact().
  const blocks: Uint8Array[] = [];
  let chunks: Uint8Array[] = [];
  let failure: Error | null = null;
  const zip = new Zip((err, chunk) => {
    if (err) failure ??= err;
    else chunks.push(chunk);
  });
  return {
    add(name: string, data: Uint8Array, store: boolean) {
      const file = store ? new ZipPassThrough(name) : new ZipDeflate(name, { level: LEVEL });
      zip.add(file);
      file.push(data, true);
    },
    /** An entry whose DEFLATE data is already made. */
    addDeflated(name: string, deflated: Uint8Array<ArrayBuffer>, size: number, crc: number) {
      const file: ZipInputFile = { filename: name, size, crc, compression: 8 };
      zip.add(file);
      file.ondata!(null, deflated, true);
    },
    /** Joins the bytes made so far into one block, so the end has few pieces to join. */
    compact() {
      if (chunks.length > 1) blocks.push(concat(chunks));
      else blocks.push(...chunks);
      chunks = [];
    },
    end(): Uint8Array {
      zip.end();
      if (failure) throw failure;
      return concat([...blocks, ...chunks]);
    },
  };
}

/** The CRC-32 of bytes given in pieces (fflate's pass-through entry computes it as data goes by). */
function crcOf(pieces: readonly Uint8Array[]): { crc: number; size: number } {
  const probe = new ZipPassThrough('crc');
  probe.ondata = () => {};
  pieces.forEach((p, i) => probe.push(p, i === pieces.length - 1));
  if (pieces.length === 0) probe.push(new Uint8Array(0), true);
  return { crc: probe.crc, size: probe.size };
}

/** A raw DEFLATE stream whose output so far can be taken, sync-flushed, so that another stream may follow. */
function deflateStream() {
  const out: Uint8Array[] = [];
  const d = new Deflate({ level: LEVEL, raw: true });
  d.onData = (chunk) => { out.push(chunk.slice()); };
  return {
    push(data: Uint8Array<ArrayBuffer>) { d.push(data, Z_NO_FLUSH); },
    /** Everything so far, ending on a byte boundary with an empty non-final block. */
    flushed(): Uint8Array[] {
      d.push(new Uint8Array(0), Z_SYNC_FLUSH);
      if (d.err) throw new Error(d.msg || 'The summary sheet could not be compressed.');
      return out;
    },
  };
}

/** The `s` (cell format) of each cell of Summary row 2 the writer wrote, by column letter. */
function probeStyles(sheetXml: string): Map<string, number> | null {
  const row = /<row r="2"[^>]*>([\s\S]*?)<\/row>/.exec(sheetXml);
  if (!row) return null;
  const styles = new Map<string, number>();
  for (const m of row[1]!.matchAll(/<c r="([A-Z]+)2"(?: s="(\d+)")?/g)) styles.set(m[1]!, Number(m[2] ?? 0));
  return styles;
}

const sameStyles = (a: Map<string, number>, b: Map<string, number>) =>
  a.size === b.size && [...a].every(([k, v]) => b.get(k) === v);

/** The secrets as the scrubber sees them, in one comparable string. */
const secretSet = (secrets: readonly string[] | undefined) => secretValues(secrets).sort().join('\u0000');

const sameLabels = (begin: ArchiveStreamBegin, b: EvaluationInput | undefined) => {
  const a = begin.labels;
  if (!a || !b) return !a && !b;
  return a.length === b.labels.length && a.every(([id, e], i) => b.labels[i]![0] === id && b.labels[i]![1] === e)
    && JSON.stringify(begin.attributes ?? null) === JSON.stringify(b.attributes ?? null);
};

/** The report input a begin describes, with no records yet (columns and cell formats come from it). */
function beginInput(begin: ArchiveStreamBegin): ReportInput {
  return {
    records: [], skipped: [], notices: [], contract: begin.contract, endpoint: '', startedAt: '', finishedAt: '',
    secrets: begin.secrets,
    ...(begin.labels ? { evaluation: { labels: begin.labels, labelsSource: '', threshold: null, ...(begin.attributes ? { attributes: begin.attributes } : {}) } } : {}),
  };
}

export async function openArchiveStream(begin: ArchiveStreamBegin): Promise<ArchiveStream> {
  const { contract } = begin;
  const labels = begin.labels ? new Map(begin.labels) : null;
  const columns: SummaryColumn[] = summaryColumns(reportContext(beginInput(begin), []));
  const letters = columnLetters(columns.length);
  // The cell format the writer gives each numeric column (from a probe workbook, checked again at the end).
  const expected = probeStyles(strFromU8((await workbookParts(beginInput(begin), [], { summaryProbe: Math.max(1, begin.total) }))[SUMMARY_PATH] ?? new Uint8Array()));
  const styleByColumn = columns.map((c, i) => (c.numFmt ? expected?.get(letters[i]!) ?? null : 0));
  const styleOf = (column: number, z: string | undefined) => (z === columns[column]?.numFmt ? styleByColumn[column] ?? null : null);

  const raw: PairRecord[] = [];
  const archived: PairRecord[] = [];
  const taken = new Set<string>();
  const archive = zipWriter();
  const rowPieces: Uint8Array[] = [];
  const rows = deflateStream();
  // False once a row could not be written here: the end then builds the whole archive.
  let rowsOk = expected !== null;

  let rebuilt = false;
  // Rehearsals of the end's work on the records so far, while the run goes and the worker idles:
  // a fresh worker loads the chart library on first use (~0.1 s) and runs its loops unoptimised
  // (the run's statistics took 30–70 ms cold against 7 ms warm), so the end would pay for both.
  // Once at the first batch (loads the modules), once at REHEARSE_AT records (warms the loops).
  const rehearsals = new Set([1, REHEARSE_AT].filter((n) => n < begin.total));
  const rehearse = () => {
    const input: ReportInput = { ...beginInput(begin), records: raw.slice() };
    const sofar = archived.slice();
    const pieces = rowPieces.slice();
    setTimeout(() => {
      void (async () => {
        const ctx = reportContext(input, sofar);
        const parts = await workbookParts(input, sofar, { summaryProbe: sofar.length, ctx });
        const rehearsal = zipWriter();
        for (const [path, data] of Object.entries(parts)) rehearsal.add(path, data, false);
        rehearsal.end();
        await buildReportPage(input, sofar, ctx);
        crcOf(pieces);
      })().catch(() => {});
    }, 0);
  };
  const whole = (end: ArchiveStreamEnd) => {
    rebuilt = true;
    return buildResultsZip({ ...end, records: raw });
  };

  return {
    get count() { return raw.length; },
    get rebuilt() { return rebuilt; },
    add(records) {
      if (records.length === 0) return;
      const redacted = redactRecords(records, begin.secrets);
      const ready = labels ? withOutcomes(redacted, contract, labels, begin.attributes) : redacted;
      let xml = '';
      for (let k = 0; k < ready.length; k++) {
        const index = raw.length;
        const rec = ready[k]!;
        raw.push(records[k]!);
        archived.push(rec);
        const entry = resultEntry(rec, taken, strToU8);
        archive.add(entry.name, entry.data, entry.store);
        if (!rowsOk) continue;
        const cells = summaryRow(columns, contract, rec, index).map((v, c) => sheetCell(v, columns[c]!.numFmt));
        const row = rowXml(index + 2, letters, cells, styleOf);
        if (row === null) rowsOk = false;
        else xml += row;
      }
      archive.compact();
      for (const n of rehearsals) {
        if (raw.length < n) break;
        rehearsals.delete(n);
        rehearse();
      }
      if (rowsOk && xml) {
        const bytes = strToU8(xml);
        rowPieces.push(bytes);
        rows.push(bytes);
      }
    },
    async finish(end) {
      if (!rowsOk || raw.length !== begin.total || raw.length === 0
        || secretSet(end.secrets) !== secretSet(begin.secrets) || !sameLabels(begin, end.evaluation)
        || end.contract.id !== contract.id) {
        return whole(end);
      }
      const input: ReportInput = { ...end, records: raw };
      const ctx = reportContext(input, archived);
      const parts = await workbookParts(input, archived, { summaryProbe: archived.length, ctx });
      const sheet = parts[SUMMARY_PATH] ? strFromU8(parts[SUMMARY_PATH]) : '';
      const written = probeStyles(sheet);
      const head = sheet.indexOf('<row r="2"');
      const tail = sheet.indexOf('</sheetData>');
      if (!written || !expected || !sameStyles(written, expected) || head < 0 || tail < head) return whole(end);

      // summary.xlsx: the writer's parts, with the Summary sheet made of its head, the streamed rows and its tail.
      // The probe sheet's range is its two rows; the sheet's is every row (the autofilter already is).
      const last = letters[letters.length - 1]!;
      const range = (xml: string) => xml.replace(`ref="A1:${last}2"`, `ref="A1:${last}${archived.length + 1}"`).replace(`sqref="A1:${last}2"`, `sqref="A1:${last}${archived.length + 1}"`);
      const headBytes = strToU8(range(sheet.slice(0, head)));
      const tailBytes = strToU8(range(sheet.slice(tail)));
      const { crc, size } = crcOf([headBytes, ...rowPieces, tailBytes]);
      const head1 = deflateStream();
      head1.push(headBytes);
      const deflated = concat([...head1.flushed(), ...rows.flushed(), deflateRaw(tailBytes, { level: LEVEL })]);
      const workbook = zipWriter();
      for (const [path, data] of Object.entries(parts)) {
        if (path === SUMMARY_PATH) workbook.addDeflated(path, deflated, size, crc);
        // Deflated, never stored: a streamed ZIP entry carries its sizes after its data, which
        // some xlsx readers cannot find for a stored entry.
        else workbook.add(path, data, false);
      }
      const page = await buildReportPage(input, archived, ctx);
      // The workbook is itself a compressed ZIP: stored as is.
      archive.add('summary.xlsx', workbook.end(), true);
      archive.add('report.html', strToU8(page), false);
      if (end.manifest) archive.add('run.json', strToU8(`${JSON.stringify(end.manifest, null, 2)}\n`), false);
      return archive.end();
    },
  };
}
