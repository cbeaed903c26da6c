import { useState } from 'react';
import { Field, TextInput, describedBy } from './Field.tsx';

interface BaseProps {
  id: string;
  label: string;
  min: number;
  max: number;
  step?: number;
  hint?: string;
  /** id of a text elsewhere that also describes this field. */
  describedBy?: string;
  /** Whole numbers only. */
  integer?: boolean;
  disabled?: boolean;
}

interface RequiredProps extends BaseProps {
  optional?: false;
  value: number;
  /** Called only with a value inside [min, max]. */
  onCommit: (value: number) => void;
}

interface OptionalProps extends BaseProps {
  /** Empty is allowed and commits null (e.g. "no limit"). */
  optional: true;
  value: number | null;
  onCommit: (value: number | null) => void;
}

/** A number input that keeps what the user types and commits only valid values. */
export function NumberField(props: RequiredProps | OptionalProps) {
  const { id, label, value, min, max, step = 1, hint, describedBy: extra, integer = false, disabled } = props;
  const shown = value === null ? '' : String(value);
  const [draft, setDraft] = useState(shown);
  const [seen, setSeen] = useState(value);
  if (seen !== value) {
    // The stored value changed elsewhere (e.g. restored settings): show it.
    setSeen(value);
    setDraft(shown);
  }
  const check = (text: string): { ok: true; value: number | null } | { ok: false } => {
    if (text.trim() === '') return props.optional ? { ok: true, value: null } : { ok: false };
    const v = Number(text);
    if (!Number.isFinite(v) || v < min || v > max || (integer && !Number.isInteger(v))) return { ok: false };
    return { ok: true, value: v };
  };
  const valid = check(draft).ok;
  const range = `${integer ? 'a whole number' : 'a number'} from ${min} to ${max}`;
  const error = valid ? undefined : `${label}: enter ${range}${props.optional ? ', or leave it empty' : ''}.`;
  return (
    <Field id={id} label={label} hint={hint} error={error}>
      <TextInput
        id={id}
        type="number"
        inputMode={integer ? 'numeric' : 'decimal'}
        min={min}
        max={max}
        step={step}
        value={draft}
        disabled={disabled}
        aria-invalid={!valid}
        aria-describedby={[describedBy(id, hint, error), extra].filter(Boolean).join(' ') || undefined}
        onChange={(e) => {
          const text = e.target.value;
          setDraft(text);
          const got = check(text);
          if (!got.ok) return;
          setSeen(got.value);
          if (props.optional) props.onCommit(got.value);
          else if (got.value !== null) props.onCommit(got.value);
        }}
      />
    </Field>
  );
}
