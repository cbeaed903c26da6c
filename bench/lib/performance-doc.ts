/**
 * docs/performance.md, written from a bench run: one table per figure (value, baseline, budget,
 * result, date, machine), newest row first, at most HISTORY rows. A run rewrites the tables of the
 * figures it measured and leaves every other table as it was, so a partial `npm run bench -- <name>`
 * never drops a figure. The tables sit between markers the writer owns; the text around them is kept.
 */
import type { BenchRow } from '../types.ts';
import { fmt } from './stats.ts';

/** What bench/run.ts writes to bench/results.json and passes here. */
export interface BenchResults {
  date: string;
  machine: {
    cores: number;
    cpu: string;
    memoryGB: number;
    node: string;
    chromium?: string;
    loadAverage1m: { start: number; end: number };
  };
  rows: readonly BenchRow[];
}

export const HISTORY = 5;

const HEAD = [
  '# Performance',
  '',
  'Each figure is measured by `npm run bench` (or `npm run bench -- <name>` for one benchmark) against',
  'its budget and, where it has one, a baseline measured in the same run. Each table lists the latest',
  `measurements of one figure, newest first (at most ${HISTORY}). A budget is never loosened; a row`,
  'marked **miss** is over its budget.',
  '',
].join('\n');

const COLUMNS = ['value', 'baseline', 'ratio', 'budget', 'result', 'date', 'machine'];

/** The stable identity of a figure: its benchmark and its words, without parenthesised details that vary. */
export function figureKey(row: Pick<BenchRow, 'name' | 'figure'>): string {
  const words = row.figure.replace(/\s*\([^()]+\)/g, '').replace(/\s+/g, ' ').trim();
  return `${row.name}: ${words}`;
}

function cell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\s+/g, ' ');
}

export function machineText(m: BenchResults['machine']): string {
  const parts = [`${m.cores} cores (${m.cpu})`, `${m.memoryGB} GB`, `Node ${m.node.replace(/^v/, '')}`];
  if (m.chromium) parts.push(`Chromium ${m.chromium.split('.')[0]}`);
  parts.push(`load ${m.loadAverage1m.start} → ${m.loadAverage1m.end}`);
  return parts.join(', ');
}

function rowLine(r: BenchRow, results: BenchResults): string {
  const value = `${fmt(r.value)} ${r.unit}${r.runs && r.runs.n > 1 ? ` (median of ${r.runs.n}; ${fmt(r.runs.min)}–${fmt(r.runs.max)})` : ''}`;
  const baseline = r.baseline === null ? '–' : `${fmt(r.baseline)} ${r.unit} (${r.baselineLabel})`;
  const cells = [
    value,
    baseline,
    r.ratio === null ? '–' : fmt(r.ratio, 3),
    r.budget,
    r.pass ? 'pass' : '**miss**',
    results.date.slice(0, 16).replace('T', ' ') + ' UTC',
    machineText(results.machine),
  ];
  return `| ${cells.map(cell).join(' | ')} |`;
}

interface Section {
  key: string;
  title: string;
  lines: string[];
}

const START = /^<!-- figure: (.*) -->$/;
const END = '<!-- /figure -->';

/** The figure sections of an existing document, in order. */
export function parseSections(doc: string): Section[] {
  const out: Section[] = [];
  let cur: Section | undefined;
  let title = '';
  for (const line of doc.split('\n')) {
    const m = START.exec(line);
    if (m) {
      cur = { key: m[1]!, title, lines: [] };
      continue;
    }
    if (line === END && cur) {
      out.push(cur);
      cur = undefined;
      continue;
    }
    if (cur) {
      if (line.startsWith('| ') && !line.startsWith('| value |') && !line.startsWith('| --- |')) cur.lines.push(line);
    } else if (line.startsWith('### ')) {
      title = line.slice(4);
    }
  }
  return out;
}

/**
 * The whole document: existing figures kept, measured ones updated, new ones added; the sections follow
 * `order` (benchmark names, as `npm run bench` lists them), then first appearance.
 */
export function renderPerformanceDoc(existing: string, results: BenchResults, order: readonly string[] = []): string {
  const sections = parseSections(existing);
  const byKey = new Map(sections.map((s) => [s.key, s]));
  for (const r of results.rows) {
    const key = figureKey(r);
    let s = byKey.get(key);
    if (!s) {
      s = { key, title: key, lines: [] };
      sections.push(s);
      byKey.set(key, s);
    }
    s.title = key;
    s.lines = [rowLine(r, results), ...s.lines].slice(0, HISTORY);
  }
  const rank = (key: string) => {
    const i = order.findIndex((name) => key.startsWith(`${name}: `));
    return i < 0 ? order.length : i;
  };
  const sorted = sections.map((s, i) => ({ s, i })).sort((a, b) => rank(a.s.key) - rank(b.s.key) || a.i - b.i).map((x) => x.s);
  const body = sorted.map((s) => [
    `### ${s.title}`,
    '',
    `<!-- figure: ${s.key} -->`,
    `| ${COLUMNS.join(' | ')} |`,
    `|${COLUMNS.map(() => ' --- ').join('|')}|`,
    ...s.lines,
    END,
    '',
  ].join('\n'));
  return `${HEAD}\n${body.join('\n')}`;
}
