/**
 * Custom…: the user's own provider definition, pasted or loaded from a .json file, checked as it
 * is typed with the same schema and sentences as the CLI's --provider-file (core/providers/schema.ts).
 * A valid one is added to the Provider select and selected. Loaded on demand with the schema.
 */
import { useMemo, useState } from 'react';
import type { ProviderContract } from '../../core/contracts/contracts.ts';
import { checkDefinitionText } from '../../core/providers/schema.ts';
import { useSettingsStore } from '../../store/settings.ts';
import { Button } from '../components/Button.tsx';
import { FilePickButton } from '../components/FilePickButton.tsx';
import { inputClass } from '../components/Field.tsx';

const TYPED = 'The definition';

/** The JSON a user starts from: the selected provider's definition under a new id. */
function starterFrom(contract: ProviderContract, custom: boolean): string {
  const copy = custom ? contract : { ...contract, id: `${contract.id}-custom`, label: `${contract.label} (custom)` };
  return JSON.stringify(copy, null, 2);
}

export function CustomProviderEditor({ contract, custom, onDone }: {
  /** The selected provider, to start from. */
  contract: ProviderContract;
  /** True to edit the selected custom definition in place (else a new one, blank until loaded or started from the selected one). */
  custom: boolean;
  onDone: () => void;
}) {
  const addDefinition = useSettingsStore((s) => s.addDefinition);
  const removeDefinition = useSettingsStore((s) => s.removeDefinition);
  const [text, setText] = useState(() => (custom ? starterFrom(contract, true) : ''));
  const [source, setSource] = useState(TYPED);
  const checked = useMemo(() => (text.trim() ? checkDefinitionText(text, source) : null), [text, source]);
  const problems = checked && !checked.ok ? checked.problems : [];
  const valid = checked?.ok === true;

  const download = () => {
    if (!checked?.ok) return;
    const url = URL.createObjectURL(new Blob([`${text.trim()}\n`], { type: 'application/json' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = `${checked.definition.id}.json`;
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 0);
  };

  return (
    <section aria-labelledby="custom-provider-title" className="space-y-3 rounded-lg border border-slate-200 p-3 dark:border-slate-700">
      <h3 id="custom-provider-title" className="text-sm font-semibold text-slate-800 dark:text-slate-200">Custom provider</h3>
      <p className="text-xs text-slate-600 dark:text-slate-400">
        Paste a provider definition (JSON, the format of the CLI&apos;s <code className="font-mono">--provider-file</code>) or load a .json file.
        It names credentials, never holds their values: you enter those below once it is added.
      </p>
      <div className="flex flex-wrap gap-2">
        <FilePickButton accept=".json,application/json" onFile={(file) => void file.text().then((t) => { setSource(file.name); setText(t); })}>
          Load .json file
        </FilePickButton>
        <Button variant="ghost" onClick={() => { setSource(TYPED); setText(starterFrom(contract, custom)); }}>
          Start from {contract.label}
        </Button>
      </div>
      <div className="space-y-1.5">
        <label htmlFor="provider-definition" className="text-sm font-medium text-slate-700 dark:text-slate-300">Provider definition (JSON)</label>
        <textarea
          id="provider-definition"
          value={text}
          rows={12}
          spellCheck={false}
          autoComplete="off"
          aria-invalid={problems.length > 0}
          aria-describedby="provider-definition-check"
          placeholder={'{ "id": "my-vendor", "label": "My vendor", "path": "/v1/compare", ... }'}
          className={`${inputClass} font-mono text-xs`}
          onChange={(e) => { setSource(TYPED); setText(e.target.value); }}
        />
      </div>
      <div id="provider-definition-check" aria-live="polite" className="text-xs">
        {problems.length > 0 && (
          <ul aria-label="Problems in the definition" className="list-disc space-y-1 pl-4 text-red-600 dark:text-red-400">
            {problems.map((p) => <li key={p}>{p}</li>)}
          </ul>
        )}
        {valid && <p className="text-emerald-700 dark:text-emerald-400">The definition is valid: {checked.definition.label} ({checked.definition.id}).</p>}
      </div>
      <div className="flex flex-wrap gap-2">
        <Button
          variant="primary"
          disabled={!valid}
          onClick={() => {
            if (!checked?.ok) return;
            void addDefinition(checked.definition).then(onDone);
          }}
        >
          Use this provider
        </Button>
        <Button disabled={!valid} onClick={download}>Export .json</Button>
        {custom && (
          <Button variant="danger" onClick={() => void removeDefinition(contract.id).then(onDone)}>Remove {contract.label}</Button>
        )}
        <Button variant="ghost" onClick={onDone}>Cancel</Button>
      </div>
    </section>
  );
}
