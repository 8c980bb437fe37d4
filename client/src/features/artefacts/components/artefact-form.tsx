import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { createArtefactRequestSchema, updateArtefactRequestSchema, type Artefact } from '../../../../../shared/api/artefacts.ts';
import type { Project } from '../../../../../shared/api/projects.ts';
import { CheckboxGroup, FormError, RadioGroup, SelectField, TextField } from '../../../components/form-fields.tsx';
import { RichTextEditor } from '../../../components/rich-text-editor.tsx';
import { isApiError } from '../../../lib/http.ts';
import { perFileProgress } from '../../../lib/upload.ts';
import { useForm } from '../../../lib/use-form.ts';
import { useReferenceLabels } from '../../reference/queries.ts';
import { jsonBytes, type UploadCallbacks } from '../api.ts';
import { useAddMediaMutation, useCreateArtefactMutation, useUpdateArtefactMutation } from '../queries.ts';
import { LinksEditor, newLink, type LinkDraft } from './links-editor.tsx';
import { MediaPicker, type PendingFile, type UploadPhase } from './media-picker.tsx';
import { competenceOptionLabel } from './timeline.tsx';

interface ArtefactFormProps {
  projects: readonly Project[];
  /** Editing an existing artefact; without it, a new one is created. */
  artefact?: Artefact;
  initialProjectId?: string;
  onSaved: (artefact: Artefact) => void;
  onCancel: () => void;
}

