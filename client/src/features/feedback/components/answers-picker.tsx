import { useTranslation } from 'react-i18next';
import type { Artefact } from '../../../../../shared/api/artefacts.ts';
import { CheckboxGroup } from '../../../components/form-fields.tsx';
import { useFeedbackQuery } from '../queries.ts';

/**
 * Issue 10 §4: when the pupil saves a new version, which feedback it answers. Offers the messages
 * of others on this work that no version has answered yet; nothing when there are none.
 */
export function AnswersPicker({ artefact, value, onChange }: { artefact: Artefact; value: string[]; onChange: (ids: string[]) => void }) {
  const { t } = useTranslation();
  const thread = useFeedbackQuery(artefact.id);
  const open = (thread.data?.items ?? []).filter((f) => f.author?.id !== artefact.owner.id && f.answeredVersion === null);
  if (open.length === 0) return null;
  return (
    <div className="card form-section">
      <CheckboxGroup
        name="answersFeedbackIds"
        legend={t('uptake.answersLegend')}
        hint={t('uptake.answersHint')}
        options={open.map((f) => ({
          value: f.id,
          label: `${f.revise ? `${t('uptake.revisionRequested')}: ` : ''}${f.author?.displayName ?? f.importedAuthor?.displayName ?? ''}: ${f.body.length > 120 ? `${f.body.slice(0, 119)}…` : f.body}`,
        }))}
        value={value}
        onChange={onChange}
      />
    </div>
  );
}
