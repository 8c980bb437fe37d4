import { describe, expect, it } from 'vitest';
import { contentChanged, placementChanged, stateEvents, type ArtefactState } from './artefact-changes.ts';

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

  it('placement is project, phase, goals, subjects and competences, compared as sets (issue 12 §1: versioned too)', () => {
    expect(placementChanged(base, { ...base })).toBe(false);
    expect(placementChanged(base, { ...base, projectId: 'p' })).toBe(true);
    expect(placementChanged(base, { ...base, phaseId: 'f' })).toBe(true);
    expect(placementChanged(base, { ...base, goalIds: ['g'] })).toBe(true);
    expect(placementChanged(base, { ...base, subjectCodes: ['GE'] })).toBe(true);
    expect(placementChanged(base, { ...base, competenceIds: ['basic:L4'] })).toBe(true);
    expect(placementChanged({ ...base, subjectCodes: ['BI', 'GE'] }, { ...base, subjectCodes: ['GE', 'BI'] })).toBe(false);
    // Placement is not content: it alone answers no feedback.
    expect(contentChanged(base, { ...base, subjectCodes: ['GE'] }, false)).toBe(false);
  });

  it('status, visibility and placement are logged as events', () => {
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
