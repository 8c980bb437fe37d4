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
  type?: 'text' | 'password' | 'email' | 'date' | 'url' | 'search';
  autoComplete?: string;
  hint?: string | undefined;
  error?: string | undefined;
  optional?: boolean;
  required?: boolean;
  inputMode?: 'text' | 'numeric' | 'email' | 'url';
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

interface TextAreaFieldProps {
  name: string;
  label: string;
  value: string;
  onChange: (value: string) => void;
  hint?: string | undefined;
  error?: string | undefined;
  optional?: boolean;
  required?: boolean;
  rows?: number;
}

export function TextAreaField({
  name,
  label,
  value,
  onChange,
  hint,
  error,
  optional,
  required,
  rows = 4,
  ref,
}: TextAreaFieldProps & { ref?: Ref<HTMLTextAreaElement> }) {
  const id = `${useId()}-${name}`;
  return (
    <FieldFrame id={id} label={label} hint={hint} error={error} optional={optional}>
      {(describedBy) => (
        <textarea
          ref={ref}
          id={id}
          name={name}
          value={value}
          rows={rows}
          onChange={(e) => onChange(e.target.value)}
          aria-invalid={error ? true : undefined}
          aria-describedby={describedBy}
          aria-required={required || undefined}
        />
      )}
    </FieldFrame>
  );
}

export interface ChoiceOption {
  value: string;
  label: string;
}

interface CheckboxGroupProps {
  name: string;
  legend: string;
  options: readonly ChoiceOption[];
  value: readonly string[];
  onChange: (value: string[]) => void;
  hint?: string | undefined;
  error?: string | undefined;
  /** Many options (e.g. all subjects) are laid out in columns. */
  columns?: boolean;
  legendClassName?: string;
}

/** A fieldset of checkboxes: the legend names the group for screen readers, each box has its own label. */
export function CheckboxGroup({ name, legend, options, value, onChange, hint, error, columns, legendClassName }: CheckboxGroupProps) {
  const id = `${useId()}-${name}`;
  const chosen = new Set(value);
  const toggle = (option: string, checked: boolean) => {
    const next = new Set(chosen);
    if (checked) next.add(option);
    else next.delete(option);
    // Keep the options' order, so the saved list does not depend on the clicking order.
    onChange(options.map((o) => o.value).filter((v) => next.has(v)));
  };
  const describedBy = [error ? `${id}-error` : null, hint ? `${id}-hint` : null].filter(Boolean).join(' ') || undefined;
  return (
    <fieldset className={error ? 'choice-group field--invalid' : 'choice-group'} aria-describedby={describedBy}>
      <legend className={legendClassName}>{legend}</legend>
      {hint && (
        <p className="field__hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
      {error && (
        <p className="field__error" id={`${id}-error`}>
          {error}
        </p>
      )}
      <ul className={columns ? 'choice-list choice-list--columns' : 'choice-list'} role="list">
        {options.map((option) => {
          const optionId = `${id}-${option.value}`;
          return (
            <li key={option.value} className="field--checkbox">
              <input
                id={optionId}
                type="checkbox"
                name={name}
                value={option.value}
                checked={chosen.has(option.value)}
                onChange={(e) => toggle(option.value, e.target.checked)}
              />
              <label htmlFor={optionId}>{option.label}</label>
            </li>
          );
        })}
      </ul>
    </fieldset>
  );
}

interface RadioGroupProps {
  name: string;
  legend: string;
  options: readonly (ChoiceOption & { hint?: string })[];
  value: string;
  onChange: (value: string) => void;
}

export function RadioGroup({ name, legend, options, value, onChange }: RadioGroupProps) {
  const id = `${useId()}-${name}`;
  return (
    <fieldset className="choice-group">
      <legend>{legend}</legend>
      <ul className="choice-list" role="list">
        {options.map((option) => {
          const optionId = `${id}-${option.value}`;
          const hintId = option.hint ? `${optionId}-hint` : undefined;
          // The hint sits outside the label, so the name stays short and the hint is read as a description.
          return (
            <li key={option.value} className="field--checkbox">
              <input
                id={optionId}
                type="radio"
                name={name}
                value={option.value}
                checked={value === option.value}
                onChange={() => onChange(option.value)}
                aria-describedby={hintId}
              />
              <div>
                <label htmlFor={optionId}>{option.label}</label>
                {option.hint && (
                  <p className="field__hint" id={hintId}>
                    {option.hint}
                  </p>
                )}
              </div>
            </li>
          );
        })}
      </ul>
    </fieldset>
  );
}

/** A form's primary button: disabled and saying so while the form is being sent. */
export function SubmitButton({ pending, label }: { pending: boolean; label: string }) {
  const { t } = useTranslation();
  return (
    <button type="submit" className="button button--primary" disabled={pending}>
      {pending ? t('common.saving') : label}
    </button>
  );
}
