import { useState } from 'react';
import type { NumericRule } from '../../core/contracts/setting-rules.ts';
import { Field, TextInput, describedBy } from './Field.tsx';

interface NumberFieldProps {
  id: string;
  /** Label, range and whether empty is allowed (core's rule for this setting). */
  rule: NumericRule;
  /** The accepted value; null = empty (optional fields). */
  value: number | null;
  /** What was typed and is not accepted, with what to enter instead (decided by the store). */
  invalid?: { text: string; problem: string } | undefined;
  /** Every keystroke's text; the store decides whether it is accepted. */
  onInput: (text: string) => void;
  hint?: string;
  /** id of a text elsewhere that also describes this field. */
  describedBy?: string;
  disabled?: boolean;
}

/** A number input that keeps what the user types; the store accepts it or says what to enter. */
export function NumberField({ id, rule, value, invalid, onInput, hint, describedBy: extra, disabled }: NumberFieldProps) {
  const shown = value === null ? '' : String(value);
  const [draft, setDraft] = useState(invalid?.text ?? shown);
  const [seen, setSeen] = useState(value);
  if (seen !== value) {
    // The stored value changed (typed here, or restored elsewhere): keep what was typed if it reads as that value.
    setSeen(value);
    if (Number(draft) !== value || draft.trim() === '') setDraft(shown);
  }
  const error = invalid ? `${rule.label}: ${invalid.problem}.` : undefined;
  return (
    <Field id={id} label={rule.label} hint={hint} error={error}>
      <TextInput
        id={id}
        type="number"
        inputMode={rule.integer ? 'numeric' : 'decimal'}
        min={rule.min}
        max={rule.max}
        step={1}
        value={draft}
        disabled={disabled}
        aria-invalid={invalid !== undefined}
        aria-describedby={[describedBy(id, hint, error), extra].filter(Boolean).join(' ') || undefined}
        onChange={(e) => {
          setDraft(e.target.value);
          onInput(e.target.value);
        }}
      />
    </Field>
  );
}
