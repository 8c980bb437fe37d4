import { useCallback, useEffect, useId, useState } from 'react';
import type { ZodError } from 'zod';
import { useTranslation } from 'react-i18next';
import type { ZodType } from 'zod';
import { errorMessage } from './error-message.ts';
import { fieldErrorsFromApi, fieldErrorsFromZod, focusFirstInvalid, type FieldErrors } from './form-errors.ts';

type Values = Record<string, string | boolean>;
type KeysOf<V, T> = { [K in keyof V]: V[K] extends T ? K : never }[keyof V] & string;

/**
 * Small form state for admin forms: values, translated field errors, a form-level error and
 * where focus goes after a failed submit (the first bad field, or the error message).
 */
export function useForm<V extends Values>(initial: V) {
  const { t } = useTranslation();
  // An id rather than refs: the form is found when focus has to move, after the re-render.
  const formId = useId();
  const [initialValues] = useState<V>(initial);
  const [values, setValues] = useState<V>(initial);
  // What went wrong is kept, not its translation: messages are made at render time, in the current language.
  const [problem, setProblem] = useState<{ fields: ZodError } | { error: unknown } | null>(null);
  const fieldErrors: FieldErrors = !problem ? {} : 'fields' in problem ? fieldErrorsFromZod(t, problem.fields) : fieldErrorsFromApi(t, problem.error);
  const formError = problem && 'error' in problem ? errorMessage(t, problem.error) : null;
  const [pending, setPending] = useState(false);
  const [focusRequest, setFocusRequest] = useState<{ target: 'field' | 'error'; seq: number } | null>(null);

  useEffect(() => {
    if (!focusRequest) return;
    const form = document.getElementById(formId);
    const alert = form?.querySelector<HTMLElement>('[role="alert"]');
    if (focusRequest.target === 'error' && alert) alert.focus();
    else focusFirstInvalid(form instanceof HTMLFormElement ? form : null);
  }, [focusRequest, formId]);

  const text = (name: KeysOf<V, string>) => ({
    name,
    value: values[name] as string,
    onChange: (value: string) => setValues((prev) => ({ ...prev, [name]: value })),
    error: fieldErrors[name],
  });

  const checkbox = (name: KeysOf<V, boolean>) => ({
    name,
    checked: values[name] as boolean,
    onChange: (checked: boolean) => setValues((prev) => ({ ...prev, [name]: checked })),
  });

  /** Checks `payload` with the shared schema, sends the parsed (trimmed, normalised) data, maps failures back. */
  async function submit<T>(schema: ZodType<T>, payload: unknown, send: (data: T) => Promise<unknown>): Promise<boolean> {
    const parsed = schema.safeParse(payload);
    if (!parsed.success) {
      setProblem({ fields: parsed.error });
      setFocusRequest({ target: 'field', seq: Date.now() });
      return false;
    }
    setProblem(null);
    setPending(true);
    try {
      await send(parsed.data);
      return true;
    } catch (error) {
      setProblem({ error });
      setFocusRequest({ target: 'error', seq: Date.now() });
      return false;
    } finally {
      setPending(false);
    }
  }

  const reset = useCallback(
    (next?: V) => {
      setValues(next ?? initialValues);
      setProblem(null);
    },
    [initialValues],
  );

  return { formId, values, setValues, text, checkbox, fieldErrors, formError, pending, submit, reset };
}

/** `''` → `undefined`, for optional fields the user left empty. */
export const emptyToUndefined = (value: string) => (value.trim() === '' ? undefined : value);
/** `''` → `null`, for optional fields that clear a saved value. */
export const emptyToNull = (value: string) => (value.trim() === '' ? null : value);
