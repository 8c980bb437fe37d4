import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import type { Feedback } from '../../../../../shared/api/feedback.ts';

/**
 * Issue 10 §3–4: what a teacher marked on a message (a request to revise, the goals it is about)
 * and the version of the work that answered it. In words, not only by colour or icon.
 */
export function FeedbackMarks({ item, goals }: { item: Feedback; goals: Map<string, string> }) {
  const { t } = useTranslation();
  const named = item.goalIds.map((id) => goals.get(id)).filter((text): text is string => Boolean(text));
  if (!item.revise && named.length === 0 && item.answeredVersion === null) return null;
  return (
    <div className="feedback__marks">
      {item.revise && (
        <strong className="badge badge--revise">
          <span aria-hidden="true">✎ </span>
          {t('uptake.revisionRequested')}
        </strong>
      )}
      {named.length > 0 && (
        <span>
          {t('uptake.aboutGoals')}: {named.join('; ')}
        </span>
      )}
      {item.answeredVersion !== null && (
        <Link to={`?diff=${item.answeredVersion}#history`} className="feedback__answered">
          {t('uptake.answeredIn', { n: item.answeredVersion })}
        </Link>
      )}
    </div>
  );
}
