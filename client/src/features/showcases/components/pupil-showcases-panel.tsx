import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { showcasePath } from '../paths.ts';
import { usePupilShowcasesQuery } from '../queries.ts';

/** On a teacher's or guardian's page of a pupil: the showcases this viewer may see (the server decides which). */
export function PupilShowcasesPanel({ pupilId }: { pupilId: string }) {
  const { t } = useTranslation();
  const list = usePupilShowcasesQuery(pupilId);
  if (!list.data) return null;
  return (
    <section className="card stack" aria-labelledby="pupil-showcases-heading">
      <h2 id="pupil-showcases-heading">{t('showcases.title')}</h2>
      {list.data.items.length === 0 ? (
        <p className="muted">{t('showcases.noneShared')}</p>
      ) : (
        <ul className="showcase-list">
          {list.data.items.map((s) => (
            <li key={s.id}>
              <Link to={showcasePath(s.id)}>{s.title}</Link> <span className="muted">· {t('showcases.itemCount', { count: s.itemCount })}</span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
