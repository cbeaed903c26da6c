/**
 * What the labelled-evaluation examples print and write beside a results archive: the evaluation
 * recomputed from its results/*.json (labels and label columns from the records, as a reopened
 * archive's), the report card's lines, and its report.html as a file of its own.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import JSZip from 'jszip';
import { readResultsArchive } from '../src/core/archive/archive-read.ts';
import { CONVENTION_LABELS } from '../src/core/evaluation/acquisition.ts';
import { cardOf } from '../src/core/evaluation/evaluation-report.ts';
import { evalRows, evaluate, pct } from '../src/core/evaluation/evaluation.ts';
import { reportInputOfArchive } from '../src/core/run/report-input.ts';

/** The evaluation of a results archive, its report card's lines, and report.html written beside it (its path). */
export async function archiveEvaluation(archivePath: string): Promise<{ lines: string[]; report: string }> {
  const bytes = await readFile(archivePath);
  const read = await readResultsArchive(bytes, path.basename(archivePath));
  const evalInput = reportInputOfArchive(read).evaluation!;
  const ev = evaluate(evalRows(read.records, read.run.contract, new Map(evalInput.labels)));
  const card = cardOf(ev, evalInput);
  const a = card.acquisition;
  const c = ev.api.confusion;
  const lines = [
    `Evaluation of ${ev.labelled} labelled pairs (${ev.same} same, ${ev.different} different), recomputed from results/*.json:`,
    `  at the API's decision: TP ${c.tp} · FN ${c.fn} · FP ${c.fp} · TN ${c.tn} · errors ${c.errors}`,
    `  FMR  ${ev.api.fmr.text}`,
    `  FNMR ${ev.api.fnmr.text}`,
    `  EER  ${ev.eer ? `${pct(ev.eer.value)} at threshold ${ev.eer.threshold.toFixed(4)}` : ev.eerNote}`,
    ...ev.fnmrAt.map((f) => `  FNMR@FMR=${f.label} ${f.value === null ? f.note : pct(f.value)}`),
    `  failures to acquire: same-person ${a.fta.same.text}; different-person ${a.fta.different.text}`,
    `  ${CONVENTION_LABELS.included}: FMR ${a.included.fmr.text}; FNMR ${a.included.fnmr.text}`,
    ...card.groups.flatMap((g) => [
      `  by ${g.column}:`,
      ...g.groups.map((x) => `    ${x.value.padEnd(9)} ${x.figures.pairs} pairs · FMR ${x.figures.excluded.fmr.text} · FNMR ${x.figures.excluded.fnmr.text}`),
      ...g.ratios.map((r) => `    ${r.note}`),
    ]),
    ...card.targets.map((t) => `  FMR ≤ ${t.label}: ${t.note}${t.warning ? `. ${t.warning}` : ''}`),
    `  ${card.intervals.sentence}`,
  ];
  const archive = await JSZip.loadAsync(bytes);
  const report = path.join(path.dirname(archivePath), 'report.html');
  await writeFile(report, await archive.file('report.html')!.async('string'));
  return { lines, report };
}
