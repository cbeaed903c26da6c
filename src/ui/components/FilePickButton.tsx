import type { ReactNode } from 'react';

/** What a ZIP picker accepts (the input ZIP, a results archive, a previous run). */
export const ZIP_ACCEPT = '.zip,application/zip,application/x-zip-compressed';

const CLASS = 'inline-flex cursor-pointer items-center rounded-md border border-slate-300 bg-white px-4 py-2 text-sm font-medium text-slate-800 shadow-sm hover:bg-slate-50 has-[:focus-visible]:outline-2 has-[:focus-visible]:outline-offset-2 has-[:focus-visible]:outline-sky-500 dark:border-slate-600 dark:bg-slate-800 dark:text-slate-100 dark:hover:bg-slate-700';

/**
 * A button-styled file picker: a visually hidden file input inside its label (the label's text is
 * the input's accessible name). The input is cleared after each choice, so choosing the same file
 * again is still a choice.
 */
export function FilePickButton({ accept, onFile, disabled = false, title, children }: {
  accept: string;
  onFile: (file: File) => void;
  disabled?: boolean;
  title?: string;
  children: ReactNode;
}) {
  return (
    <label className={`${CLASS} ${disabled ? 'pointer-events-none opacity-50' : ''}`} {...(title ? { title } : {})}>
      <input
        type="file"
        accept={accept}
        className="sr-only"
        disabled={disabled}
        onChange={(e) => {
          const file = e.currentTarget.files?.[0];
          e.currentTarget.value = '';
          if (file) onFile(file);
        }}
      />
      {children}
    </label>
  );
}
