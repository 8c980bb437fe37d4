import { GUARDIAN_REACTIONS } from '../../../../../shared/api/guardian-voice.ts';
import type {
  ArtefactDoc,
  FeedbackDoc,
  GuardianCommentDoc,
  GuardianReactionsDoc,
  MediaDoc,
  PeerFeedbackDoc,
} from '../../../../../shared/portability/portfolio-format.ts';
import { Facts, linkTo, Page, Person, When } from './layout.tsx';
import { SITE_PATHS, type SiteContext } from './site-context.ts';

const ROOT = '../';
const local = (path: string) => linkTo(ROOT, path);

/** One page per artefact: facts, text, media, links, version history and the whole feedback thread. */
export function ArtefactPage({ ctx, artefact }: { ctx: SiteContext; artefact: ArtefactDoc }) {
  const { t } = ctx;
  const project = artefact.projectId ? ctx.projects.get(artefact.projectId) : undefined;
  const trail = [
    ...(project ? [{ href: local(SITE_PATHS.project(project.id)), label: project.title }] : []),
    { href: local(SITE_PATHS.artefact(artefact.id)), label: artefact.title },
  ];
  const goals = artefact.goalIds.map((id) => ctx.goalText(artefact.projectId, id)).filter((g): g is string => g !== null);
  const current = artefact.media.filter((m) => !m.removedAt);
  const removed = artefact.media.filter((m) => m.removedAt);
  return (
    <Page ctx={ctx} root={ROOT} title={artefact.title} trail={trail}>
      <Facts
        rows={[
          [t.kind, t.kinds[artefact.kind]],
          [t.project, project ? <a href={local(SITE_PATHS.project(project.id))}>{project.title}</a> : t.noProject],
          [t.phase, ctx.phaseTitle(artefact.projectId, artefact.phaseId)],
          [t.created, <When ctx={ctx} iso={artefact.createdAt} />],
          [t.updated, <When ctx={ctx} iso={artefact.updatedAt} />],
          [t.status, t.statuses[artefact.status]],
          [t.readyOn, artefact.readyAt && <When ctx={ctx} iso={artefact.readyAt} />],
          [t.visibility, t.visibilities[artefact.visibility]],
          [t.subjects, artefact.subjectCodes.map(ctx.subjectLabel).join(', ')],
          [t.competences, artefact.competenceIds.map(ctx.competenceLabel).join(', ')],
          [t.tags, (artefact.tags ?? []).join(', ')],
          [t.goals, goals.length > 0 && goals.join('; ')],
          [t.importedFrom(artefact.origin?.source ?? ''), artefact.origin?.id],
        ]}
      />
      {artefact.bodyHtml && (
        <section aria-labelledby="content">
          <h2 id="content">{t.content}</h2>
          <div className="body" dangerouslySetInnerHTML={{ __html: ctx.bodyHtml(artefact.bodyHtml) }} />
        </section>
      )}
      {artefact.media.length > 0 && (
        <section aria-labelledby="media">
          <h2 id="media">{t.media}</h2>
          {current.map((m, i) => (
            <MediaFigure key={m.id} ctx={ctx} media={m} alt={`${artefact.title}: ${t.imageMissingAlt(i + 1)}`} />
          ))}
          {removed.length > 0 && <h3>{t.removedMedia}</h3>}
          {removed.map((m, i) => (
            <MediaFigure key={m.id} ctx={ctx} media={m} alt={`${artefact.title}: ${t.imageMissingAlt(current.length + i + 1)}`} />
          ))}
        </section>
      )}
      {artefact.links.length > 0 && (
        <section aria-labelledby="links">
          <h2 id="links">{t.links}</h2>
          <ul>
            {artefact.links.map((l, i) => (
              <li key={`${l.url}-${i}`}>
                <a href={safeUrl(l.url)}>{l.title ?? l.url}</a>
              </li>
            ))}
          </ul>
        </section>
      )}
      <section aria-labelledby="feedback">
        <h2 id="feedback">{t.feedback}</h2>
        <Thread
          ctx={ctx}
          feedback={artefact.feedback}
          projectId={artefact.projectId}
          versions={new Set(artefact.versions.map((v) => v.version))}
          media={artefact.media}
        />
      </section>
      <PeerFeedback ctx={ctx} items={(artefact.peerFeedback ?? []).filter((p) => p.state === 'shown')} />
      <GuardianVoice ctx={ctx} comments={(artefact.guardianComments ?? []).filter((c) => c.state === 'shown')} reactions={artefact.guardianReactions ?? {}} />
      {artefact.versions.length > 0 && (
        <section aria-labelledby="history">
          <h2 id="history">{t.history}</h2>
          <ol className="versions">
            {[...artefact.versions].reverse().map((v) => (
              <li key={v.version} id={`version-${v.version}`}>
                <h3>
                  {t.versionHeading(v.version)}: {v.title}
                </h3>
                <p className="muted">
                  <When ctx={ctx} iso={v.createdAt} /> · {t.statuses[v.status]} · {t.visibilities[v.visibility]} · {t.versionMediaCount(v.mediaIds.length)}
                </p>
                {v.author && (
                  <p>
                    {t.savedBy}: <Person ctx={ctx} person={v.author} />
                  </p>
                )}
                {v.bodyHtml && (
                  <details>
                    <summary>
                      {t.content} ({t.versionHeading(v.version)})
                    </summary>
                    <div className="body" dangerouslySetInnerHTML={{ __html: ctx.bodyHtml(v.bodyHtml) }} />
                  </details>
                )}
              </li>
            ))}
          </ol>
        </section>
      )}
    </Page>
  );
}