export function ArtefactForm({ projects, artefact, initialProjectId, onSaved, onCancel }: ArtefactFormProps) {
  const { t } = useTranslation();
  const labels = useReferenceLabels();
  const form = useForm({
    title: artefact?.title ?? '',
    projectId: artefact?.projectId ?? (projects.some((p) => p.id === initialProjectId) ? (initialProjectId ?? '') : ''),
    phaseId: artefact?.phaseId ?? '',
    status: String(artefact?.status ?? 'draft'),
    visibility: String(artefact?.visibility ?? 'private'),
  });
  // Open at first when something is chosen already; afterwards it is the user's to open and close.
  const [tagsOpen] = useState(Boolean(artefact && (artefact.subjectCodes.length > 0 || artefact.competenceIds.length > 0)));
  const [bodyHtml, setBodyHtml] = useState(artefact?.bodyHtml ?? '');
  const [subjectCodes, setSubjectCodes] = useState<string[]>(artefact?.subjectCodes ?? []);
  const [competenceIds, setCompetenceIds] = useState<string[]>(artefact?.competenceIds ?? []);
  const [goalIds, setGoalIds] = useState<string[]>(artefact?.goalIds ?? []);
  const [links, setLinks] = useState<LinkDraft[]>(() => (artefact?.links ?? []).map((l) => newLink(l.url, l.title ?? '')));
  const [files, setFiles] = useState<PendingFile[]>([]);
  const [removeMediaIds, setRemoveMediaIds] = useState<string[]>([]);
  const [progress, setProgress] = useState<number[] | null>(null);
  const [phase, setPhase] = useState<UploadPhase>('idle');
  const [mediaError, setMediaError] = useState<string | undefined>();

  const create = useCreateArtefactMutation();
  const update = useUpdateArtefactMutation(artefact?.id ?? '');
  const addMedia = useAddMediaMutation(artefact?.id ?? '');

  const project = projects.find((p) => p.id === form.values.projectId);
  const v = form.values;

  const callbacks = (leadingBytes: number): UploadCallbacks => {
    const sizes = files.map((f) => f.file.size);
    setProgress(sizes.map(() => 0));
    setPhase('uploading');
    return {
      onProgress: (p) => setProgress(perFileProgress(p, leadingBytes, sizes)),
      onSent: () => setPhase('processing'),
    };
  };

  /** Upload problems are also shown at the files, where they can be fixed. */
  const upload = async <T,>(send: () => Promise<T>): Promise<T> => {
    setMediaError(undefined);
    try {
      return await send();
    } catch (error) {
      if (isApiError(error, 'payload_too_large')) setMediaError(t('media.tooLarge'));
      if (isApiError(error, 'unsupported_media_type')) setMediaError(t('media.unsupported'));
      throw error;
    } finally {
      setPhase('idle');
      setProgress(null);
    }
  };

  const fields = {
    title: v.title,
    bodyHtml,
    projectId: v.projectId || null,
    phaseId: (project && v.phaseId) || null,
    links: links.filter((l) => l.url.trim() !== '').map((l) => ({ url: l.url.trim(), ...(l.title.trim() ? { title: l.title.trim() } : {}) })),
    subjectCodes,
    competenceIds,
    goalIds: project ? goalIds.filter((id) => project.goals.some((g) => g.id === id)) : [],
    status: v.status,
    visibility: v.visibility,
  };

  const onSubmit = async (event: React.FormEvent) => {
    event.preventDefault();
    let saved: Artefact | undefined;
    if (!artefact) {
      await form.submit(createArtefactRequestSchema, fields, async (data) => {
        saved = await upload(() => create.mutateAsync({ data, files: files.map((f) => f.file), callbacks: callbacks(jsonBytes(data)) }));
      });
    } else {
      const payload = { ...fields, ...(removeMediaIds.length > 0 ? { removeMediaIds } : {}) };
      await form.submit(updateArtefactRequestSchema, payload, async (data) => {
        saved = await update.mutateAsync(data);
        if (files.length > 0) {
          saved = await upload(() => addMedia.mutateAsync({ files: files.map((f) => f.file), callbacks: callbacks(0) }));
        }
      });
    }
    if (saved) onSaved(saved);
  };

  const busy = form.pending || phase !== 'idle';
  const subjects = labels.data?.subjects ?? [];
  const frameworks = labels.data?.frameworks ?? [];
  const keptMedia = artefact?.media ?? [];

  return (
    <form id={form.formId} onSubmit={onSubmit} noValidate className="form artefact-form">
      <FormError message={form.formError} />
      <div className="card form-section">
        <TextField label={t('artefactForm.title')} autoComplete="off" required {...form.text('title')} />
        <RichTextEditor label={t('artefactForm.body')} hint={t('artefactForm.bodyHint')} initialHtml={artefact?.bodyHtml ?? ''} onChange={setBodyHtml} />
      </div>

      <div className="card form-section">
        <MediaPicker files={files} onChange={setFiles} progress={progress} phase={phase} error={mediaError} />
        {keptMedia.length > 0 && (
          <CheckboxGroup
            name="removeMedia"
            legend={t('artefactForm.removeMedia')}
            hint={t('artefactForm.removeMediaHint')}
            options={keptMedia.map((m, i) => ({ value: m.id, label: m.originalName ?? t('artefactForm.mediaN', { n: i + 1 }) }))}
            value={removeMediaIds}
            onChange={setRemoveMediaIds}
          />
        )}
        <LinksEditor links={links} onChange={setLinks} error={form.fieldErrors.links} />
      </div>

      <div className="card form-section">
        <SelectField
          label={t('artefactForm.project')}
          options={[{ value: '', label: t('artefactForm.noProject') }, ...projects.map((p) => ({ value: p.id, label: p.title }))]}
          {...form.text('projectId')}
          onChange={(projectId) => {
            form.setValues((prev) => ({ ...prev, projectId, phaseId: '' }));
            setGoalIds([]);
          }}
        />
        {project && project.phases.length > 0 && (
          <SelectField
            label={t('artefactForm.phase')}
            options={[{ value: '', label: t('artefactForm.noPhase') }, ...project.phases.map((p) => ({ value: p.id, label: p.title }))]}
            {...form.text('phaseId')}
          />
        )}
        {project && project.goals.length > 0 && (
          <CheckboxGroup
            name="goals"
            legend={t('artefactForm.goals')}
            hint={t('artefactForm.goalsHint')}
            options={project.goals.map((g) => ({ value: g.id, label: g.text }))}
            value={goalIds}
            onChange={setGoalIds}
          />
        )}
        <details className="disclosure" open={tagsOpen || undefined}>
          <summary>{t('artefactForm.subjectsAndCompetences')}</summary>
          <CheckboxGroup
            name="subjects"
            legend={t('artefactForm.subjects')}
            options={subjects.map((s) => ({ value: s.code, label: labels.label(s.labels) }))}
            value={subjectCodes}
            onChange={setSubjectCodes}
            error={form.fieldErrors.subjectCodes}
            columns
          />
          {frameworks.map((framework) => (
            <CheckboxGroup
              key={framework.key}
              name={`competences-${framework.key}`}
              legend={labels.label(framework.labels)}
              options={framework.competences.map((c) => ({ value: c.id, label: competenceOptionLabel(c.key, labels.label(c.labels)) }))}
              value={competenceIds.filter((id) => framework.competences.some((c) => c.id === id))}
              onChange={(chosen) => setCompetenceIds([...competenceIds.filter((id) => !framework.competences.some((c) => c.id === id)), ...chosen])}
            />
          ))}
        </details>
      </div>

      <div className="card form-section">
        <RadioGroup
          name="status"
          legend={t('artefactForm.status')}
          options={[
            { value: 'draft', label: t('artefact.status.draft'), hint: t('artefactForm.draftHint') },
            { value: 'ready', label: t('artefact.status.ready'), hint: t('artefactForm.readyHint') },
          ]}
          value={v.status}
          onChange={(status) => form.setValues((prev) => ({ ...prev, status }))}
        />
        <RadioGroup
          name="visibility"
          legend={t('artefactForm.visibility')}
          options={[
            { value: 'private', label: t('artefact.visibility.private'), hint: t('artefactForm.privateHint') },
            { value: 'guardians', label: t('artefact.visibility.guardians'), hint: t('artefactForm.guardiansHint') },
          ]}
          value={v.visibility}
          onChange={(visibility) => form.setValues((prev) => ({ ...prev, visibility }))}
        />
      </div>

      <div className="button-row button-row--start">
        <button type="submit" className="button button--primary" disabled={busy}>
          {busy ? t('common.saving') : artefact ? t('common.save') : t('artefactForm.create')}
        </button>
        <button type="button" className="button button--secondary" onClick={onCancel} disabled={busy}>
          {t('common.cancel')}
        </button>
      </div>
    </form>
  );
}
