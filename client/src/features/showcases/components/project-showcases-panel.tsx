import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import type { ShowcaseTemplate } from '../../../../../shared/api/showcases.ts';
import { useConfirm } from '../../../components/confirm-dialog.tsx';
import { FormError, SelectField, SubmitButton, TextAreaField, TextField } from '../../../components/form-fields.tsx';
import { LiveNotice, useNotice } from '../../../components/live-notice.tsx';
import { errorMessage, errorText } from '../../../lib/error-message.ts';
import { editShowcasePath, showcasePath } from '../paths.ts';
import { useProjectShowcasesQuery, useShowcaseTemplatesQuery, useStartFromTemplateMutation, useTemplateMutations } from '../queries.ts';

interface Goal {
  id: string;
  text: string;
}

/** On the project page: its showcase templates (teachers keep them, pupils start from them) and the showcases shared with it. */
export function ProjectShowcasesPanel({ projectId, goals }: { projectId: string; goals: readonly Goal[] }) {
  const { t } = useTranslation();
  const templates = useShowcaseTemplatesQuery(projectId);
  const shared = useProjectShowcasesQuery(projectId);
  const start = useStartFromTemplateMutation();
  const navigate = useNavigate();
  const [editing, setEditing] = useState<ShowcaseTemplate | 'new' | null>(null);
  const data = templates.data;
  return (
    <>
      {data && (data.canManage || data.items.length > 0) && (
        <section className="card stack" aria-labelledby="showcase-templates-heading">
          <h2 id="showcase-templates-heading">{t('showcases.templates')}</h2>
          {data.items.length === 0 ? (
            <p className="muted">{t('showcases.noTemplates')}</p>
          ) : (
            <ul className="stack">
              {data.items.map((tpl) => (
                <li key={tpl.id} className="stack">
                  <h3>{tpl.title}</h3>
                  {tpl.intro && <p>{tpl.intro}</p>}
                  <ol>
                    {tpl.slots.map((s, i) => (
                      <li key={i}>
                        {s.prompt}
                        {s.goalId && <span className="muted"> · {goals.find((g) => g.id === s.goalId)?.text}</span>}
                      </li>
                    ))}
                  </ol>
                  <div className="button-row button-row--start">
                    {data.canStart && (
                      <button
                        type="button"
                        className="button button--primary"
                        disabled={start.isPending}
                        onClick={() => start.mutate(tpl.id, { onSuccess: (s) => void navigate(editShowcasePath(s.id)) })}
                      >
                        {t('showcases.startFrom', { title: tpl.title })}
                      </button>
                    )}
                    {data.canManage && (
                      <button type="button" className="button button--secondary" onClick={() => setEditing(tpl)}>
                        {t('showcases.editTemplateNamed', { title: tpl.title })}
                      </button>
                    )}
                  </div>
                </li>
              ))}
            </ul>
          )}
          <FormError message={start.isError ? errorMessage(t, start.error) : null} />
          {data.canManage && editing === null && (
            <div className="button-row button-row--start">
              <button type="button" className="button button--secondary" onClick={() => setEditing('new')}>
                {t('showcases.newTemplate')}
              </button>
            </div>
          )}
          {data.canManage && editing !== null && (
            <TemplateForm
              key={editing === 'new' ? 'new' : editing.id}
              projectId={projectId}
              goals={goals}
              template={editing === 'new' ? null : editing}
              onDone={() => setEditing(null)}
            />
          )}
        </section>
      )}
      {shared.data && shared.data.items.length > 0 && (
        <section className="card stack" aria-labelledby="project-showcases-heading">
          <h2 id="project-showcases-heading">{t('showcases.sharedWithProject')}</h2>
          <ul className="showcase-list">
            {shared.data.items.map((s) => (
              <li key={s.id}>
                <Link to={showcasePath(s.id)}>{s.title}</Link>
              </li>
            ))}
          </ul>
        </section>
      )}
    </>
  );
}

function TemplateForm({
  projectId,
  goals,
  template,
  onDone,
}: {
  projectId: string;
  goals: readonly Goal[];
  template: ShowcaseTemplate | null;
  onDone: () => void;
}) {
  const { t } = useTranslation();
  const { create, update, remove } = useTemplateMutations(projectId);
  const confirm = useConfirm();
  const notice = useNotice();
  const [title, setTitle] = useState(template?.title ?? '');
  const [intro, setIntro] = useState(template?.intro ?? '');
  const [slots, setSlots] = useState(template?.slots ?? [{ prompt: '', goalId: null }]);
  const save = template ? update : create;
  const setSlot = (i: number, patch: Partial<(typeof slots)[number]>) => setSlots(slots.map((s, j) => (j === i ? { ...s, ...patch } : s)));
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const body = { title, intro, slots: slots.filter((s) => s.prompt.trim()) };
    const done = { onSuccess: onDone, onError: (e: unknown) => notice.error(errorText(e)) };
    if (template) update.mutate({ id: template.id, body }, done);
    else create.mutate(body, done);
  };
  const del = async () => {
    if (!template || !(await confirm(t('showcases.confirmDeleteTemplate', { title: template.title }), t('showcases.deleteTemplate')))) return;
    remove.mutate(template.id, { onSuccess: onDone, onError: (e) => notice.error(errorText(e)) });
  };
  return (
    <form
      className="stack"
      onSubmit={submit}
      noValidate
      aria-label={template ? t('showcases.editTemplateNamed', { title: template.title }) : t('showcases.newTemplate')}
    >
      <FormError message={save.isError ? errorMessage(t, save.error) : null} />
      <TextField name="template-title" label={t('showcases.templateTitle')} value={title} onChange={setTitle} required />
      <TextAreaField name="template-intro" label={t('showcases.templateIntro')} value={intro} onChange={setIntro} optional />
      <fieldset className="stack">
        <legend>{t('showcases.slots')}</legend>
        {slots.map((s, i) => (
          <div key={i} className="stack">
            <TextField name={`slot-${i}`} label={t('showcases.slotPrompt', { n: i + 1 })} value={s.prompt} onChange={(v) => setSlot(i, { prompt: v })} />
            <SelectField
              name={`slot-goal-${i}`}
              label={t('showcases.slotGoal', { n: i + 1 })}
              value={s.goalId ?? ''}
              onChange={(v) => setSlot(i, { goalId: v || null })}
              placeholder={t('showcases.noGoal')}
              options={goals.map((g) => ({ value: g.id, label: g.text }))}
            />
            <button type="button" className="button button--secondary" onClick={() => setSlots(slots.filter((_, j) => j !== i))}>
              {t('showcases.removeSlot', { n: i + 1 })}
            </button>
          </div>
        ))}
        <button type="button" className="button button--secondary" onClick={() => setSlots([...slots, { prompt: '', goalId: null }])}>
          {t('showcases.addSlot')}
        </button>
      </fieldset>
      <div className="button-row button-row--start">
        <SubmitButton pending={save.isPending} label={t('showcases.saveTemplate')} />
        <button type="button" className="button button--secondary" onClick={onDone}>
          {t('confirm.cancel')}
        </button>
        {template && (
          <button type="button" className="button button--danger" onClick={() => void del()}>
            {t('showcases.deleteTemplate')}
          </button>
        )}
      </div>
      <LiveNotice notice={notice.notice} />
    </form>
  );
}
