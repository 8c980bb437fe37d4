import { useTranslation } from 'react-i18next';
import type { ArtefactVersion } from '../../../../../shared/api/artefacts.ts';
import { plainText, textChanges, type TextChange } from '../version-text.ts';

/**
 * What changed between two versions, in the title and the text: insertions and deletions are
 * marked up as <ins>/<del>, underlined or struck through, and named for screen readers, so that
 * colour is never the only cue.
 */
export function VersionDiff({ before, after }: { before: ArtefactVersion; after: ArtefactVersion }) {
  const { t } = useTranslation();
  const title = textChanges(before.title, after.title);
  const text = textChanges(plainText(before.bodyHtml), plainText(after.bodyHtml));
  const changed = [...title, ...text].some((c) => c.added || c.removed);
  return (
    <div className="version-diff" data-testid="version-diff">
      {!changed ? (
        <p className="muted">{t('uptake.noChanges')}</p>
      ) : (
        <dl className="version-diff__parts">
          <dt>{t('uptake.title')}</dt>
          <dd>
            <Changes changes={title} />
          </dd>
          <dt>{t('uptake.text')}</dt>
          <dd className="version-diff__text">
            <Changes changes={text} />
          </dd>
        </dl>
      )}
    </div>
  );
}

function Changes({ changes }: { changes: TextChange[] }) {
  const { t } = useTranslation();
  return (
    <>
      {changes.map((c, i) =>
        c.added ? (
          <ins key={i} className="diff-ins">
            <span className="visually-hidden">[{t('uptake.added')}: </span>
            {c.value}
            <span className="visually-hidden">]</span>
          </ins>
        ) : c.removed ? (
          <del key={i} className="diff-del">
            <span className="visually-hidden">[{t('uptake.removed')}: </span>
            {c.value}
            <span className="visually-hidden">]</span>
          </del>
        ) : (
          <span key={i}>{c.value}</span>
        ),
      )}
    </>
  );
}
