// A labelled on/off setting (a checkbox) with its hint tied to it (aria-describedby), laid out
// as a Field is, so it sits in the same forms.
import { useId, type ReactNode } from 'react';

interface SwitchFieldProps {
  label: string;
  checked: boolean;
  onChange(checked: boolean): void;
  hint?: ReactNode;
}

export function SwitchField({ label, checked, onChange, hint }: SwitchFieldProps) {
  const id = useId();
  const hintId = hint ? `${id}-hint` : undefined;
  return (
    <div className="field switch-field">
      <div className="field-label-row">
        <input id={id} type="checkbox" checked={checked} aria-describedby={hintId} onChange={(e) => onChange(e.target.checked)} />
        <label htmlFor={id}>{label}</label>
      </div>
      {hint && (
        <p className="field-hint" id={hintId}>
          {hint}
        </p>
      )}
    </div>
  );
}

/** What "Deduplicate sub-calls" does, said the same way on Settings and New run. */
export const DEDUPE_HINT = 'A sub-call repeating one this run already sent (same model, same prompt) gets the first answer, at no cost. Off: each is asked again, as voting needs.';
