import { useState } from 'react';
import { Field, TextInput, describedBy } from './Field.tsx';

interface NumberFieldProps {
  id: string;
  label: string;
  value: number;
  min: number;
  max: number;
  step?: number;
  hint?: string;
  /** id of a text elsewhere that also describes this field. */
  describedBy?: string;
  /** Called only with a value inside [min, max]. */
  onCommit: (value: number) => void;
}

/** A number input that keeps what the user types and commits only valid values. */
export function NumberField({ id, label, value, min, max, step = 1, hint, describedBy: extra, onCommit }: NumberFieldProps) {
  const [draft, setDraft] = useState(String(value));
  const [seen, setSeen] = useState(value);
  if (seen !== value) {
    // The stored value changed elsewhere (e.g. restored settings): show it.
    setSeen(value);
    setDraft(String(value));
  }
  const n = Number(draft);
  const valid = draft.trim() !== '' && Number.isFinite(n) && n >= min && n <= max;
  const error = valid ? undefined : `${label}: enter a number from ${min} to ${max}.`;
  return (
    <Field id={id} label={label} hint={hint} error={error}>
      <TextInput
        id={id}
        type="number"
        inputMode="decimal"
        min={min}
        max={max}
        step={step}
        value={draft}
        aria-invalid={!valid}
        aria-describedby={[describedBy(id, hint, error), extra].filter(Boolean).join(' ') || undefined}
        onChange={(e) => {
          const text = e.target.value;
          setDraft(text);
          const v = Number(text);
          if (text.trim() !== '' && Number.isFinite(v) && v >= min && v <= max) {
            setSeen(v);
            onCommit(v);
          }
        }}
      />
    </Field>
  );
}
