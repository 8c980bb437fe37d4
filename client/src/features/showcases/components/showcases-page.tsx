import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import { FormError, SubmitButton, TextField } from '../../../components/form-fields.tsx';
import { EmptyState, Loading, QueryError } from '../../../components/status.tsx';
import { errorMessage } from '../../../lib/error-message.ts';
import { useFormat } from '../../../lib/format.ts';
import { usePageTitle } from '../../../lib/page-title.ts';
import { editShowcasePath, showcasePath } from '../paths.ts';
import { useCreateShowcaseMutation, useMyShowcasesQuery } from '../queries.ts';

/** The pupil's showcases: the list, and a new one by its title (the editor opens next). */
export function ShowcasesPage() {
  const { t } = useTranslation();
  usePageTitle(t('showcases.title'));
  const format = useFormat();
  const navigate = useNavigate();
  const list = useMyShowcasesQuery();
  const create = useCreateShowcaseMutation();
  const [title, setTitle] = useState('');

  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate({ title }, { onSuccess: (s) => void navigate(editShowcasePath(s.id)) });
  };

  return (
    <div className="stack">
      <div className="page-header">
        <h1>{t('showcases.title')}</h1>
        <p className="lead">{t('showcases.intro')}</p>
      </div>
      <section className="card stack" aria-labelledby="new-showcase-heading">
        <h2 id="new-showcase-heading">{t('showcases.newHeading')}</h2>
        <form className="stack" onSubmit={submit} noValidate>
          <FormError message={create.isError ? errorMessage(t, create.error) : null} />
          <TextField name="title" label={t('showcases.titleLabel')} value={title} onChange={setTitle} required />
          <SubmitButton pending={create.isPending} label={t('showcases.create')} />
        </form>
      </section>
      <section className="stack" aria-labelledby="my-showcases-heading">
        <h2 id="my-showcases-heading">{t('showcases.mine')}</h2>
        {list.isPending && <Loading />}
        {list.isError && <QueryError error={list.error} onRetry={() => void list.refetch()} />}
        {list.isSuccess &&
          (list.data.items.length === 0 ? (
            <EmptyState heading={t('showcases.emptyHeading')} headingLevel={3}>
              <p>{t('showcases.emptyText')}</p>
            </EmptyState>
          ) : (
            <ul className="showcase-list">
              {list.data.items.map((s) => (
                <li key={s.id} className="card">
                  <Link to={showcasePath(s.id)}>{s.title}</Link>{' '}
                  <span className="muted">
                    · {t('showcases.itemCount', { count: s.itemCount })} · {t(`showcases.visibility.${s.visibility}`)} · {format.dateTime(s.updatedAt)}
                  </span>{' '}
                  <Link to={editShowcasePath(s.id)} aria-label={t('showcases.editNamed', { title: s.title })}>
                    {t('showcases.edit')}
                  </Link>
                </li>
              ))}
            </ul>
          ))}
      </section>
    </div>
  );
}
