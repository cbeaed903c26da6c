import type { ReactNode } from 'react';

/** One labelled figure of the evaluation (inside a <dl>): its name, then its value. */
export function Figure({ label, children, wide = false }: { label: string; children: ReactNode; wide?: boolean }) {
  return (
    <div className="flex flex-wrap gap-x-3">
      <dt className={`${wide ? 'min-w-44' : 'min-w-32'} text-slate-600 dark:text-slate-400`}>{label}</dt>
      <dd className="font-medium tabular-nums">{children}</dd>
    </div>
  );
}
