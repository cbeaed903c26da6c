import './progress.css';

/** An indeterminate progress bar (a pulse when the user prefers reduced motion). */
export function IndeterminateBar({ label }: { label: string }) {
  return (
    <div
      role="progressbar"
      aria-label={label}
      className="h-1.5 overflow-hidden rounded-full bg-sky-200 dark:bg-sky-900"
    >
      <div className="h-full w-1/3 animate-[fm-indeterminate_1.2s_ease-in-out_infinite] rounded-full bg-sky-600 motion-reduce:w-full motion-reduce:animate-pulse dark:bg-sky-400" />
    </div>
  );
}
