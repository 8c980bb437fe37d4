import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import type { Labels, ReferenceData } from '../../../../shared/api/reference.ts';
import { currentLocale } from '../../i18n/i18n.ts';
import { referenceApi } from './api.ts';

export const referenceKeys = { all: ['reference'] as const };

/** Subjects and competences change only with a server release: fetched once per page load. */
export function useReferenceQuery() {
  return useQuery({ queryKey: referenceKeys.all, queryFn: ({ signal }) => referenceApi.get(signal), staleTime: Infinity });
}

export interface ReferenceLabels {
  data: ReferenceData | undefined;
  /** The label in the user's language; the code itself while the data is loading or unknown. */
  subject: (code: string) => string;
  competence: (id: string) => string;
  framework: (key: string) => string;
  label: (labels: Labels) => string;
}

/** Labels of reference data in the current language (re-renders when the language changes). */
export function useReferenceLabels(): ReferenceLabels {
  // Subscribing to the translation makes the component re-render on a language change.
  useTranslation();
  const { data } = useReferenceQuery();
  const lang = currentLocale();
  const label = (labels: Labels) => labels[lang];
  const subjects = new Map(data?.subjects.map((s) => [s.code, s.labels]));
  const competences = new Map(data?.frameworks.flatMap((f) => f.competences.map((c) => [c.id, c.labels] as const)));
  const frameworks = new Map(data?.frameworks.map((f) => [f.key, f.labels]));
  return {
    data,
    label,
    subject: (code) => {
      const l = subjects.get(code);
      return l ? label(l) : code;
    },
    competence: (id) => {
      const l = competences.get(id);
      return l ? label(l) : id;
    },
    framework: (key) => {
      const l = frameworks.get(key);
      return l ? label(l) : key;
    },
  };
}
