import { useEffect, useRef, useState, type FormEvent } from 'react';
import { ShowcaseApprovalState } from '../../guardian-sharing/components/showcase-approval-panel.tsx';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams } from 'react-router';
import type { Showcase, ShowcaseItem, ShowcaseVisibilityValue } from '../../../../../shared/api/showcases.ts';
import { useConfirm } from '../../../components/confirm-dialog.tsx';
import { RadioGroup, SelectField, SubmitButton, TextField, FormError } from '../../../components/form-fields.tsx';
import { LiveNotice, useNotice } from '../../../components/live-notice.tsx';
import { RichTextEditor } from '../../../components/rich-text-editor.tsx';
import { Loading, PageError, pageErrorHeading } from '../../../components/status.tsx';
import { useToast } from '../../../components/toast.tsx';
import { errorMessage, errorText } from '../../../lib/error-message.ts';
import { isApiError } from '../../../lib/http.ts';
import { usePageTitle } from '../../../lib/page-title.ts';
import { useProjectsQuery } from '../../projects/queries.ts';
import { showcasePath, showcasesPath } from '../paths.ts';
import {
  useDeleteShowcaseMutation,
  useRemoveShowcaseItemMutation,
  useReorderShowcaseMutation,
  useShowcaseQuery,
  useUpdateShowcaseItemMutation,
  useUpdateShowcaseMutation,
} from '../queries.ts';
import { ArtefactPicker } from './artefact-picker.tsx';

/** The pupil's editor: title and introduction, sharing, the items in order (moved with buttons), and works picked from the portfolio. */
export function ShowcaseEditorPage() {
  const { t } = useTranslation();
  const { showcaseId = '' } = useParams();
  const showcase = useShowcaseQuery(showcaseId);
  const heading = showcase.isError ? (isApiError(showcase.error, 'not_found') ? t('showcases.notFound') : pageErrorHeading(t, showcase.error)) : undefined;
  usePageTitle(showcase.data ? t('showcases.editTitle', { title: showcase.data.title }) : (heading ?? t('common.loading')));
  if (showcase.isError) return <PageError error={showcase.error} heading={heading} onRetry={() => void showcase.refetch()} />;
  if (!showcase.data)
    return (
      <>
        <h1>{t('common.loading')}</h1>
        <Loading />
      </>
    );
  return <Editor showcase={showcase.data} />;
}

function Editor({ showcase }: { showcase: Showcase }) {
  const { t } = useTranslation();
  const [fillSlot, setFillSlot] = useState<ShowcaseItem | null>(null);
  return (
    <div className="stack showcase-editor">
      <p className="back-link">
        <Link to={showcasesPath()}>{t('showcases.backToList')}</Link>
      </p>
      <div className="page-header page-header--with-action">
        <h1>{t('showcases.editTitle', { title: showcase.title })}</h1>
        <Link className="button button--secondary" to={showcasePath(showcase.id)}>
          {t('showcases.preview')}
        </Link>
      </div>
      <DetailsForm key={`${showcase.id}-details`} showcase={showcase} />
      <SharingForm showcase={showcase} />
      <ItemsList showcase={showcase} onFillSlot={setFillSlot} />
      <ArtefactPicker showcase={showcase} fillSlot={fillSlot} onSlotFilled={() => setFillSlot(null)} />
      <DeleteShowcase showcase={showcase} />
    </div>
  );
}

function DetailsForm({ showcase }: { showcase: Showcase }) {
  const { t } = useTranslation();
  const update = useUpdateShowcaseMutation(showcase.id);
  const notice = useNotice();
  const [title, setTitle] = useState(showcase.title);
  const [intro, setIntro] = useState(showcase.introHtml);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    update.mutate({ title, introHtml: intro }, { onSuccess: () => notice.success(t('showcases.saved')), onError: (e) => notice.error(errorText(e)) });
  };
  return (
    <section className="card stack" aria-labelledby="showcase-details-heading">
      <h2 id="showcase-details-heading">{t('showcases.details')}</h2>
      <form className="stack" onSubmit={submit} noValidate>
        <TextField name="title" label={t('showcases.titleLabel')} value={title} onChange={setTitle} required />
        <RichTextEditor label={t('showcases.introLabel')} initialHtml={showcase.introHtml} onChange={setIntro} />
        <SubmitButton pending={update.isPending} label={t('showcases.saveDetails')} />
      </form>
      <LiveNotice notice={notice.notice} />
    </section>
  );
}

