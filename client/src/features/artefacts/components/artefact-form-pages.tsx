import { useTranslation } from 'react-i18next';
import { Link, Navigate, useNavigate, useParams, useSearchParams } from 'react-router';
import { Loading, QueryError } from '../../../components/status.tsx';
import { useToast } from '../../../components/toast.tsx';
import { usePageTitle } from '../../../lib/page-title.ts';
import { useSession } from '../../auth/session.ts';
import { useProjectsQuery } from '../../projects/queries.ts';
import { useReferenceQuery } from '../../reference/queries.ts';
import { artefactPath } from '../paths.ts';
import { useArtefactQuery } from '../queries.ts';
import { ArtefactForm } from './artefact-form.tsx';

export function NewArtefactPage() {
  const { t } = useTranslation();
  usePageTitle(t('artefactForm.newTitle'));
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const toast = useToast();
  const projects = useProjectsQuery();
  const reference = useReferenceQuery();
  const projectId = params.get('projectId') ?? undefined;

  return (
    <div className="stack">
      <p className="back-link">
        <Link to="/pupil">{t('artefact.backToMine')}</Link>
      </p>
      <div className="page-header">
        <h1>{t('artefactForm.newHeading')}</h1>
        <p className="lead">{t('artefactForm.newIntro')}</p>
      </div>
      {(projects.isPending || reference.isPending) && <Loading />}
      {projects.isError && <QueryError error={projects.error} />}
      {projects.isSuccess && (
        <ArtefactForm
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
  usePageTitle(artefact.data ? t('artefactForm.editTitle', { title: artefact.data.title }) : t('common.loading'));

  // Only the owner edits; others who open the address get the artefact itself.
  if (artefact.data && artefact.data.owner.id !== me.user.id) return <Navigate to={artefactPath(artefactId)} replace />;

  return (
    <div className="stack">
      <p className="back-link">
        <Link to={artefactPath(artefactId)}>{t('artefactForm.backToArtefact')}</Link>
      </p>
      <div className="page-header">
        <h1>{artefact.data ? t('artefactForm.editHeading', { title: artefact.data.title }) : t('common.loading')}</h1>
        <p className="lead">{t('artefactForm.editIntro')}</p>
      </div>
      {(artefact.isPending || projects.isPending) && <Loading />}
      {artefact.isError && <QueryError error={artefact.error} />}
      {projects.isError && <QueryError error={projects.error} />}
      {artefact.isSuccess && projects.isSuccess && (
        <ArtefactForm
          // Keyed by id only: a change arriving live must not wipe what is being typed.
          key={artefact.data.id}
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
