import { COVERAGE_COMPETENCE_IDS, type Coverage, type Heatmap } from '../../../shared/api/insight.ts';
import type { Actor } from '../../auth/actor.ts';
import { authorize, heatmapGroupIds } from '../../auth/policy.ts';
import type { Db } from '../../db/database.ts';
import { NotFound } from '../../http/errors.ts';
import { coverageGroupFacts, coverageRows, heatmapProjectFacts, heatmapRows } from './insight.repo.ts';

/**
 * The teacher's view of a group (issue 10, section 6). Each view is one facts query for the policy and
 * ONE query that aggregates the data in the database (no query per pupil or per goal).
 */
export function insightService(db: Db) {
  return {
    async heatmap(actor: Actor, projectId: string): Promise<Heatmap> {
      const facts = await heatmapProjectFacts(db, projectId);
      if (!facts) throw new NotFound('The project');
      authorize(actor, 'project.heatmap', facts.resource, 'The project');
      const rows = await heatmapRows(db, projectId, heatmapGroupIds(actor, facts.resource));
      // Rows come by pupil, then goal in order: fold them into one row of cells per pupil.
      const pupils: Heatmap['pupils'] = [];
      for (const r of rows) {
        let pupil = pupils.at(-1);
        if (pupil?.id !== r.pupilId) {
          pupil = { id: r.pupilId, displayName: r.displayName, cells: [] };
          pupils.push(pupil);
        }
        pupil.cells.push({ goalId: r.goalId, selfLevel: r.selfLevel, teacherLevel: r.teacherLevel, evidenceCount: Number(r.evidenceCount) });
      }
      return { project: facts.project, scale: facts.scale, goals: facts.goals, pupils };
    },

    async coverage(actor: Actor, groupId: string): Promise<Coverage> {
      const group = await coverageGroupFacts(db, groupId);
      if (!group) throw new NotFound('The group');
      authorize(actor, 'group.coverage', { type: 'group', schoolId: group.schoolId, groupId }, 'The group');
      const rows = await coverageRows(db, groupId, new Date(group.termStartAt), COVERAGE_COMPETENCE_IDS);
      return {
        group: { id: group.id, name: group.name },
        termStart: group.termStart,
        pupils: rows.map((r) => ({ ...r, artefactCount: Number(r.artefactCount) })),
      };
    },
  };
}
export type InsightService = ReturnType<typeof insightService>;