function SharingForm({ showcase }: { showcase: Showcase }) {
  const { t } = useTranslation();
  const update = useUpdateShowcaseMutation(showcase.id);
  const projects = useProjectsQuery();
  const notice = useNotice();
  const [visibility, setVisibility] = useState<ShowcaseVisibilityValue>(showcase.visibility);
  const [projectId, setProjectId] = useState(showcase.projectId ?? '');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    update.mutate(
      { visibility, ...(visibility === 'project' ? { projectId: projectId || null } : {}) },
      { onSuccess: () => notice.success(t('showcases.sharingSaved')), onError: (e) => notice.error(errorText(e)) },
    );
  };
  return (
    <section className="card stack" aria-labelledby="showcase-sharing-heading">
      <h2 id="showcase-sharing-heading">{t('showcases.sharing')}</h2>
      <form className="stack" onSubmit={submit} noValidate>
        <RadioGroup
          name="visibility"
          legend={t('showcases.whoSees')}
          value={visibility}
          onChange={(v) => setVisibility(v as ShowcaseVisibilityValue)}
          options={(['private', 'guardians', 'project'] as const).map((v) => ({
            value: v,
            label: t(`showcases.visibility.${v}`),
            hint: t(`showcases.visibilityHint.${v}`),
          }))}
        />
        {visibility === 'project' && (
          <SelectField
            name="projectId"
            label={t('showcases.project')}
            value={projectId}
            onChange={setProjectId}
            placeholder={t('showcases.chooseProject')}
            options={(projects.data?.projects ?? []).map((p) => ({ value: p.id, label: p.title }))}
            required
          />
        )}
        <SubmitButton pending={update.isPending} label={t('showcases.saveSharing')} />
      </form>
      {/* Issue 12 §1: where a teacher approves what guardians see, whether they see it yet. */}
      {showcase.guardianApproval && <ShowcaseApprovalState approval={showcase.guardianApproval} editable />}
      <LiveNotice notice={notice.notice} />
    </section>
  );
}

