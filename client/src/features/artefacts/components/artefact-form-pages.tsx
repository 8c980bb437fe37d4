import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, Navigate, useNavigate, useParams, useSearchParams } from 'react-router';
import { Loading, pageErrorHeading, QueryError } from '../../../components/status.tsx';
import { useToast } from '../../../components/toast.tsx';
import { draftKey, drafts } from '../../../lib/drafts.ts';
import { usePageTitle } from '../../../lib/page-title.ts';
import { useSession } from '../../auth/session.ts';
import { useProjectsQuery } from '../../projects/queries.ts';
import { useReferenceQuery } from '../../reference/queries.ts';
import { artefactPath } from '../paths.ts';
import { useArtefactQuery } from '../queries.ts';
import { ArtefactForm, type ArtefactDraft, type ArtefactDraftFields } from './artefact-form.tsx';

/**
 * Unsent work kept for this form, read before the form is shown (its editor takes initial values
 * only). `generation` re-mounts the form when the draft is thrown away.
 */
function useStoredDraft(key: string) {
  const [state, setState] = useState<{ key: string; draft: ArtefactDraft | null; generation: number } | null>(null);
  useEffect(() => {
    let live = true;
    void drafts.get<ArtefactDraftFields>(key).then((draft) => {
      if (live) setState((prev) => ({ key, draft, generation: (prev?.generation ?? 0) + 1 }));
    });
    return () => {
      live = false;
    };
  }, [key]);
  const current = state?.key === key ? state : null;
  return {
    loaded: current !== null,
    draft: current?.draft ?? null,
    formKey: `${key}#${current?.generation ?? 0}`,
    discard: () => setState((prev) => ({ key, draft: null, generation: (prev?.generation ?? 0) + 1 })),
  };
}

export function NewArtefactPage() {
  const { t } = useTranslation();
  usePageTitle(t('artefactForm.newTitle'));
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const toast = useToast();
  const projects = useProjectsQuery();
  const reference = useReferenceQuery();
  const projectId = params.get('projectId') ?? undefined;
  const me = useSession();
  const key = draftKey(me.user.id, 'artefact:new');
  const stored = useStoredDraft(key);

  return (
    <div className="stack">
      <p className="back-link">
        <Link to="/pupil">{t('artefact.backToMine')}</Link>
      </p>
      <div className="page-header">
        <h1>{t('artefactForm.newHeading')}</h1>
        <p className="lead">{t('artefactForm.newIntro')}</p>
      </div>
      {(projects.isPending || reference.isPending || !stored.loaded) && <Loading />}
      {projects.isError && <QueryError error={projects.error} onRetry={() => void projects.refetch()} />}
      {projects.isSuccess && stored.loaded && (
        <ArtefactForm
          key={stored.formKey}
          draftKey={key}
          draft={stored.draft}
          onDiscardDraft={stored.discard}
          projects={projects.data.projects}
          {...(projectId ? { initialProjectId: projectId } : {})}
          onSaved={(artefact) => {
            toast({ message: t('artefactForm.created', { title: artefact.title }) });
            void navigate(artefactPath(artefact.id));
          }}
          onCancel={() => void navigate(-1)}
        />
      )}
    </div>
  );
}

export function EditArtefactPage() {
  const { t } = useTranslation();
  const { artefactId = '' } = useParams();
  const me = useSession();
  const navigate = useNavigate();
  const toast = useToast();
  const artefact = useArtefactQuery(artefactId);
  const projects = useProjectsQuery();
  const key = draftKey(me.user.id, `artefact:${artefactId}`);
  const stored = useStoredDraft(key);
  const failed = artefact.isError ? pageErrorHeading(t, artefact.error) : projects.isError ? pageErrorHeading(t, projects.error) : undefined;
  usePageTitle(artefact.data ? t('artefactForm.editTitle', { title: artefact.data.title }) : (failed ?? t('common.loading')));

  // Only the owner edits; others who open the address get the artefact itself.
  if (artefact.data && artefact.data.owner.id !== me.user.id) return <Navigate to={artefactPath(artefactId)} replace />;

  return (
    <div className="stack">
      <p className="back-link">
        <Link to={artefactPath(artefactId)}>{t('artefactForm.backToArtefact')}</Link>
      </p>
      <div className="page-header">
        <h1>{artefact.data ? t('artefactForm.editHeading', { title: artefact.data.title }) : (failed ?? t('common.loading'))}</h1>
        <p className="lead">{t('artefactForm.editIntro')}</p>
      </div>
      {(artefact.isPending || projects.isPending || !stored.loaded) && <Loading />}
      {artefact.isError && <QueryError error={artefact.error} onRetry={() => void artefact.refetch()} />}
      {projects.isError && <QueryError error={projects.error} onRetry={() => void projects.refetch()} />}
      {artefact.isSuccess && projects.isSuccess && stored.loaded && (
        <ArtefactForm
          // Keyed by the draft only (not by the data): a change arriving live must not wipe what is being typed.
          key={stored.formKey}
          draftKey={key}
          draft={stored.draft}
          onDiscardDraft={stored.discard}
          artefact={artefact.data}
          projects={projects.data.projects}
          onSaved={(saved) => {
            toast({ message: t('artefactForm.saved', { title: saved.title }) });
            void navigate(artefactPath(saved.id));
          }}
          onCancel={() => void navigate(artefactPath(artefactId))}
        />
      )}
    </div>
  );
}
