import i18next from 'i18next';
import { describe, expect, it } from 'vitest';
import en from '../../i18n/en.json' with { type: 'json' };
import fi from '../../i18n/fi.json' with { type: 'json' };
import { artefactKindLabel } from './kind-label.ts';

const i18n = i18next.createInstance();
await i18n.init({ lng: 'en', resources: { en: { translation: en }, fi: { translation: fi } }, interpolation: { escapeValue: false } });

/** Issue 8, H24: an artefact with an image, a recording and a video is not labelled "Picture". */
describe('artefactKindLabel', () => {
  it('names every kind of media when there are several', () => {
    const mixed = { kind: 'image' as const, media: [{ kind: 'image' as const }, { kind: 'audio' as const }, { kind: 'video' as const }] };
    expect(artefactKindLabel(i18n.t, mixed)).toBe('Mixed media: Picture, Recording, Video');
    expect(artefactKindLabel(i18n.getFixedT('fi'), mixed)).toBe('Useita mediatyyppejä: Kuva, Äänitys, Video');
  });

  it('keeps the kind of a one-kind artefact', () => {
    expect(artefactKindLabel(i18n.t, { kind: 'image', media: [{ kind: 'image' }, { kind: 'image' }] })).toBe(en.artefact.kinds.image);
    expect(artefactKindLabel(i18n.t, { kind: 'text', media: [] })).toBe(en.artefact.kinds.text);
  });
});
