import { useId, type ReactNode, type Ref } from 'react';
import { useTranslation } from 'react-i18next';

interface FieldFrameProps {
  id: string;
  label: string;
  hint?: string | undefined;
  error?: string | undefined;
  optional?: boolean | undefined;
  children: (describedBy: string | undefined) => ReactNode;
}

/** Label, optional hint and error wired to the control with aria-describedby. */
function FieldFrame({ id, label, hint, error, optional, children }: FieldFrameProps) {
  const { t } = useTranslation();
  const hintId = hint ? `${id}-hint` : undefined;
  const errorId = error ? `${id}-error` : undefined;
  const describedBy = [errorId, hintId].filter(Boolean).join(' ') || undefined;
  return (
    <div className={error ? 'field field--invalid' : 'field'}>
      <label htmlFor={id}>
        {label}
        {optional && <span className="field__optional"> ({t('common.optional')})</span>}
      </label>
      {hint && (
        <p className="field__hint" id={hintId}>
          {hint}
        </p>
      )}
      {error && (
        <p className="field__error" id={errorId}>
          {error}
        </p>
      )}
      {children(describedBy)}
    </div>
  );
}

interface TextFieldProps {
  name: string;
  label: string;
  value: string;
  onChange: (value: string) => void;
  type?: 'text' | 'password' | 'email';
  autoComplete?: string;
  hint?: string | undefined;
  error?: string | undefined;
  optional?: boolean;
  required?: boolean;
  inputMode?: 'text' | 'numeric' | 'email';
  spellCheck?: boolean;
}

export function TextField({
  name,
  label,
  value,
  onChange,
  type = 'text',
  autoComplete,
  hint,
  error,
  optional,
  required,
  inputMode,
  spellCheck,
  ref,
}: TextFieldProps & { ref?: Ref<HTMLInputElement> }) {
  const id = `${useId()}-${name}`;
  return (
    <FieldFrame id={id} label={label} hint={hint} error={error} optional={optional}>
      {(describedBy) => (
        <input
          ref={ref}
          id={id}
          name={name}
          type={type}
          value={value}
          onChange={(e) => onChange(e.target.value)}
          autoComplete={autoComplete}
          inputMode={inputMode}
          spellCheck={spellCheck}
          aria-invalid={error ? true : undefined}
          aria-describedby={describedBy}
          aria-required={required || undefined}
        />
      )}
    </FieldFrame>
  );
}

export interface SelectOption {
  value: string;
  label: string;
  lang?: string;
}

interface SelectFieldProps {
  name: string;
  label: string;
  value: string;
  onChange: (value: string) => void;
  options: readonly SelectOption[];
  /** A first, empty choice such as "Choose a person". */
  placeholder?: string;
  hint?: string | undefined;
  error?: string | undefined;
  optional?: boolean;
  required?: boolean;
  disabled?: boolean;
}

export function SelectField({ name, label, value, onChange, options, placeholder, hint, error, optional, required, disabled }: SelectFieldProps) {
  const id = `${useId()}-${name}`;
  return (
    <FieldFrame id={id} label={label} hint={hint} error={error} optional={optional}>
      {(describedBy) => (
        <select
          id={id}
          name={name}
          value={value}
          onChange={(e) => onChange(e.target.value)}
          aria-invalid={error ? true : undefined}
          aria-describedby={describedBy}
          aria-required={required || undefined}
          disabled={disabled}
        >
          {placeholder !== undefined && <option value="">{placeholder}</option>}
          {options.map((o) => (
            <option key={o.value} value={o.value} lang={o.lang}>
              {o.label}
            </option>
          ))}
        </select>
      )}
    </FieldFrame>
  );
}

interface CheckboxFieldProps {
  name: string;
  label: string;
  checked: boolean;
  onChange: (checked: boolean) => void;
}

export function CheckboxField({ name, label, checked, onChange }: CheckboxFieldProps) {
  const id = `${useId()}-${name}`;
  return (
    <div className="field field--checkbox">
      <input id={id} name={name} type="checkbox" checked={checked} onChange={(e) => onChange(e.target.checked)} />
      <label htmlFor={id}>{label}</label>
    </div>
  );
}

/** A form-level error, announced at once; rendered only while there is one. */
export function FormError({ message, ref }: { message: string | null; ref?: Ref<HTMLParagraphElement> }) {
  if (!message) return null;
  return (
    <p ref={ref} className="notice notice--error" role="alert" tabIndex={-1}>
      {message}
    </p>
  );
}