function MediaFigure({ ctx, media, alt }: { ctx: SiteContext; media: MediaDoc; alt: string }) {
  const { t } = ctx;
  const original = media.files.original;
  const name = media.originalName ?? original?.path.slice('files/'.length) ?? media.id;
  const download = original && (
    <a href={`${ROOT}${original.path}`} download={media.originalName ?? undefined} type={original.mime}>
      {t.download(name)}
    </a>
  );
  if (media.kind === 'image') {
    const shown = media.files.display ?? original;
    return (
      <figure id={`media-${media.id}`}>
        {shown && <img src={`${ROOT}${shown.path}`} alt={alt} width={media.width ?? undefined} height={media.height ?? undefined} />}
        <figcaption>{download}</figcaption>
      </figure>
    );
  }
  if ((media.kind === 'audio' || media.kind === 'video') && original) {
    const poster = media.files.poster;
    return (
      <figure id={`media-${media.id}`}>
        {media.kind === 'audio' ? (
          <audio controls preload="metadata" src={`${ROOT}${original.path}`} aria-label={name} />
        ) : (
          <video
            controls
            preload="metadata"
            src={`${ROOT}${original.path}`}
            poster={poster ? `${ROOT}${poster.path}` : undefined}
            aria-label={name}
            width={media.width ?? undefined}
            height={media.height ?? undefined}
          />
        )}
        <figcaption>{download}</figcaption>
      </figure>
    );
  }
  return <p>{original ? <a href={`${ROOT}${original.path}`}>{t.openFile(name)}</a> : name}</p>;
}

/** Threaded: replies nest under the feedback they answer; a reply whose parent is missing starts a thread. */
function Thread({
  ctx,
  feedback,
  projectId,
  versions,
  media = [],
}: {
  ctx: SiteContext;
  feedback: FeedbackDoc[];
  projectId: string | null;
  versions: ReadonlySet<number>;
  media?: readonly MediaDoc[];
}) {
  if (feedback.length === 0) return <p>{ctx.t.noFeedback}</p>;
  const ids = new Set(feedback.map((f) => f.id));
  const children = new Map<string | null, FeedbackDoc[]>();
  for (const f of feedback) {
    const parent = f.parentId && ids.has(f.parentId) ? f.parentId : null;
    children.set(parent, [...(children.get(parent) ?? []), f]);
  }
  const list = (parent: string | null, depth: number, seen: Set<string>) => {
    const items = (children.get(parent) ?? []).filter((f) => !seen.has(f.id));
    if (items.length === 0) return null;
    return (
      <ol className={depth === 0 ? 'thread' : 'replies'} aria-label={depth === 0 ? undefined : ctx.t.repliesTo}>
        {items.map((f) => (
          <li key={f.id}>
            <article className="comment" id={`feedback-${f.id}`}>
              <header>
                <Person ctx={ctx} person={f.author} /> · <When ctx={ctx} iso={f.createdAt} />
                {f.editedAt && <span className="muted"> ({ctx.t.edited(ctx.formatDateTime(f.editedAt))})</span>}
              </header>
              {f.body.split(/\n{2,}/).map((para, i) => (
                <p key={i}>{para}</p>
              ))}
              <VoiceAndAnchor ctx={ctx} feedback={f} media={media} />
              <Uptake ctx={ctx} feedback={f} projectId={projectId} versions={versions} />
            </article>
            {list(f.id, depth + 1, new Set([...seen, f.id]))}
          </li>
        ))}
      </ol>
    );
  };
  return list(null, 0, new Set());
}

