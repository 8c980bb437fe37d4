import type { Db } from '../../db/database.ts';
import { peerDb } from './peer-feedback.repo.ts';

/**
 * The demo school's peer feedback (issue 10 §5): the demo project allows it (shown at once), the demo pupil and a
 * classmate share one piece of work each, and the classmate has left the demo pupil one shown "two stars and a wish".
 */
export async function seedDemoPeerFeedback(db: Db, o: { projectId: string; pupilWorkId: string; classmateWorkId: string; classmateId: string }): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const t = peerDb(trx);
    await t.insertInto('projectPeerSettings').values({ projectId: o.projectId, moderation: 'shown' }).execute();
    await t
      .insertInto('artefactPeerShares')
      .values([{ artefactId: o.pupilWorkId }, { artefactId: o.classmateWorkId }])
      .execute();
    await t
      .insertInto('peerFeedback')
      .values({
        artefactId: o.pupilWorkId,
        authorId: o.classmateId,
        star1: 'Kuva metsästä on tosi kaunis.',
        star2: 'Huomasit, että koivun lehdet alkavat kellastua.',
        wish: 'Voisitko kertoa, mitä muita puita metsässä oli?',
        state: 'shown',
      })
      .execute();
  });
}
