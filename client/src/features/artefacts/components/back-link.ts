import { useTranslation } from 'react-i18next';
import type { UserRef } from '../../../../../shared/api/org.ts';
import { rolesOf, useSession } from '../../auth/session.ts';
import { guardianChildPath, teacherPupilPath } from '../paths.ts';

/** Back to the portfolio the artefact belongs to, as the reader knows it. */
export function usePortfolioBackLink(owner: UserRef): { to: string; label: string } {
  const { t } = useTranslation();
  const me = useSession();
  const roles = rolesOf(me);
  if (me.user.id === owner.id) return { to: '/pupil', label: t('artefact.backToMine') };
  if (roles.includes('teacher')) return { to: teacherPupilPath(owner.id), label: t('artefact.backToPupil', { name: owner.displayName }) };
  if (roles.includes('guardian')) return { to: guardianChildPath(owner.id), label: t('artefact.backToPupil', { name: owner.displayName }) };
  return { to: '/', label: t('notFound.home') };
}
