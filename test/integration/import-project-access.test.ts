import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Artefact, TimelinePage } from '../../shared/api/artefacts.ts';
import type { Project } from '../../shared/api/projects.ts';
import { applyImport } from '../../server/modules/portability/import/import-archive.ts';
import { localHarness, type ImportHarness } from '../fixtures/hostile/import-harness.ts';
import { makeTwoSchools } from '../helpers/factories.ts';
import { startTestApp, type TestApp } from '../helpers/test-app.ts';

// Issue 9, item 5: a Mahara journal becomes a project that belongs to the pupil it is imported into.
// Before, it had no teachers, no groups and no owner: 404 to the pupil and their teachers alike.

/** A Mahara-style journal (a selection of type Blog) with two posts, as Mahara's exporter writes them. */
const JOURNAL = `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
    xmlns:leap2="http://terms.leapspecs.org/" xmlns:categories="http://wiki.leapspecs.org/2A/categories/"
    xmlns:portfolio="http://mahara.example/export/leap/7/1700000000/"
    xmlns:mahara="http://wiki.mahara.org/Developer_Area/Import%2F%2FExport/LEAP_Extensions#">
  <leap2:version>http://www.leapspecs.org/2010-07/2A/</leap2:version>
  <id>http://mahara.example/export/7/1700000000</id>
  <title>Mahara Leap2A Export for Aino Virtanen</title>
  <updated>2023-11-14T10:00:00+02:00</updated>
  <author><name>Aino Virtanen</name><uri>portfolio:self</uri></author>
  <entry>
    <title>Luontopäiväkirja</title>
    <id>portfolio:artefact1</id>
    <updated>2023-10-07T09:00:00+03:00</updated>
    <content type="html">&lt;p&gt;Havaintoja syksyltä&lt;/p&gt;</content>
    <rdf:type rdf:resource="leap2:selection"/>
    <category term="Blog" scheme="categories:selection_type#"/>
    <mahara:artefactplugin mahara:type="blog" mahara:plugin="blog"/>
    <link rel="leap2:has_part" href="portfolio:artefact2" leap2:display_order="1"/>
    <link rel="leap2:has_part" href="portfolio:artefact3" leap2:display_order="2"/>
  </entry>
  <entry>
    <title>Ensimmäinen retki</title>
    <id>portfolio:artefact2</id>
    <updated>2023-10-01T09:00:00+03:00</updated>
    <published>2023-10-01T09:00:00+03:00</published>
    <content type="html">&lt;p&gt;Näin kolme sientä.&lt;/p&gt;</content>
    <rdf:type rdf:resource="leap2:entry"/>
    <mahara:artefactplugin mahara:type="blogpost" mahara:plugin="blog"/>
    <link rel="leap2:is_part_of" href="portfolio:artefact1"/>
  </entry>
  <entry>
    <title>Toinen retki</title>
    <id>portfolio:artefact3</id>
    <updated>2023-10-05T09:00:00+03:00</updated>
    <published>2023-10-05T09:00:00+03:00</published>
    <content type="html">&lt;p&gt;Kanttarelleja.&lt;/p&gt;</content>
    <rdf:type rdf:resource="leap2:entry"/>
    <mahara:artefactplugin mahara:type="blogpost" mahara:plugin="blog"/>
    <link rel="leap2:is_part_of" href="portfolio:artefact1"/>
  </entry>
</feed>`;

describe('an imported journal is the pupil’s own project (issue 9, item 5)', () => {
  let app: TestApp;
  let h: ImportHarness;
  let work: string;
  let w: Awaited<ReturnType<typeof makeTwoSchools>>;
  let projectId: string;
  let postIds: string[];

  beforeAll(async () => {
    app = await startTestApp();
    h = await localHarness();
    work = await mkdtemp(path.join(tmpdir(), 'polku-journal-'));
    w = await makeTwoSchools(app.database.db);
    const file = path.join(work, 'journal.xml');
    await writeFile(file, JOURNAL);
    const report = await applyImport({
      db: app.database.db,
      blobs: app.polku.blobs,
      filePath: file,
      target: { kind: 'existing', pupilId: w.pupil.id },
      actorId: w.pupil.id,
      media: h.media,
    });
    expect(report.created).toMatchObject({ projects: 1, artefacts: 2 });
    const posts = await app.database.db.selectFrom('artefacts').select(['id', 'projectId']).where('ownerId', '=', w.pupil.id).execute();
    projectId = posts[0]?.projectId ?? '';
    expect(projectId).not.toBe('');
    expect(posts.every((p) => p.projectId === projectId)).toBe(true);
    postIds = posts.map((p) => p.id);
  });
  afterAll(async () => {
    await h?.close();
    await app?.close();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('the pupil opens the project, finds it in their list, sees its posts and can still edit them', async () => {
    const pupil = await app.as(w.pupil.username);
    const project = await pupil.get<Project>(`/api/projects/${projectId}`);
    expect(project.status).toBe(200);
    expect(project.body).toMatchObject({ id: projectId, title: 'Luontopäiväkirja', teachers: [], groups: [] });
    expect((await pupil.get<{ projects: Project[] }>('/api/projects')).body.projects.map((p) => p.id)).toContain(projectId);
    const page = await pupil.get<TimelinePage>(`/api/pupils/${w.pupil.id}/artefacts?projectId=${projectId}`);
    expect(page.body.items.map((a) => a.title).sort()).toEqual(['Ensimmäinen retki', 'Toinen retki']);
    // Saving an imported post keeps it in its project (before: "You do not take part in that project").
    const edited = await pupil.patch<Artefact>(`/api/artefacts/${postIds[0]}`, { title: 'Ensimmäinen retki (muokattu)' });
    expect(edited.status).toBe(200);
    expect(edited.body.projectId).toBe(projectId);
    // Theirs to read, not to give teachers or groups (issue 8, A1).
    expect((await pupil.patch(`/api/projects/${projectId}`, { groupIds: [w.group.id] })).status).toBe(403);
  });

  it('the teacher of the pupil’s group opens the project and its work', async () => {
    const teacher = await app.as(w.teacher.username);
    expect((await teacher.get<Project>(`/api/projects/${projectId}`)).status).toBe(200);
    const page = await teacher.get<TimelinePage>(`/api/pupils/${w.pupil.id}/artefacts?projectId=${projectId}`);
    expect(page.body.items).toHaveLength(2);
    for (const id of postIds) expect((await teacher.get(`/api/artefacts/${id}`)).status).toBe(200);
    expect((await teacher.patch(`/api/projects/${projectId}`, { title: 'Opettajan nimi' })).status).toBe(403);
  });

  it('a classmate, another group’s teacher, another school’s teacher and admin, and another child’s guardian get 404', async () => {
    for (const who of [w.classmate, w.otherTeacher, w.teacherB, w.adminB, w.otherGuardian]) {
      const client = await app.as(who.username);
      expect((await client.get(`/api/projects/${projectId}`)).status, who.username).toBe(404);
      expect((await client.get(`/api/artefacts/${postIds[0]}`)).status, who.username).toBe(404);
      expect(
        (await client.get<{ projects: Project[] }>('/api/projects')).body.projects.map((p) => p.id),
        who.username,
      ).not.toContain(projectId);
    }
  });

  it('the school’s admin reads it as every project of the school', async () => {
    const admin = await app.as(w.admin.username);
    expect((await admin.get(`/api/projects/${projectId}`)).status).toBe(200);
  });
});
