// The run limits as a grid of fields. On New run each shows the default from Settings as its
// placeholder (empty = default); in Settings each holds the default itself (empty = no limit).
import type { RunLimits } from '../../shared/limits';
import { Field } from './Field';
import { LIMIT_FIELDS, limitPlaceholder, type LimitErrors, type LimitKey, type LimitsDraft } from './limitsForm';

interface LimitsFieldsProps {
  draft: LimitsDraft;
  errors: LimitErrors | undefined;
  /** The values shown as placeholders: the defaults a blank field falls back to. */
  defaults: RunLimits;
  onChange(key: LimitKey, value: string): void;
}

export function LimitsFields({ draft, errors, defaults, onChange }: LimitsFieldsProps) {
  return (
    <div className="limits-grid">
      {LIMIT_FIELDS.map((field) => (
        <Field
          key={field.key}
          label={field.label}
          value={draft[field.key]}
          placeholder={limitPlaceholder(field, defaults[field.key])}
          inputMode="decimal"
          error={errors?.[field.key]}
          onChange={(value) => onChange(field.key, value)}
        />
      ))}
    </div>
  );
}
