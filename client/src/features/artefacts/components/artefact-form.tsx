import { useCallback, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { createArtefactRequestSchema, updateArtefactRequestSchema, type Artefact } from '../../../../../shared/api/artefacts.ts';
import type { Project } from '../../../../../shared/api/projects.ts';
import { CheckboxGroup, FormError, RadioGroup, SelectField, TextField } from '../../../components/form-fields.tsx';
import { RichTextEditor, type RichTextHandle } from '../../../components/rich-text-editor.tsx';
import { ReflectionPromptsPanel } from '../../projects/components/phase-prompts.tsx';
import { drafts, type StoredDraft } from '../../../lib/drafts.ts';
import { errorMessage } from '../../../lib/error-message.ts';
import { useFormat } from '../../../lib/format.ts';
import { type ApiError, isApiError } from '../../../lib/http.ts';
import { perFileProgress } from '../../../lib/upload.ts';
import { useForm } from '../../../lib/use-form.ts';
import { useOnline } from '../../../lib/use-online.ts';
import { useSession } from '../../auth/session.ts';
import { useReferenceLabels } from '../../reference/queries.ts';
import { jsonBytes, type UploadCallbacks } from '../api.ts';
import { useAddMediaMutation, useCreateArtefactMutation, usePupilTagsQuery, useUpdateArtefactMutation } from '../queries.ts';
import { LinksEditor, newLink, type LinkDraft } from './links-editor.tsx';
import { MediaPicker, toPending, type PendingFile, type UploadPhase } from './media-picker.tsx';
import { TagInput } from './tag-input.tsx';
import { AnswersPicker } from '../../feedback/components/answers-picker.tsx';
import { competenceOptionLabel } from './timeline.tsx';

/** What a draft keeps of the form: everything typed and chosen, files apart. */
export interface ArtefactDraftFields {
  title: string;
  bodyHtml: string;
  projectId: string;
  phaseId: string;
  status: string;
  visibility: string;
  links: Array<{ url: string; title: string }>;
  subjectCodes: string[];
  competenceIds: string[];
  goalIds: string[];
  /** Absent in drafts kept before tags existed. */
  tags?: string[];
  removeMediaIds: string[];
}
export type ArtefactDraft = StoredDraft<ArtefactDraftFields>;

/** Where a save stands, shown next to the button: offline and failed keep the work in the draft. */
type SaveState = { kind: 'idle' } | { kind: 'saving' } | { kind: 'offline' } | { kind: 'failed'; error: unknown };

interface ArtefactFormProps {
  projects: readonly Project[];
  /** Editing an existing artefact; without it, a new one is created. */
  artefact?: Artefact;
  initialProjectId?: string;
  /** Where this form's unsent work is kept (see lib/drafts.ts). */
  draftKey: string;
  /** Unsent work from an earlier visit, restored into the form. */
  draft?: ArtefactDraft | null;
  /** Throws the restored draft away; the page re-mounts the form from the saved values. */
  onDiscardDraft?: () => void;
  onSaved: (artefact: Artefact) => void;
  onCancel: () => void;
}

function fieldsOf(artefact: Artefact | undefined, projectId: string): ArtefactDraftFields {
  return {
    title: artefact?.title ?? '',
    bodyHtml: artefact?.bodyHtml ?? '',
    projectId: artefact?.projectId ?? projectId,
    phaseId: artefact?.phaseId ?? '',
    status: String(artefact?.status ?? 'draft'),
    visibility: String(artefact?.visibility ?? 'private'),
    links: (artefact?.links ?? []).map((l) => ({ url: l.url, title: l.title ?? '' })),
    subjectCodes: artefact?.subjectCodes ?? [],
    competenceIds: artefact?.competenceIds ?? [],
    goalIds: artefact?.goalIds ?? [],
    tags: artefact?.tags ?? [],
    removeMediaIds: [],
  };
}

/** A request that could not reach the server (as opposed to an answer saying no): worth keeping and retrying. */
const unsent = (error: unknown) => isApiError(error, 'network_error') || (error instanceof DOMException && error.name === 'AbortError');

export function ArtefactForm({ projects, artefact, initialProjectId, draftKey, draft, onDiscardDraft, onSaved, onCancel }: ArtefactFormProps) {
  const { t } = useTranslation();
  const format = useFormat();
  const labels = useReferenceLabels();
  const online = useOnline();
  const [saved0] = useState(() => fieldsOf(artefact, projects.some((p) => p.id === initialProjectId) ? (initialProjectId ?? '') : ''));
  const start = draft?.fields ?? saved0;
  const form = useForm({
    title: start.title,
    projectId: start.projectId,
    phaseId: start.phaseId,
    status: start.status,
    visibility: start.visibility,
  });
  // Open at first when something is chosen already; afterwards it is the user's to open and close.
  const [tagsOpen] = useState(start.subjectCodes.length > 0 || start.competenceIds.length > 0);
  const [bodyHtml, setBodyHtml] = useState(start.bodyHtml);
  const [subjectCodes, setSubjectCodes] = useState<string[]>(start.subjectCodes);
  const [competenceIds, setCompetenceIds] = useState<string[]>(start.competenceIds);
  const [goalIds, setGoalIds] = useState<string[]>(start.goalIds);
  const [tags, setTags] = useState<string[]>(start.tags ?? []);
  const me = useSession();
  const knownTags = usePupilTagsQuery(artefact?.owner.id ?? me.user.id);
  const [links, setLinks] = useState<LinkDraft[]>(() => start.links.map((l) => newLink(l.url, l.title)));
  const [files, setFiles] = useState<PendingFile[]>(() => (draft?.files ?? []).map(toPending));
  const [removeMediaIds, setRemoveMediaIds] = useState<string[]>(start.removeMediaIds);
  // Issue 10 §4: the feedback this save answers (not kept in the draft: chosen at the save).
  const [answersFeedbackIds, setAnswers] = useState<string[]>([]);
  const [progress, setProgress] = useState<number[] | null>(null);
  const [phase, setPhase] = useState<UploadPhase>('idle');
  const [mediaError, setMediaError] = useState<MediaErrorMessage | undefined>();
  // A restored draft whose Save was pressed, opened offline, is waiting for the connection already.
  const [saveState, setSaveState] = useState<SaveState>(() => (draft?.submitted && !navigator.onLine ? { kind: 'offline' } : { kind: 'idle' }));
  const progressRef = useRef<HTMLDivElement>(null);
  const bodyEditor = useRef<RichTextHandle>(null);

  const create = useCreateArtefactMutation();
  const update = useUpdateArtefactMutation(artefact?.id ?? '');
  const addMedia = useAddMediaMutation(artefact?.id ?? '');

  const project = projects.find((p) => p.id === form.values.projectId);
  const v = form.values;

  // The draft: written (shortly after typing stops) whenever the form differs from what is saved,
  // removed when it does not, and removed for good once the server has confirmed the save.
  const submitted = useRef(draft?.submitted ?? false);
  const done = useRef(false);
  const draftFields: ArtefactDraftFields = {
    title: v.title,
    bodyHtml,
    projectId: v.projectId,
    phaseId: v.phaseId,
    status: v.status,
    visibility: v.visibility,
    links: links.map((l) => ({ url: l.url, title: l.title })),
    subjectCodes,
    competenceIds,
    goalIds,
    tags,
    removeMediaIds,
  };
  const draftJson = JSON.stringify(draftFields);
  const changed = files.length > 0 || draftJson !== JSON.stringify(saved0);
  const writeDraft = useCallback(async () => {
    if (done.current) return;
    if (!changed) {
      await drafts.remove(draftKey);
      return;
    }
    await drafts.put<ArtefactDraftFields>({
      key: draftKey,
      fields: JSON.parse(draftJson) as ArtefactDraftFields,
      files: files.map((f) => f.file),
      savedAt: new Date().toISOString(),
      submitted: submitted.current,
    });
  }, [changed, draftJson, draftKey, files]);
  useEffect(() => {
    const timer = setTimeout(() => void writeDraft(), 400);
    return () => clearTimeout(timer);
  }, [writeDraft]);

  const callbacks = (leadingBytes: number, signal: AbortSignal): UploadCallbacks => {
    const sizes = files.map((f) => f.file.size);
    setProgress(sizes.map(() => 0));
    setPhase('uploading');
    // On a wide screen the files sit above the fold's end: bring their progress into view.
    requestAnimationFrame(() => progressRef.current?.scrollIntoView({ block: 'nearest', behavior: 'smooth' }));
    return {
      onProgress: (p) => setProgress(perFileProgress(p, leadingBytes, sizes)),
      onSent: () => setPhase('processing'),
      signal,
    };
  };

  /** Upload problems are also shown at the files, where they can be fixed. */
  const upload = async <T,>(send: () => Promise<T>): Promise<T> => {
    setMediaError(undefined);
    try {
      return await send();
    } catch (error) {
      if (isApiError(error, 'payload_too_large') || isApiError(error, 'unsupported_media_type') || isApiError(error, 'service_unavailable'))
        setMediaError(mediaErrorOf(error));
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
    tags,
    status: v.status,
    visibility: v.visibility,
  };

  /**
   * Sends the form. Offline, nothing is sent: the draft (marked as submitted) waits for the
   * connection. A request that never got an answer leaves the draft too, with a way to retry;
   * only the server's confirmation removes it.
   */
  const save = async () => {
    let saved: Artefact | undefined;
    const send = async (request: (signal: AbortSignal) => Promise<Artefact>) => {
      submitted.current = true;
      await writeDraft();
      if (!navigator.onLine) {
        setSaveState({ kind: 'offline' });
        return;
      }
      setSaveState({ kind: 'saving' });
      // Losing the connection mid-way must not leave "Saving…" hanging: stop and wait for it instead.
      const controller = new AbortController();
      const onOffline = () => controller.abort();
      window.addEventListener('offline', onOffline);
      try {
        saved = await request(controller.signal);
      } catch (error) {
        if (unsent(error)) {
          setSaveState(navigator.onLine ? { kind: 'failed', error } : { kind: 'offline' });
          return;
        }
        // The server answered no (too large, invalid …): shown in the form; not retried by itself.
        submitted.current = false;
        setSaveState({ kind: 'idle' });
        throw error;
      } finally {
        window.removeEventListener('offline', onOffline);
      }
    };
    if (!artefact) {
      await form.submit(createArtefactRequestSchema, fields, (data) =>
        send((signal) => upload(() => create.mutateAsync({ data, files: files.map((f) => f.file), callbacks: callbacks(jsonBytes(data), signal) }))),
      );
    } else {
      const payload = {
        ...fields,
        ...(removeMediaIds.length > 0 ? { removeMediaIds } : {}),
        ...(answersFeedbackIds.length > 0 ? { answersFeedbackIds } : {}),
      };
      await form.submit(updateArtefactRequestSchema, payload, (data) =>
        // With new files, the fields travel in the same request: one save makes one version (issue 10 §4).
        send((signal) =>
          files.length > 0
            ? upload(() => addMedia.mutateAsync({ files: files.map((f) => f.file), callbacks: callbacks(jsonBytes(data), signal), data }))
            : update.mutateAsync({ body: data, signal }),
        ),
      );
    }
    if (saved) {
      done.current = true;
      await drafts.remove(draftKey);
      setSaveState({ kind: 'idle' });
      onSaved(saved);
    }
  };

  // Retry by itself when the connection returns (once per return, so an unreachable server is not
  // hammered), and when a page opens with a draft whose Save was pressed but never confirmed.
  const saveRef = useRef(save);
  const stateRef = useRef(saveState);
  useEffect(() => {
    saveRef.current = save;
    stateRef.current = saveState;
  });
  useEffect(() => {
    const kind = stateRef.current.kind;
    if (online && (kind === 'offline' || kind === 'failed') && submitted.current) void saveRef.current();
  }, [online]);
  const resumed = useRef(false);
  useEffect(() => {
    if (resumed.current || !draft?.submitted || !navigator.onLine) return;
    resumed.current = true;
    void saveRef.current();
  }, [draft]);

  const onSubmit = (event: React.FormEvent) => {
    event.preventDefault();
    void save();
  };

  const busy = form.pending || phase !== 'idle' || saveState.kind === 'saving';
  const subjects = labels.data?.subjects ?? [];
  const frameworks = labels.data?.frameworks ?? [];
  const keptMedia = artefact?.media ?? [];

  return (
    <form id={form.formId} onSubmit={onSubmit} noValidate className="form artefact-form">
      {draft && (
        <div className="notice notice--info draft-notice" role="status">
          <p>{t('artefactForm.draftRestored', { time: format.dateTime(draft.savedAt) })}</p>
          {onDiscardDraft && (
            <button
              type="button"
              className="button button--secondary"
              disabled={busy}
              onClick={() => {
                done.current = true;
                void drafts.remove(draftKey).then(onDiscardDraft);
              }}
            >
              {t('artefactForm.discardDraft')}
            </button>
          )}
        </div>
      )}
      <FormError message={form.formError} />
      <div className="card form-section">
        <TextField label={t('artefactForm.title')} autoComplete="off" required {...form.text('title')} />
        <RichTextEditor
          label={t('artefactForm.body')}
          hint={t('artefactForm.bodyHint')}
          initialHtml={start.bodyHtml}
          onChange={setBodyHtml}
          handleRef={bodyEditor}
        />
      </div>

      <div className="card form-section">
        <div ref={progressRef} className="scroll-anchor">
          <MediaPicker
            files={files}
            onChange={setFiles}
            progress={progress}
            phase={phase}
            error={mediaError ? t(`media.${mediaError.key}`, mediaError.params) : undefined}
          />
        </div>
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
        <ReflectionPromptsPanel project={project} phaseId={form.values.phaseId} onAnswer={(prompt) => bodyEditor.current?.appendHeading(prompt)} />
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
        <TagInput tags={tags} onChange={setTags} suggestions={knownTags.data?.tags.map((x) => x.tag)} error={form.fieldErrors.tags} />
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

      {artefact && <AnswersPicker artefact={artefact} value={answersFeedbackIds} onChange={setAnswers} />}

      <div className="button-row button-row--start">
        <button type="submit" className="button button--primary" disabled={busy}>
          {busy ? t('common.saving') : artefact ? t('common.save') : t('artefactForm.create')}
        </button>
        <button
          type="button"
          className="button button--secondary"
          // Cancel means "throw this away": the draft goes too.
          onClick={() => {
            done.current = true;
            void drafts.remove(draftKey).then(onCancel);
          }}
          disabled={busy}
        >
          {t('common.cancel')}
        </button>
      </div>
      <SaveStatus state={saveState} online={online} onRetry={() => void save()} />
    </form>
  );
}

/** Where the save stands, in a live region: offline and failed say that the work is kept on this device. */
function SaveStatus({ state, online, onRetry }: { state: SaveState; online: boolean; onRetry: () => void }) {
  const { t } = useTranslation();
  const kind = state.kind === 'idle' && !online ? 'offlineIdle' : state.kind;
  return (
    <div role="status" className="save-status" data-save-state={kind}>
      {kind === 'saving' && <p className="muted">{t('common.saving')}</p>}
      {kind === 'offline' && (
        <div className="notice notice--warning">
          <p>{t('artefactForm.offlineKept')}</p>
        </div>
      )}
      {kind === 'offlineIdle' && <p className="muted">{t('artefactForm.offlineHint')}</p>}
      {state.kind === 'failed' && (
        <div className="notice notice--error">
          <p>{t('artefactForm.saveFailed', { reason: errorMessage(t, state.error) })}</p>
          <button type="button" className="button button--secondary" onClick={onRetry}>
            {t('common.retry')}
          </button>
        </div>
      )}
    </div>
  );
}

/** Which media message an upload refusal shows: the server's reason names a format or a limit when it can. */
interface MediaErrorMessage {
  key: 'tooLarge' | 'unsupported' | 'formatUnreadable' | 'transcodeTooLong' | 'busy';
  params?: Readonly<Record<string, string | number>>;
}

function mediaErrorOf(error: ApiError): MediaErrorMessage {
  const reason = error.reason;
  if (reason?.code === 'media_format_unreadable') return { key: 'formatUnreadable', params: reason.params };
  if (reason?.code === 'media_transcode_too_long') return { key: 'transcodeTooLong', params: reason.params };
  if (error.code === 'service_unavailable') return { key: 'busy' };
  return { key: error.code === 'payload_too_large' ? 'tooLarge' : 'unsupported' };
}
