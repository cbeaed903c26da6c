import { PERTURBATION_IDS, PERTURBATIONS, SWEEP_SIDES, type PerturbationId, type SweepSide } from '../../core/sweep/spec.ts';
import { selectBulkBusy, useBulkStore } from '../../store/bulk.ts';
import { readSweep, sweepCount, useSweepStore } from '../../store/sweep.ts';

const SIDE_WORDS: Record<SweepSide, string> = { image2: 'image2 (the selfie)', image1: 'image1 (the ID photo)', both: 'both images' };

/**
 * "Robustness sweep" in the pre-flight: off by default; when on, the perturbations and their
 * levels (core's defaults until changed), the image perturbed, and the number of calls Run sends.
 */
export function SweepSettings() {
  const on = useSweepStore((s) => s.on);
  const setOn = useSweepStore((s) => s.setOn);
  const busy = useBulkStore(selectBulkBusy);
  return (
    <fieldset className="space-y-2" aria-describedby="sweep-help">
      <legend className="sr-only">Robustness sweep</legend>
      <label className="inline-flex items-center gap-2 font-medium text-slate-800 dark:text-slate-200">
        <input type="checkbox" checked={on} disabled={busy} onChange={(e) => setOn(e.currentTarget.checked)} className="size-4 accent-sky-600 disabled:opacity-50" />
        Robustness sweep
      </label>
      <p id="sweep-help" className="text-xs text-slate-600 dark:text-slate-400">
        Sends each pair as it is (the baseline), then once per level of each perturbation you pick, with the image made worse
        (<code>&lt;pair&gt;~&lt;perturbation&gt;-&lt;level&gt;</code>). The archive gets a Robustness sheet, and the results a chart per perturbation.
      </p>
      {on && <SweepChoices busy={busy} />}
      <SweepCount />
    </fieldset>
  );
}

function SweepChoices({ busy }: { busy: boolean }) {
  const side = useSweepStore((s) => s.side);
  const setSide = useSweepStore((s) => s.setSide);
  const overall = useSweepStore((s) => readSweep(s).problems.find((p) => p.id === null)?.sentence ?? null);
  return (
    <div className="space-y-2 pl-6">
      <div role="radiogroup" aria-label="Image to perturb" className="flex flex-wrap gap-x-4 gap-y-1">
        <span className="text-slate-700 dark:text-slate-300">Perturb:</span>
        {SWEEP_SIDES.map((s) => (
          <label key={s} className="inline-flex items-center gap-1">
            <input type="radio" name="sweep-side" value={s} checked={side === s} disabled={busy} onChange={() => setSide(s)} className="accent-sky-600" />
            {SIDE_WORDS[s]}
          </label>
        ))}
      </div>
      <ul className="space-y-1">
        {PERTURBATION_IDS.map((id) => <PerturbationRow key={id} id={id} busy={busy} />)}
      </ul>
      {overall && <p role="alert" className="text-red-800 dark:text-red-200">{overall}</p>}
    </div>
  );
}

function PerturbationRow({ id, busy }: { id: PerturbationId; busy: boolean }) {
  const info = PERTURBATIONS[id];
  const picked = useSweepStore((s) => s.picked[id]);
  const text = useSweepStore((s) => s.levels[id]);
  const problem = useSweepStore((s) => readSweep(s).problems.find((p) => p.id === id)?.sentence ?? null);
  const pick = useSweepStore((s) => s.pick);
  const setLevels = useSweepStore((s) => s.setLevels);
  const help = `sweep-${id}-help`;
  return (
    <li className="flex flex-wrap items-center gap-2">
      <label className="inline-flex min-w-40 items-center gap-2">
        <input type="checkbox" checked={picked} disabled={busy} onChange={(e) => pick(id, e.currentTarget.checked)} className="size-4 accent-sky-600" />
        {info.label}
      </label>
      <input
        type="text"
        aria-label={`${info.label} levels`}
        aria-describedby={help}
        aria-invalid={problem ? true : undefined}
        value={text}
        disabled={busy || !picked}
        onChange={(e) => setLevels(id, e.currentTarget.value)}
        className="w-48 rounded border border-slate-300 px-2 py-0.5 font-mono text-xs disabled:opacity-50 dark:border-slate-600 dark:bg-slate-800"
      />
      <span id={help} className={`basis-full text-xs ${problem ? 'text-red-800 dark:text-red-200' : 'text-slate-600 dark:text-slate-400'}`} role={problem ? 'alert' : undefined}>
        {problem ?? `${info.help}; empty for the defaults.`}
      </span>
    </li>
  );
}

/** How many calls Run sends, before it is pressed. */
function SweepCount() {
  const pairs = useBulkStore((s) => s.zip?.pairs.length ?? 0);
  const count = useSweepStore((s) => sweepCount(pairs, s));
  if (!count) return null;
  return <p role="status" className="font-medium text-slate-800 dark:text-slate-200">Run sends {count}.</p>;
}
