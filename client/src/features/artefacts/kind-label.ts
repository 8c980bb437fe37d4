import type { TFunction } from 'i18next';
import type { ArtefactKind, MediaKind } from '../../../../shared/portfolio.ts';

/**
 * What an artefact is, for people: its kind, or, when its media are of several kinds (a photo, a
 * recording and a video), "Mixed media: Picture, Recording, Video" rather than the first one's kind.
 */
export function artefactKindLabel(t: TFunction, artefact: { kind: ArtefactKind; media?: ReadonlyArray<{ kind: MediaKind }> }): string {
  const kinds = [...new Set((artefact.media ?? []).map((m) => m.kind))];
  if (kinds.length > 1) return t('artefact.mixedKinds', { kinds: kinds.map((k) => t(`media.kinds.${k}`)).join(', ') });
  return t(`artefact.kinds.${artefact.kind}`);
}
