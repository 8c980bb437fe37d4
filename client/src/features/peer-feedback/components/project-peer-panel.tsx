import { useId } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import type { PeerModeration, ProjectPeerWork } from '../../../../../shared/api/peer-feedback.ts';
import { LiveNotice, useNotice } from '../../../components/live-notice.tsx';
import { errorText } from '../../../lib/error-message.ts';
import { useFormat } from '../../../lib/format.ts';
import { useSession } from '../../auth/session.ts';
import { peerWorkPath } from '../api.ts';
import { usePeerModerationQuery, usePeerSettingsMutation, useProjectPeerWorkQuery } from '../queries.ts';
import { PeerMessages } from './peer-messages.tsx';

/** On the project page: the teacher's peer-feedback setting and moderation list, and the classmates' work list. */
export function ProjectPeerPanel({ projectId }: { projectId: string }) {
  const peer = useProjectPeerWorkQuery(projectId);
  // Guardians and admins get a refusal: the panel is not theirs.
  if (!peer.data) return null;
  return (
    <>
      {peer.data.canModerate && <PeerSettingsCard projectId={projectId} data={peer.data} />}
      {peer.data.canModerate && peer.data.settings.enabled && <ModerationList projectId={projectId} />}
      {peer.data.settings.enabled && <ClassmatesWork data={peer.data} />}
    </>
  );
}

function ClassmatesWork({ data }: { data: ProjectPeerWork }) {
  const { t } = useTranslation();
  const me = useSession();
  const format = useFormat();
  return (
    <section className="card stack" aria-labelledby="classmates-work-heading">
      <h2 id="classmates-work-heading">{t('peerFeedback.classmatesWork')}</h2>
      {data.items.length === 0 ? (
        <p className="muted">{t('peerFeedback.noSharedWork')}</p>
      ) : (
        <ul className="peer-work-list">
          {data.items.map((item) => (
            <li key={item.id}>
              <Link to={peerWorkPath(item.id)}>{item.title}</Link>{' '}
              <span className="muted">
                · {item.owner.id === me.user.id ? t('peerFeedback.yours') : item.owner.displayName} · {format.dateTime(item.sharedAt)}
              </span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function PeerSettingsCard({ projectId, data }: { projectId: string; data: ProjectPeerWork }) {
  const { t } = useTranslation();
  const id = useId();
  const notice = useNotice();
  const save = usePeerSettingsMutation(projectId);
  const update = (enabled: boolean, moderation: PeerModeration) =>
    save.mutate({ enabled, moderation }, { onSuccess: () => notice.success(t('peerFeedback.settingsSaved')), onError: (e) => notice.error(errorText(e)) });
  const { enabled, moderation } = data.settings;
  return (
    <section className="card stack" aria-labelledby={`${id}-heading`}>
      <h2 id={`${id}-heading`}>{t('peerFeedback.settingsHeading')}</h2>
      <LiveNotice notice={notice.notice} />
      <div className="field field--checkbox">
        <input id={`${id}-enabled`} type="checkbox" checked={enabled} disabled={save.isPending} onChange={(e) => update(e.target.checked, moderation)} />
        <label htmlFor={`${id}-enabled`}>{t('peerFeedback.allow')}</label>
      </div>
      {enabled && (
        <fieldset className="field">
          <legend>{t('peerFeedback.moderation')}</legend>
          {(['shown', 'held'] as const).map((m) => (
            <div key={m} className="field field--checkbox">
              <input
                id={`${id}-${m}`}
                type="radio"
                name={`${id}-moderation`}
                checked={moderation === m}
                disabled={save.isPending}
                onChange={() => update(true, m)}
              />
              <label htmlFor={`${id}-${m}`}>{t(`peerFeedback.moderationMode.${m}`)}</label>
            </div>
          ))}
        </fieldset>
      )}
      {enabled && <p className="hint">{t('peerFeedback.stopHint')}</p>}
    </section>
  );
}

function ModerationList({ projectId }: { projectId: string }) {
  const { t } = useTranslation();
  const notice = useNotice();
  const list = usePeerModerationQuery(projectId, true);
  const titles = new Map((list.data?.items ?? []).map((i) => [i.id, `${i.owner.displayName}: ${i.artefactTitle}`]));
  return (
    <section className="card stack" aria-labelledby="peer-moderation-heading">
      <h2 id="peer-moderation-heading">{t('peerFeedback.moderationHeading')}</h2>
      <LiveNotice notice={notice.notice} />
      {list.data && list.data.items.length === 0 && <p className="muted">{t('peerFeedback.nothingToModerate')}</p>}
      {list.data && list.data.items.length > 0 && (
        <PeerMessages items={list.data.items} canReport={false} canModerate notice={notice} about={(i) => titles.get(i.id) ?? null} />
      )}
    </section>
  );
}