function ItemsList({ showcase, onFillSlot }: { showcase: Showcase; onFillSlot: (item: ShowcaseItem) => void }) {
  const { t } = useTranslation();
  const reorder = useReorderShowcaseMutation(showcase.id);
  const remove = useRemoveShowcaseItemMutation(showcase.id);
  const confirm = useConfirm();
  const notice = useNotice();
  // After a move the item's buttons are in a new place: keep the keyboard on the same item (the other button at an edge),
  // once the list shows it where it went.
  const focusAfter = useRef<{ id: string; dir: 'up' | 'down'; index: number } | null>(null);
  const items = showcase.items;
  useEffect(() => {
    const want = focusAfter.current;
    if (!want || items[want.index]?.id !== want.id) return;
    focusAfter.current = null;
    const other = want.dir === 'up' ? 'down' : 'up';
    const wanted = document.getElementById(`move-${want.dir}-${want.id}`) as HTMLButtonElement | null;
    const fallback = document.getElementById(`move-${other}-${want.id}`) as HTMLButtonElement | null;
    (wanted && !wanted.disabled ? wanted : fallback)?.focus();
  });

  const label = (item: ShowcaseItem) => item.artefact?.title || item.heading || t('showcases.textBlock');
  const move = (index: number, dir: 'up' | 'down') => {
    const to = dir === 'up' ? index - 1 : index + 1;
    const item = items[index];
    if (!item || to < 0 || to >= items.length) return;
    const ids = items.map((i) => i.id);
    ids.splice(index, 1);
    ids.splice(to, 0, item.id);
    focusAfter.current = { id: item.id, dir, index: to };
    reorder.mutate(ids, {
      onSuccess: () => notice.success(t('showcases.moved', { title: label(item), position: to + 1, count: items.length })),
      onError: (e) => notice.error(errorText(e)),
    });
  };
  const removeItem = async (item: ShowcaseItem) => {
    if (!(await confirm(t('showcases.confirmRemoveItem', { title: label(item) }), t('showcases.removeItem')))) return;
    remove.mutate(item.id, { onSuccess: () => notice.success(t('showcases.itemRemoved', { title: label(item) })), onError: (e) => notice.error(errorText(e)) });
  };

  return (
    <section className="card stack" aria-labelledby="showcase-items-heading">
      <h2 id="showcase-items-heading">{t('showcases.items')}</h2>
      <LiveNotice notice={notice.notice} />
      {items.length === 0 ? (
        <p className="muted">{t('showcases.noItems')}</p>
      ) : (
        <ol className="showcase-editor__items">
          {items.map((item, index) => (
            <li key={item.id} className="showcase-editor__item stack" data-testid="showcase-item">
              <h3>{item.kind === 'slot' && !item.artefact ? t('showcases.slotNamed', { prompt: item.prompt ?? item.heading }) : label(item)}</h3>
              {item.kind === 'slot' && item.prompt && <p className="muted">{t('showcases.prompt', { prompt: item.prompt })}</p>}
              <div className="button-row button-row--start">
                <button
                  type="button"
                  id={`move-up-${item.id}`}
                  className="button button--secondary"
                  disabled={index === 0 || reorder.isPending}
                  aria-label={t('showcases.moveUpNamed', { title: label(item) })}
                  onClick={() => move(index, 'up')}
                >
                  {t('showcases.moveUp')}
                </button>
                <button
                  type="button"
                  id={`move-down-${item.id}`}
                  className="button button--secondary"
                  disabled={index === items.length - 1 || reorder.isPending}
                  aria-label={t('showcases.moveDownNamed', { title: label(item) })}
                  onClick={() => move(index, 'down')}
                >
                  {t('showcases.moveDown')}
                </button>
                {item.kind === 'slot' && (
                  <button type="button" className="button button--secondary" onClick={() => onFillSlot(item)}>
                    {t('showcases.chooseWorkForSlot')}
                  </button>
                )}
                <button
                  type="button"
                  className="button button--danger"
                  aria-label={t('showcases.removeNamed', { title: label(item) })}
                  onClick={() => void removeItem(item)}
                >
                  {t('showcases.removeItem')}
                </button>
              </div>
              <ItemText showcaseId={showcase.id} item={item} label={label(item)} />
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}

/** The reflection ("why I chose this") of a work, or the heading and text of a text block or slot. */
function ItemText({ showcaseId, item, label }: { showcaseId: string; item: ShowcaseItem; label: string }) {
  const { t } = useTranslation();
  const update = useUpdateShowcaseItemMutation(showcaseId);
  const notice = useNotice();
  const [heading, setHeading] = useState(item.heading);
  const [body, setBody] = useState(item.bodyHtml);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    update.mutate(
      { itemId: item.id, body: { heading, bodyHtml: body } },
      { onSuccess: () => notice.success(t('showcases.itemSaved', { title: label })), onError: (e) => notice.error(errorText(e)) },
    );
  };
  return (
    <form className="stack" onSubmit={submit} noValidate>
      <TextField
        name={`heading-${item.id}`}
        label={item.artefact ? t('showcases.itemHeadingNamed', { title: label }) : t('showcases.headingNamed', { title: label })}
        value={heading}
        onChange={setHeading}
        optional
      />
      <RichTextEditor
        label={item.artefact ? t('showcases.reflectionNamed', { title: label }) : t('showcases.textNamed', { title: label })}
        initialHtml={item.bodyHtml}
        onChange={setBody}
      />
      <FormError message={update.isError ? errorMessage(t, update.error) : null} />
      <SubmitButton pending={update.isPending} label={t('showcases.saveItem')} />
      <LiveNotice notice={notice.notice} />
    </form>
  );
}

function DeleteShowcase({ showcase }: { showcase: Showcase }) {
  const { t } = useTranslation();
  const remove = useDeleteShowcaseMutation();
  const confirm = useConfirm();
  const toast = useToast();
  const navigate = useNavigate();
  const run = async () => {
    if (!(await confirm(t('showcases.confirmDelete', { title: showcase.title }), t('showcases.delete')))) return;
    remove.mutate(showcase.id, {
      onSuccess: () => {
        toast({ message: t('showcases.deleted', { title: showcase.title }) });
        void navigate(showcasesPath());
      },
    });
  };
  return (
    <section className="card stack" aria-labelledby="showcase-delete-heading">
      <h2 id="showcase-delete-heading">{t('showcases.deleteHeading')}</h2>
      <p className="muted">{t('showcases.deleteText')}</p>
      <FormError message={remove.isError ? errorMessage(t, remove.error) : null} />
      <div className="button-row button-row--start">
        <button type="button" className="button button--danger" onClick={() => void run()} disabled={remove.isPending}>
          {t('showcases.delete')}
        </button>
      </div>
    </section>
  );
}
