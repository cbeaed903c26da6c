import { FilePickButton, ZIP_ACCEPT } from '../components/FilePickButton.tsx';
import { useState } from 'react';
import { journalContract, missingSecrets, resumeSecretsSentence } from '../../core/run/journal.ts';
import { formatBytes } from '../../core/zip/filetype.ts';
import type { CredentialKey } from '../../core/contracts/contracts.ts';
import { useJournalStore } from '../../store/journal.ts';
import { useSettingsStore } from '../../store/settings.ts';
import { Button } from '../components/Button.tsx';

export interface ResumeRequest {
  /** The secret credentials typed again (they were not stored). */
  credentials: Partial<Record<CredentialKey, string>>;
}

/**
 * Resume, step by step: choose the same ZIP again (refused with a sentence when it differs), type
 * the token again when it was not stored, then continue from the first pair without a record.
 */
export function ResumeCard({ onResume }: { onResume: (req: ResumeRequest) => void }) {
  const resume = useJournalStore((s) => s.resume);
  const choose = useJournalStore((s) => s.chooseResumeFile);
  const cancel = useJournalStore((s) => s.cancelResume);
  if (!resume) return null;
  const { run } = resume;
  const name = run.input.name;
  return (
    <section aria-label="Resume run" className="rounded-lg border-2 border-sky-500 bg-white p-5 shadow-sm dark:bg-slate-900">
      <h2 className="text-base font-semibold">Resume the run of {name}</h2>
      <p className="mt-2 text-sm text-slate-700 dark:text-slate-300">
        {run.progress.done.toLocaleString('en')} of {run.pairs.length.toLocaleString('en')} pairs are done. Choose {name} again
        ({formatBytes(run.input.size)}); the run continues with the first pair that has no result.
      </p>
      <div className="mt-3 flex flex-wrap items-center gap-3">
        <FilePickButton accept={ZIP_ACCEPT} onFile={(file) => void choose(file)}>
          Choose {name} to resume
        </FilePickButton>
        {resume.checking && <span role="status" className="text-sm">Checking the file…</span>}
        {resume.zip && resume.file && <span role="status" className="text-sm">{resume.file.name} matches the run.</span>}
        <Button variant="ghost" onClick={cancel}>Cancel</Button>
      </div>
      {resume.error && (
        <p role="alert" className="mt-3 rounded-md border border-red-300 bg-red-50 p-3 text-sm text-red-800 dark:border-red-800 dark:bg-red-950/50 dark:text-red-200">
          {resume.error}
        </p>
      )}
      {resume.zip && <ResumeConfirm key={run.id} onResume={onResume} />}
    </section>
  );
}

function ResumeConfirm({ onResume }: { onResume: (req: ResumeRequest) => void }) {
  const run = useJournalStore((s) => s.resume!.run);
  const missing = missingSecrets(run);
  const current = useSettingsStore((s) => s.credentials);
  const sameProvider = useSettingsStore((s) => s.providerId === journalContract(run).id);
  const [values, setValues] = useState<Partial<Record<CredentialKey, string>>>(() =>
    Object.fromEntries(missing.map((c) => [c.key, sameProvider ? current[c.key] ?? '' : ''])));
  const sentence = resumeSecretsSentence(run, values);
  const ready = sentence === null;
  return (
    <form
      className="mt-4 space-y-3"
      onSubmit={(e) => {
        e.preventDefault();
        if (ready) onResume({ credentials: values });
      }}
    >
      {sentence && <p className="text-sm text-slate-700 dark:text-slate-300">{sentence}</p>}
      {missing.map((c) => (
        <div key={c.key} className="flex flex-col gap-1">
          <label htmlFor={`resume-${c.key}`} className="text-sm font-medium">{c.label}</label>
          <input
            id={`resume-${c.key}`}
            type="password"
            autoComplete="off"
            value={values[c.key] ?? ''}
            onChange={(e) => setValues({ ...values, [c.key]: e.target.value })}
            className="rounded-md border border-slate-300 px-3 py-1.5 text-sm dark:border-slate-600 dark:bg-slate-800"
          />
        </div>
      ))}
      <Button type="submit" variant="primary" disabled={!ready}>Resume run</Button>
    </form>
  );
}
