import { useId } from 'react';
import { CONVENTION_LABELS, CONVENTION_NOTES } from '../../core/evaluation/acquisition.ts';
import type { ReportCard } from '../../core/evaluation/card.ts';
import type { Grouping } from '../../core/evaluation/groups.ts';
import { round4 } from '../../core/evaluation/evaluation-report.ts';
import type { Rate } from '../../core/evaluation/evaluation.ts';
import { useEvaluationStore } from '../../store/evaluation.ts';
import { Figure } from './Figure.tsx';

const cell = 'border border-slate-200 px-2 py-1 text-left align-top tabular-nums dark:border-slate-700';
const head = 'border border-slate-200 bg-slate-50 px-2 py-1 text-left font-semibold dark:border-slate-700 dark:bg-slate-800';

/**
 * The report card's figures in the app, as core computed them for this threshold (cardOf, the same
 * card summary.xlsx and report.html are written from): failures to acquire with both conventions,
 * error rates by group, and the threshold for a target FMR.
 */
export function ReportCardSection({ card }: { card: ReportCard }) {
  const where = card.threshold === null ? "the API's decision" : `threshold ${round4(card.threshold)}`;
  return (
    <>
      <Acquisition card={card} where={where} />
      {card.groups.length > 0 && (
        <div className="mt-4">
          <h4 className="text-sm font-semibold">Groups ({where})</h4>
          <p className="mt-1 text-xs text-slate-600 dark:text-slate-400">
            Each extra column of the labels ({card.groupColumns.join(', ')}) is a grouping. FMR and FNMR {CONVENTION_LABELS.excluded}.
          </p>
          {card.groups.map((g) => <GroupTable key={g.column} grouping={g} />)}
        </div>
      )}
      <TargetFmr card={card} />
    </>
  );
}

function RateCell({ r }: { r: Rate }) {
  return <td className={cell}>{r.text}</td>;
}

function Acquisition({ card, where }: { card: ReportCard; where: string }) {
  const a = card.acquisition;
  return (
    <div className="mt-4 overflow-x-auto text-sm">
      <table className="border-collapse">
        <caption className="pb-1 text-left font-semibold">Failures to acquire and both conventions ({where})</caption>
        <thead>
          <tr>
            <td className="px-2" />
            <th scope="col" className={head}>{CONVENTION_LABELS.excluded}</th>
            <th scope="col" className={head}>{CONVENTION_LABELS.included}</th>
          </tr>
        </thead>
        <tbody>
          <tr><th scope="row" className={head}>FMR</th><RateCell r={a.excluded.fmr} /><RateCell r={a.included.fmr} /></tr>
          <tr><th scope="row" className={head}>FNMR</th><RateCell r={a.excluded.fnmr} /><RateCell r={a.included.fnmr} /></tr>
        </tbody>
      </table>
      <dl className="mt-2 space-y-1">
        <Figure wide label="FTA, same person">{a.fta.same.text}</Figure>
        <Figure wide label="FTA, different people">{a.fta.different.text}</Figure>
      </dl>
      <p className="mt-1 text-xs text-slate-600 dark:text-slate-400">
        A failure to acquire (FTA) is a labelled pair without a decision. {CONVENTION_LABELS.excluded}: {CONVENTION_NOTES.excluded}.
        {' '}{CONVENTION_LABELS.included}: {CONVENTION_NOTES.included}. {card.intervals.sentence}
      </p>
    </div>
  );
}

function GroupTable({ grouping }: { grouping: Grouping }) {
  return (
    <div className="mt-2 overflow-x-auto text-sm">
      <table className="border-collapse">
        <caption className="pb-1 text-left font-semibold">By {grouping.column}</caption>
        <thead>
          <tr>
            <th scope="col" className={head}>{grouping.column}</th>
            <th scope="col" className={head}>Pairs</th>
            <th scope="col" className={head}>FTA</th>
            <th scope="col" className={head}>FMR</th>
            <th scope="col" className={head}>FNMR</th>
          </tr>
        </thead>
        <tbody>
          {grouping.groups.map((g) => (
            <tr key={g.value}>
              <th scope="row" className={head}>{g.value}</th>
              <td className={cell}>{g.figures.pairs}</td>
              <RateCell r={g.figures.fta.all} />
              <RateCell r={g.figures.excluded.fmr} />
              <RateCell r={g.figures.excluded.fnmr} />
            </tr>
          ))}
        </tbody>
      </table>
      <ul className="mt-1 space-y-0.5 text-sm">
        {grouping.ratios.map((r) => <li key={r.rate}>{r.note}</li>)}
      </ul>
    </div>
  );
}

/** "Target FMR": the lowest threshold meeting it on these pairs, its FNMR, and the rule-of-three warning. */
function TargetFmr({ card }: { card: ReportCard }) {
  const id = useId();
  const text = useEvaluationStore((s) => s.targetFmrText);
  const problem = useEvaluationStore((s) => s.targetFmrProblem);
  const setTarget = useEvaluationStore((s) => s.setTargetFmr);
  return (
    <div className="mt-4 text-sm">
      <h4 className="font-semibold">Threshold for a target FMR</h4>
      <div className="mt-1 flex flex-wrap items-center gap-2">
        <label htmlFor={`${id}-target`} className="font-medium">Target FMR</label>
        <input
          id={`${id}-target`}
          type="text"
          inputMode="decimal"
          value={text}
          placeholder="e.g. 1 % or 0.1 %"
          aria-invalid={problem !== null}
          aria-describedby={problem ? `${id}-problem` : undefined}
          onChange={(e) => setTarget(e.currentTarget.value)}
          className="w-36 rounded-md border border-slate-300 px-2 py-1 dark:border-slate-600 dark:bg-slate-900"
        />
      </div>
      {problem && <p id={`${id}-problem`} role="alert" className="mt-1 text-red-800 dark:text-red-200">{problem}</p>}
      <div className="mt-2 overflow-x-auto">
        <table className="border-collapse">
          <caption className="pb-1 text-left font-semibold">Lowest threshold meeting each target FMR on these pairs</caption>
          <thead>
            <tr>
              <th scope="col" className={head}>Target FMR</th>
              <th scope="col" className={head}>Threshold</th>
              <th scope="col" className={head}>FMR there</th>
              <th scope="col" className={head}>FNMR there</th>
            </tr>
          </thead>
          <tbody>
            {card.targets.map((t) => (
              <tr key={t.target}>
                <th scope="row" className={head}>{t.label}</th>
                <td className={cell}>{t.threshold === null ? '—' : round4(t.threshold)}</td>
                <RateCell r={t.fmr} />
                <RateCell r={t.fnmr} />
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <ul className="mt-1 space-y-0.5">
        {card.targets.map((t) => (
          <li key={t.target}>
            <span className="font-medium">{t.label}:</span> {t.note}.{t.warning ? <span className="text-amber-800 dark:text-amber-300"> {t.warning}</span> : null}
          </li>
        ))}
      </ul>
    </div>
  );
}
