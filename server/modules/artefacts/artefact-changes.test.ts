import { describe, expect, it } from 'vitest';
import { contentChanged, stateEvents, type ArtefactState } from './artefact-changes.ts';

const base: ArtefactState = {
  title: 'Ruska',
  bodyHtml: '<p>Punainen</p>',
  links: [{ url: 'https://example.org/', title: 'Esimerkki' }],
  tags: ['syksy'],
  status: 'draft',
  visibility: 'private',
  projectId: null,
  phaseId: null,
  goalIds: [],
  subjectCodes: ['BI'],
  competenceIds: [],
};

describe('what a save changed (issue 10 §4)', () => {
  it('content is title, text, links, tags and media', () => {
    expect(contentChanged(base, { ...base }, false)).toBe(false);
    expect(contentChanged(base, { ...base }, true)).toBe(true);
    expect(contentChanged(base, { ...base, title: 'Ruska 2' }, false)).toBe(true);
    expect(contentChanged(base, { ...base, bodyHtml: '<p>Keltainen</p>' }, false)).toBe(true);
    expect(contentChanged(base, { ...base, links: [{ url: 'https://example.org/' }] }, false)).toBe(true);
    expect(contentChanged(base, { ...base, tags: ['syksy', 'puu'] }, false)).toBe(true);
  });

  it('status, visibility and placement are events, not content', () => {
    const after: ArtefactState = { ...base, status: 'ready', visibility: 'guardians', subjectCodes: ['GE'] };
    expect(contentChanged(base, after, false)).toBe(false);
    expect(stateEvents(base, after)).toEqual([
      { kind: 'status', details: { from: 'draft', to: 'ready' } },
      { kind: 'visibility', details: { from: 'private', to: 'guardians' } },
      { kind: 'placement', details: {} },
    ]);
    // The same sets in another order are no move.
    expect(stateEvents({ ...base, subjectCodes: ['BI', 'GE'] }, { ...base, subjectCodes: ['GE', 'BI'] })).toEqual([]);
  });
});