/** Issue 10 §2–3 as the archive keeps it: a voice message plays, an anchor says its region or moment in words. */
function VoiceAndAnchor({ ctx, feedback: f, media }: { ctx: SiteContext; feedback: FeedbackDoc; media: readonly MediaDoc[] }) {
  const a = ctx.t.assessment;
  const anchor = f.anchor ?? null;
  const target = anchor ? media.find((m) => m.id === anchor.mediaId) : undefined;
  const images = media.filter((m) => m.kind === 'image');
  const pct = (v: number) => Math.round(v * 100);
  const clock = (s: number) => `${Math.floor(s / 60)}:${String(Math.floor(s % 60)).padStart(2, '0')}`;
  return (
    <>
      {f.voice && (
        <figure className="voice">
          <figcaption>{a.voice}</figcaption>
          <audio controls preload="none" src={`${ROOT}${f.voice.file.path}`} aria-label={a.voice} />
          <p>
            <a href={`${ROOT}${f.voice.file.path}`}>{f.voice.file.path.split('/').pop()}</a>
          </p>
        </figure>
      )}
      {anchor && target && (
        <p className="muted anchor">
          {anchor.kind === 'region' ? (
            <a href={`#media-${target.id}`}>{a.region(images.indexOf(target) + 1, pct(anchor.x), pct(anchor.y), pct(anchor.w), pct(anchor.h))}</a>
          ) : (
            <a href={`#media-${target.id}`}>
              {a.moment(anchor.end === null ? clock(anchor.start) : `${clock(anchor.start)}–${clock(anchor.end)}`, target.originalName ?? ctx.t.kinds.audio)}
            </a>
          )}
        </p>
      )}
    </>
  );
}

/** Issue 10 §4 as the archive keeps it: the goals feedback is about, a request to revise, and the version that answered it. */
function Uptake({
  ctx,
  feedback: f,
  projectId,
  versions,
}: {
  ctx: SiteContext;
  feedback: FeedbackDoc;
  projectId: string | null;
  versions: ReadonlySet<number>;
}) {
  const a = ctx.t.assessment;
  const goals = (f.goalIds ?? []).flatMap((id) => {
    const text = ctx.goalText(projectId, id);
    return text ? [{ id, text }] : [];
  });
  if (!f.revise && goals.length === 0 && !f.answeredVersion) return null;
  return (
    <ul className="muted uptake">
      {goals.map((g) => (
        <li key={g.id}>
          {ctx.t.goals}: <a href={local(SITE_PATHS.goal(g.id))}>{g.text}</a>
        </li>
      ))}
      {f.revise && (
        <li>
          <strong>{a.revise}</strong>
        </li>
      )}
      {f.answeredVersion && (
        <li>
          {/* A shared export may lack that version: then the words without the link. */}
          {versions.has(f.answeredVersion) ? <a href={`#version-${f.answeredVersion}`}>{a.answeredIn(f.answeredVersion)}</a> : a.answeredIn(f.answeredVersion)}
          {f.answeredAt && (
            <>
              {' '}
              (<When ctx={ctx} iso={f.answeredAt} />)
            </>
          )}
        </li>
      )}
    </ul>
  );
}

/** Only web and mail addresses become links; anything else (javascript:, data:) stays text. */
function safeUrl(url: string): string | undefined {
  return /^(https?:|mailto:)/i.test(url) ? url : undefined;
}

/** Issue 10 §5: peer feedback received and visible to the pupil, marked apart from the teachers' thread. */
function PeerFeedback({ ctx, items }: { ctx: SiteContext; items: PeerFeedbackDoc[] }) {
  if (items.length === 0) return null;
  const t = ctx.t.peer;
  return (
    <section aria-labelledby="peer-feedback">
      <h2 id="peer-feedback">{t.heading}</h2>
      <ol className="thread">
        {items.map((p) => (
          <li key={p.id}>
            <article className="comment" id={`peer-${p.id}`}>
              <header>
                <Person ctx={ctx} person={p.author} /> · <When ctx={ctx} iso={p.createdAt} />
              </header>
              <dl>
                <dt>{t.star1}</dt>
                <dd>{p.star1}</dd>
                <dt>{t.star2}</dt>
                <dd>{p.star2}</dd>
                <dt>{t.wish}</dt>
                <dd>{p.wish}</dd>
              </dl>
            </article>
          </li>
        ))}
      </ol>
    </section>
  );
}

/** Issue 12 §2: guardians' reactions (counts only) and comments the pupil could see, marked as from a guardian (an artefact's or a showcase's). */
export function GuardianVoice({ ctx, comments, reactions }: { ctx: SiteContext; comments: GuardianCommentDoc[]; reactions: GuardianReactionsDoc }) {
  const given = GUARDIAN_REACTIONS.flatMap((r) => {
    const count = reactions[r] ?? 0;
    return count > 0 ? [{ reaction: r, count }] : [];
  });
  if (comments.length === 0 && given.length === 0) return null;
  const t = ctx.t.guardianVoice;
  return (
    <section aria-labelledby="guardian-voice">
      <h2 id="guardian-voice">{t.heading}</h2>
      {given.length > 0 && (
        <>
          <h3>{t.reactions}</h3>
          <ul className="reactions">
            {given.map(({ reaction, count }) => (
              <li key={reaction}>
                {t.reaction[reaction]}: {count}
              </li>
            ))}
          </ul>
        </>
      )}
      {comments.length > 0 && (
        <ol className="thread">
          {comments.map((c) => (
            <li key={c.id}>
              <article className="comment" id={`guardian-comment-${c.id}`}>
                <header>
                  <span className="tag">{t.fromGuardian}</span> {c.author && <Person ctx={ctx} person={c.author} />} · <When ctx={ctx} iso={c.createdAt} />
                </header>
                <p>{c.body}</p>
              </article>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
