import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import type { Artefact } from '../../../../../shared/api/artefacts.ts';
import { Loading, PageError, pageErrorHeading } from '../../../components/status.tsx';
import { isApiError } from '../../../lib/http.ts';
import { useFormat } from '../../../lib/format.ts';
import { usePageTitle } from '../../../lib/page-title.ts';
import { rolesOf, useSession } from '../../auth/session.ts';
import { FeedbackSection } from '../../feedback/components/feedback-section.tsx';
import { AnchorProvider } from '../../feedback/anchors.tsx';
import { MomentTimeline, RegionLayer } from '../../feedback/components/media-markers.tsx';
import { PeerFeedbackSection } from '../../peer-feedback/components/peer-feedback-section.tsx';
import { GuardianVoiceSection } from '../../guardian-voice/components/guardian-voice-section.tsx';
import { goalPath } from '../../goals/paths.ts';
import { projectPath } from '../../projects/paths.ts';
import { useProjectQuery } from '../../projects/queries.ts';
import { ReferenceFacts } from '../../reference/components/reference-facts.tsx';
import { artefactKindLabel } from '../kind-label.ts';
import { useArtefactAccessLost, useArtefactQuery } from '../queries.ts';
import { HistorySection } from './history-section.tsx';
import { ArtefactSharingPanel } from '../../guardian-sharing/components/artefact-sharing-panel.tsx';
import { MediaGallery } from './media-gallery.tsx';
import { OwnerActions } from './owner-actions.tsx';
import { StatusBadges } from './status-badges.tsx';
import { usePortfolioBackLink } from './back-link.ts';
import { FreeTags } from './free-tags.tsx';
import { ShareLinksPanel } from '../../share-links/components/share-links-panel.tsx';

export function ArtefactPage() {
  const { t } = useTranslation();
  const { artefactId = '' } = useParams();
  // Unshared while open: the server said so, and the page says so at once (no re-fetch needed).
  const accessLost = useArtefactAccessLost(artefactId);
  const artefact = useArtefactQuery(artefactId, !accessLost);
  const errorHeading = artefact.isError ? (isApiError(artefact.error, 'not_found') ? t('artefact.notFound') : pageErrorHeading(t, artefact.error)) : undefined;
  usePageTitle(accessLost ? t('artefact.accessLost') : (artefact.data?.title ?? errorHeading ?? t('common.loading')));

  if (accessLost) {
    return (
      <div className="stack page-error" data-error-kind="accessLost">
        <h1>{t('artefact.accessLost')}</h1>
        <div className="notice notice--info" role="alert">
          <p>{t('artefact.accessLostText')}</p>
        </div>
        <p>
          <Link to="/">{t('notFound.home')}</Link>
        </p>
      </div>
    );
  }
  if (artefact.isError) {
    return <PageError error={artefact.error} heading={errorHeading} onRetry={() => void artefact.refetch()} />;
  }
  if (!artefact.data) {
    return (
      <>
        <h1>{t('common.loading')}</h1>
        <Loading />
      </>
    );
  }
  return <ArtefactView artefact={artefact.data} />;
}

