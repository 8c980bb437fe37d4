import { useTranslation } from 'react-i18next';
import type { GoalAssessment, GoalEvidence } from '../../../../../shared/api/goal-assessments.ts';
import type { Scale } from '../../../../../shared/api/scales.ts';
import { useFormat } from '../../../lib/format.ts';
import { useLevelText } from './level-picker.tsx';

/**
 * Every assessment, oldest first, self and teacher in their own columns: the accessible form of the
 * growth chart (and the whole history when no chart can be drawn).
 */
export function GrowthTable({
  scale,
  assessments,
  evidence,
  canShare,
  onShare,
  sharing,
}: {
  scale: Scale;
  assessments: readonly GoalAssessment[];
  evidence: readonly GoalEvidence[];
  canShare: boolean;
  onShare: (assessment: GoalAssessment) => void;
  sharing: boolean;
}) {
  const { t } = useTranslation();
  const format = useFormat();
  const levelText = useLevelText();
  const titleOf = (id: string) => evidence.find((e) => e.id === id)?.title;
  const cell = (a: GoalAssessment) => (
    <>
      <span className="growth-level">{levelText(scale, a.level)}</span>
      {a.kind === 'teacher' && a.assessor && <span className="muted"> · {a.assessor.displayName}</span>}
      {a.kind === 'teacher' && !a.assessor && a.importedAssessor && (
        <span className="muted">
          {' '}
          · {a.importedAssessor.displayName}{' '}
          <span className="badge badge--imported" title={t('imported.personTitle')}>
            {t('imported.label')}
          </span>
        </span>
      )}
      {a.reflection && <p className="growth-reflection">{a.reflection}</p>}
      {a.voice && (
        <figure className="growth-voice">
          <figcaption>{t('feedbackMedia.reflectionVoice')}</figcaption>
          <audio controls preload="none" src={a.voice.url}>
            <a href={a.voice.url}>{t('feedbackMedia.voiceDownload')}</a>
          </audio>
        </figure>
      )}
      {a.artefactIds.length > 0 && (
        <p className="muted growth-based-on">
          {t('goalPage.basedOn', { titles: a.artefactIds.map((id) => titleOf(id) ?? t('goalPage.otherWork')).join(', ') })}
        </p>
      )}
    </>
  );
  return (
    <div className="table-scroll">
      <table className="growth-table">
        <caption>{t('goalPage.historyCaption')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('goalPage.date')}</th>
            <th scope="col">{t('goalPage.self')}</th>
            <th scope="col">{t('goalPage.teacher')}</th>
            <th scope="col">{t('goalPage.guardians')}</th>
          </tr>
        </thead>
        <tbody>
          {assessments.map((a) => (
            <tr key={a.id}>
              <th scope="row">{format.dateTime(a.createdAt)}</th>
              <td>{a.kind === 'self' ? cell(a) : null}</td>
              <td>{a.kind === 'teacher' ? cell(a) : null}</td>
              <td>
                {a.sharedWithGuardians ? t('goalPage.shared') : t('goalPage.notShared')}
                {canShare && (
                  <>
                    {' '}
                    <button type="button" className="button button--secondary button--small" disabled={sharing} onClick={() => onShare(a)}>
                      {a.sharedWithGuardians ? t('goalPage.unshare') : t('goalPage.share')}
                      <span className="visually-hidden"> ({format.dateTime(a.createdAt)})</span>
                    </button>
                  </>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
