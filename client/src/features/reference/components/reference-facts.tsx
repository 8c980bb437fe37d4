import { useReferenceLabels } from '../queries.ts';

/**
 * The subjects and competences of a project or artefact as rows of a `<dl>`, labelled in the
 * reader's language; nothing when the lists are empty.
 */
export function ReferenceFacts({
  subjectCodes,
  competenceIds,
  subjectsTerm,
  competencesTerm,
}: {
  subjectCodes: readonly string[];
  competenceIds: readonly string[];
  subjectsTerm: string;
  competencesTerm: string;
}) {
  const labels = useReferenceLabels();
  return (
    <>
      {subjectCodes.length > 0 && (
        <div>
          <dt>{subjectsTerm}</dt>
          <dd>
            <ul className="tag-list">
              {subjectCodes.map((code) => (
                <li key={code} className="tag">
                  {labels.subject(code)}
                </li>
              ))}
            </ul>
          </dd>
        </div>
      )}
      {competenceIds.length > 0 && (
        <div>
          <dt>{competencesTerm}</dt>
          <dd>
            <ul className="plain-list">
              {competenceIds.map((id) => (
                <li key={id}>{labels.competence(id)}</li>
              ))}
            </ul>
          </dd>
        </div>
      )}
    </>
  );
}
