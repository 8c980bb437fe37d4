import { QueryClient, type InfiniteData } from '@tanstack/react-query';
import { describe, expect, it } from 'vitest';
import type { Artefact, TimelinePage } from '../../../../shared/api/artefacts.ts';
import { artefactAccessLost, artefactChanged, artefactKeys } from './queries.ts';

const owner = { id: '00000000-0000-4000-8000-000000000001', displayName: 'Aino' };
const artefact = (id: string, title: string) => ({ id, title, owner }) as unknown as Artefact;

/** The client side of `artefact.access_lost` (issue 8, A5): the artefact leaves every cached view at once. */
describe('artefactAccessLost', () => {
  it('drops the artefact from the detail, its history and every cached timeline page, and marks it lost', async () => {
    const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } });
    const gone = artefact('00000000-0000-4000-8000-00000000000a', 'Jaettu');
    const kept = artefact('00000000-0000-4000-8000-00000000000b', 'Toinen');
    queryClient.setQueryData(artefactKeys.detail(gone.id), gone);
    queryClient.setQueryData(artefactKeys.history(gone.id), { versions: [] });
    const timelineKey = artefactKeys.timeline(owner.id, {});
    queryClient.setQueryData<InfiniteData<TimelinePage>>(timelineKey, {
      pages: [{ items: [gone, kept], nextCursor: null } as TimelinePage],
      pageParams: [null],
    });

    await artefactAccessLost(queryClient, gone.id, owner.id);

    expect(queryClient.getQueryData(artefactKeys.detail(gone.id))).toBeUndefined();
    expect(queryClient.getQueryData(artefactKeys.history(gone.id))).toBeUndefined();
    // The timeline is re-fetched too, but it no longer shows the artefact meanwhile.
    const timeline = queryClient.getQueryData<InfiniteData<TimelinePage>>(timelineKey);
    expect(timeline?.pages.flatMap((p) => p.items.map((i) => i.id))).toEqual([kept.id]);
    expect(queryClient.getQueryData(artefactKeys.accessLost(gone.id))).toBe(true);
  });

  it('shared again: the mark is lifted', async () => {
    const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } });
    const again = artefact('00000000-0000-4000-8000-00000000000c', 'Taas jaettu');
    await artefactAccessLost(queryClient, again.id, owner.id);
    await artefactChanged(queryClient, { ...again, unreadFeedbackCount: 0 } as Artefact);
    expect(queryClient.getQueryData(artefactKeys.accessLost(again.id))).toBe(false);
  });
});