function ArtefactView({ artefact }: { artefact: Artefact }) {
  const { t } = useTranslation();
  const me = useSession();
  const format = useFormat();
  const back = usePortfolioBackLink(artefact.owner);
  const isOwner = me.user.id === artefact.owner.id;

  return (
    <AnchorProvider>
      <div className="artefact-page">
        <p className="back-link">
          <Link to={back.to}>{back.label}</Link>
        </p>
        <div className="page-header">
          <h1>{artefact.title}</h1>
          <p className="muted">
            {isOwner ? null : <>{artefact.owner.displayName} · </>}
            {t('artefact.created', { date: format.dateTime(artefact.createdAt) })}
            {artefact.version > 1 && <> · {t('artefact.edited', { date: format.dateTime(artefact.updatedAt) })}</>}
          </p>
          <StatusBadges artefact={artefact} />
        </div>
        {isOwner && <OwnerActions artefact={artefact} />}
        <div className="artefact-layout">
          <div className="artefact-layout__main stack">
            <MediaGallery
              media={artefact.media}
              title={artefact.title}
              overlay={{
                image: (item) => <RegionLayer artefactId={artefact.id} media={item} />,
                player: (item) => <MomentTimeline artefactId={artefact.id} media={item} />,
              }}
            />
            {artefact.bodyHtml && (
              // Sanitised by the server (an allow-list of formatting tags) before it was stored.
              <div className="rich-content" dangerouslySetInnerHTML={{ __html: artefact.bodyHtml }} />
            )}
            {artefact.links.length > 0 && (
              <section aria-labelledby="links-heading">
                <h2 id="links-heading">{t('artefact.links')}</h2>
                <ul className="link-list">
                  {artefact.links.map((link) => (
                    <li key={link.url}>
                      <a href={link.url} target="_blank" rel="noopener noreferrer">
                        {link.title || link.url}
                      </a>
                    </li>
                  ))}
                </ul>
              </section>
            )}
            <FeedbackSection artefact={artefact} />
            {/* Issue 12 §2: guardians' reactions and comments, marked as from a guardian (the server decides who sees what). */}
            <GuardianVoiceSection subject={{ type: 'artefact', id: artefact.id }} />
            {/* Issue 10 §5: peer feedback, marked as such, beside the teachers' thread (never for guardians). */}
            {artefact.projectId && !rolesOf(me).every((r) => r === 'guardian') && <PeerFeedbackSection artefactId={artefact.id} />}
          </div>
          <aside className="artefact-layout__aside stack" aria-label={t('artefact.details')}>
            <ArtefactFacts artefact={artefact} />
            {/* Issue 12 §1: whether guardians see it (approval), and the pupil's history choice; never for guardians. */}
            {(isOwner || rolesOf(me).includes('teacher')) && (
              <ArtefactSharingPanel artefact={artefact} isOwner={isOwner} canDecide={!isOwner && rolesOf(me).includes('teacher')} />
            )}
            <HistorySection artefact={artefact} />
            {/* Issue 12 §4: the owner and their teachers (the panel hides itself from anyone else). */}
            {(isOwner || rolesOf(me).includes('teacher')) && <ShareLinksPanel subject={{ type: 'artefact', id: artefact.id }} />}
          </aside>
        </div>
      </div>
    </AnchorProvider>
  );
}

function ArtefactFacts({ artefact }: { artefact: Artefact }) {
  const { t } = useTranslation();
  const project = useProjectQuery(artefact.projectId);
  const phase = project.data?.phases.find((p) => p.id === artefact.phaseId);
  const goals = project.data?.goals.filter((g) => artefact.goalIds.includes(g.id)) ?? [];
  return (
    <div className="card">
      <h2 className="visually-hidden">{t('artefact.details')}</h2>
      <dl className="facts facts--single">
        <div>
          <dt>{t('artefact.kind')}</dt>
          <dd>{artefactKindLabel(t, artefact)}</dd>
        </div>
        {artefact.projectId && (
          <div>
            <dt>{t('artefact.project')}</dt>
            <dd>
              {project.data ? (
                <Link to={projectPath(project.data.id)}>{project.data.title}</Link>
              ) : project.isError ? (
                // A project this reader may not open (an imported one, or one their group left): said, not "Loading…".
                <span className="muted">{t('artefact.projectUnavailable')}</span>
              ) : (
                t('common.loading')
              )}
            </dd>
          </div>
        )}
        {phase && (
          <div>
            <dt>{t('artefact.phase')}</dt>
            <dd>{phase.title}</dd>
          </div>
        )}
        {goals.length > 0 && (
          <div>
            <dt>{t('artefact.goals')}</dt>
            <dd>
              <ul className="plain-list">
                {goals.map((g) => (
                  <li key={g.id}>
                    <Link to={goalPath(g.id, artefact.owner.id)}>{g.text}</Link>
                  </li>
                ))}
              </ul>
            </dd>
          </div>
        )}
        {artefact.tags.length > 0 && (
          <div>
            <dt>{t('tags.listLabel')}</dt>
            <dd>
              <FreeTags tags={artefact.tags} labelled={false} />
            </dd>
          </div>
        )}
        <ReferenceFacts
          subjectCodes={artefact.subjectCodes}
          competenceIds={artefact.competenceIds}
          subjectsTerm={t('artefact.subjects')}
          competencesTerm={t('artefact.competences')}
        />
      </dl>
    </div>
  );
}
