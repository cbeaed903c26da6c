import type { ReactNode } from 'react';

interface CardProps {
  title?: ReactNode;
  /** id for the heading, so a region can be labelled by it. */
  titleId?: string;
  actions?: ReactNode;
  children: ReactNode;
  className?: string;
  as?: 'section' | 'div' | 'aside';
  'aria-label'?: string;
  /** Makes the heading focusable from script (tabIndex -1), to move focus to a new result. */
  focusableTitle?: boolean;
}

/** A bordered surface with an optional heading row. */
export function Card({ title, titleId, actions, children, className = '', as = 'section', focusableTitle = false, ...rest }: CardProps) {
  const Tag = as;
  return (
    <Tag
      aria-labelledby={title && titleId ? titleId : undefined}
      aria-label={rest['aria-label']}
      className={`rounded-xl border border-slate-200 bg-white shadow-sm dark:border-slate-800 dark:bg-slate-900 ${className}`}
    >
      {(title || actions) && (
        <div className="flex items-center justify-between gap-3 border-b border-slate-100 px-5 py-3 dark:border-slate-800">
          {title && (
            <h2
              id={titleId}
              tabIndex={focusableTitle ? -1 : undefined}
              className="text-sm font-semibold text-slate-900 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-500 dark:text-slate-100"
            >
              {title}
            </h2>
          )}
          {actions && <div className="flex items-center gap-2">{actions}</div>}
        </div>
      )}
      <div className="p-5">{children}</div>
    </Tag>
  );
}
