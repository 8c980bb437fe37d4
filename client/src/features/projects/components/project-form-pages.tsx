import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams } from 'react-router';
import { Loading, pageErrorHeading, QueryError } from '../../../components/status.tsx';
import { useToast } from '../../../components/toast.tsx';
import { usePageTitle } from '../../../lib/page-title.ts';
import { projectPath } from '../paths.ts';
import { useProjectQuery } from '../queries.ts';
import { ProjectForm } from './project-form.tsx';

export function NewProjectPage() {
  const { t } = useTranslation();
  usePageTitle(t('projects.newTitle'));
  const navigate = useNavigate();
  const toast = useToast();
  return (
    <div className="stack">
      <p className="back-link">
        <Link to="/teacher">{t('projects.backToTeacher')}</Link>
      </p>
      <div className="page-header">
        <h1>{t('projects.newHeading')}</h1>
        <p className="lead">{t('projects.newIntro')}</p>
      </div>
      <ProjectForm
        onSaved={(project) => {
          toast({ message: t('projects.created', { title: project.title }) });
          void navigate(projectPath(project.id));
        }}
        onCancel={() => void navigate(-1)}
      />
    </div>
  );
}

export function EditProjectPage() {
  const { t } = useTranslation();
  const { projectId = '' } = useParams();
  const project = useProjectQuery(projectId);
  const navigate = useNavigate();
  const toast = useToast();
  const failed = project.isError ? pageErrorHeading(t, project.error) : undefined;
  usePageTitle(project.data ? t('projects.editTitle', { title: project.data.title }) : (failed ?? t('common.loading')));
  return (
    <div className="stack">
      <p className="back-link">
        <Link to={projectPath(projectId)}>{t('projects.backToProject')}</Link>
      </p>
      <div className="page-header">
        <h1>{project.data ? t('projects.editHeading', { title: project.data.title }) : (failed ?? t('common.loading'))}</h1>
      </div>
      {project.isPending && <Loading />}
      {project.isError && <QueryError error={project.error} onRetry={() => void project.refetch()} />}
      {project.isSuccess && (
        <ProjectForm
          key={project.data.id}
          project={project.data}
          onSaved={(saved) => {
            toast({ message: t('projects.saved', { title: saved.title }) });
            void navigate(projectPath(saved.id));
          }}
          onCancel={() => void navigate(projectPath(projectId))}
        />
      )}
    </div>
  );
}
