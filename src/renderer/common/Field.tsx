// A labelled text field with its hint and its error tied to it (aria-describedby), so the
// message is read with the field and shown where the mistake is.
import { useId, type ReactNode } from 'react';

interface FieldProps {
  label: string;
  value: string;
  onChange(value: string): void;
  error?: string | undefined;
  hint?: ReactNode;
  placeholder?: string;
  type?: 'text' | 'password' | 'url' | 'search';
  multiline?: boolean;
  rows?: number;
  list?: string;
  inputMode?: 'text' | 'decimal' | 'numeric' | 'url';
  autoComplete?: string;
  className?: string;
  /** Extra controls on the label's line (a badge, a button). */
  aside?: ReactNode;
  onKeyDown?(event: React.KeyboardEvent<HTMLInputElement | HTMLTextAreaElement>): void;
}

export function Field(props: FieldProps) {
  const id = useId();
  const hintId = props.hint ? `${id}-hint` : undefined;
  const errorId = props.error ? `${id}-error` : undefined;
  const common = {
    id,
    value: props.value,
    placeholder: props.placeholder,
    'aria-invalid': props.error ? true : undefined,
    'aria-describedby': [errorId, hintId].filter(Boolean).join(' ') || undefined,
    onKeyDown: props.onKeyDown,
    spellCheck: false,
  };
  return (
    <div className={`field ${props.className ?? ''}`}>
      <div className="field-label-row">
        <label htmlFor={id}>{props.label}</label>
        {props.aside}
      </div>
      {props.multiline ? (
        <textarea {...common} rows={props.rows ?? 4} onChange={(e) => props.onChange(e.target.value)} />
      ) : (
        <input
          {...common}
          type={props.type ?? 'text'}
          list={props.list}
          inputMode={props.inputMode}
          autoComplete={props.autoComplete ?? 'off'}
          onChange={(e) => props.onChange(e.target.value)}
        />
      )}
      {props.error && (
        <p className="field-error" id={errorId}>
          {props.error}
        </p>
      )}
      {props.hint && (
        <p className="field-hint" id={hintId}>
          {props.hint}
        </p>
      )}
    </div>
  );
}
