import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Artefact } from '../../shared/api/artefacts.ts';
import type { Feedback } from '../../shared/api/feedback.ts';
import type { Project } from '../../shared/api/projects.ts';
import { ARCHIVE_PATHS } from '../../shared/portability/portfolio-format.ts';
import { writeExportArchive } from '../../server/modules/portability/export/export-archive.ts';
import { artefactForm as form, wavTone } from '../helpers/artefact-upload.ts';
import { makeTwoSchools } from '../helpers/factories.ts';
import { maharaImport, type MaharaGeneration, type MaharaImport } from '../helpers/mahara-leap-rules.ts';
import { postSampleProject } from '../helpers/sample-project.ts';
import { startTestApp, type TestApp } from '../helpers/test-app.ts';
import { readZip } from '../helpers/zip.ts';
import { showcasesDb } from '../../server/modules/showcases/showcase-tables.ts';
import { portfolioDocumentSchema } from '../../shared/portability/portfolio-format.ts';

// Polku's leap2a.xml read with the rules of Mahara's LEAP2A importer (test/helpers/mahara-leap-rules.ts,
// ported from Mahara's source): how each entry of a demo-like pupil's export would land in Mahara.

const MISSING = '0b7c9a3e-5d41-4e8f-9a6b-2c3d4e5f6a7b';

describe('a Polku export read by Mahara', () => {
  let app: TestApp;
  let workDir: string;
  let project: Project;
  let photoWork: Artefact;
  let multi: Artefact;
  let essay: Artefact;
  let loose: Artefact;
  let feedback: Feedback[];
  let archive: Map<string, Buffer>;
  let showcaseId: string;
  const read = (generation: MaharaGeneration): MaharaImport => {
    const files = new Set([...archive.keys()].filter((n) => n.startsWith('files/')));
    return maharaImport(archive.get(ARCHIVE_PATHS.leap2a)?.toString('utf8') ?? '', files, generation);
  };
  const id = (x: { id: string }) => `urn:uuid:${x.id}`;

  beforeAll(async () => {
    workDir = await mkdtemp(path.join(tmpdir(), 'polku-export-mahara-'));
    app = await startTestApp();
    const db = app.database.db;
    const w = await makeTwoSchools(db);
    await db.updateTable('users').set({ displayName: 'Aino Maria Virtanen' }).where('id', '=', w.pupil.id).execute();
    const [pupil, teacher] = await Promise.all([app.as(w.pupil.username), app.as(w.teacher.username)]);
    project = await postSampleProject(teacher, db, { schoolId: w.schoolA.id, groupId: w.group.id });
    const jpeg = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#3a7' } })
      .jpeg()
      .toBuffer();
    const post = async (fields: Record<string, unknown>, files: Parameters<typeof form>[1] = []) => {
      const res = await pupil.post<Artefact>('/api/artefacts', form(fields, files));
      expect(res.status, res.text).toBe(201);
      return res.body;
    };
    photoWork = await post({ title: 'Jääkoe', bodyHtml: '<p>Kuva kokeesta.</p>', projectId: project.id, competenceIds: ['basic:L4'] }, [
      { name: 'IMG_0042.JPG', type: 'image/jpeg', bytes: jpeg },
    ]);
    multi = await post({ title: 'Jää sulaa', projectId: project.id, subjectCodes: ['FY'], competenceIds: ['basic:L4'] }, [
      { name: 'jaa.jpg', type: 'image/jpeg', bytes: jpeg },
      { name: 'aani.wav', type: 'audio/wav', bytes: wavTone() },
    ]);
    essay = await post({
      title: 'Pohdinta',
      projectId: project.id,
      bodyHtml: `<p>Katso <a href="/artefacts/${photoWork.id}">kuva</a>, <a href="/projects/${project.id}">projekti</a> ja <a href="/artefacts/${MISSING}">poistettu</a>.</p>`,
    });
    loose = await post({ title: 'Vapaa ajatus', bodyHtml: '<p>Ilman projektia.</p>' });
    const note = await teacher.post<Feedback>(`/api/artefacts/${multi.id}/feedback`, { body: 'Hyvä mittaus!' });
    const reply = await pupil.post<Feedback>(`/api/artefacts/${multi.id}/feedback`, { body: 'Kiitos!', parentId: note.body.id });
    const onPhoto = await teacher.post<Feedback>(`/api/artefacts/${photoWork.id}/feedback`, { body: 'Tarkka kuva.' });
    const onLoose = await teacher.post<Feedback>(`/api/artefacts/${loose.id}/feedback`, { body: 'Mieti lisää.' });
    feedback = [note.body, reply.body, onPhoto.body, onLoose.body];
    for (const f of feedback) expect(f.id).toBeTruthy();

    // Issue 12 §3: a showcase of three items in a chosen order (essay, a text block, the photo), written as the showcase module stores it.
    const sdb = showcasesDb(db);
    const showcase = await sdb
      .insertInto('showcases')
      .values({ ownerId: w.pupil.id, title: 'Parhaat työni', introHtml: '<p>Valitsin nämä.</p>' })
      .returning('id')
      .executeTakeFirstOrThrow();
    showcaseId = showcase.id;
    await sdb
      .insertInto('showcaseItems')
      .values([
        { showcaseId, position: 0, artefactId: essay.id, bodyHtml: '<p>Opin pohtimaan.</p>', templateSlot: null },
        { showcaseId, position: 1, artefactId: null, heading: 'Välisanat', bodyHtml: '<p>Tekstilohko.</p>', templateSlot: null },
        { showcaseId, position: 2, artefactId: photoWork.id, bodyHtml: '<p>Kuva onnistui.</p>', templateSlot: null },
      ])
      .execute();

    const file = path.join(workDir, 'export.zip');
    await writeExportArchive({ db, blobs: app.polku.blobs, pupilId: w.pupil.id, scope: 'full', locale: 'fi' }, createWriteStream(file));
    archive = new Map((await readZip(file)).map((e) => [e.name, e.bytes]));
  });

  afterAll(async () => {
    await app?.close();
    if (workDir) await rm(workDir, { recursive: true, force: true });
  });

  for (const generation of ['current', '22.04'] as const) {
    describe(`Mahara ${generation === 'current' ? '22.10 and later' : '22.04 and earlier'}`, () => {
      it('reads the feed with the Mahara extension namespace every generation accepts', () => {
        const m = read(generation);
        expect(m.namespaceMahara).toBe('http://wiki.mahara.org/Developer_Area/Import%2F%2FExport/LEAP_Extensions#');
      });

      it('fills the profile with the pupil’s name (not an introduction)', () => {
        expect(read(generation).profile).toEqual({ firstname: 'Aino Maria', lastname: 'Virtanen', preferredname: '', email: [], introduction: null });
      });

      it('makes every feedback message a comment on the artefact it is about, none a journal post', () => {
        const m = read(generation);
        const on = (f: Feedback) => m.landings.get(`urn:uuid:${f.id}`);
        expect(on(feedback[0] as Feedback)).toEqual({ as: 'comment', on: { entry: id(multi) }, authorName: 'Imported feedback', private: false });
        expect(on(feedback[1] as Feedback)).toMatchObject({ as: 'comment', on: { entry: id(multi) } }); // a reply: Mahara has no threads
        expect(on(feedback[2] as Feedback)).toMatchObject({ as: 'comment', on: { entry: id(photoWork) } });
        expect(on(feedback[3] as Feedback)).toMatchObject({ as: 'comment', on: { entry: id(loose) } });
        for (const f of feedback) expect(m.claims.get(`urn:uuid:${f.id}`)?.[0]).toMatchObject({ plugin: 'comment', score: 100 });
      });

      it('makes a one-file artefact a file named with its extension, and a many-file one a post with its files attached', () => {
        const m = read(generation);
        expect(m.landings.get(id(photoWork))).toMatchObject({ as: 'file', title: 'Jääkoe.jpg', mime: 'image/jpeg', description: 'Kuva kokeesta.' });
        const post = m.landings.get(id(multi));
        expect(post).toMatchObject({ as: 'post', title: 'Jää sulaa', journal: id(project) });
        const attachments = post?.as === 'post' ? post.attachments : [];
        expect(attachments).toHaveLength(2);
        for (const a of attachments) expect('linkedFile' in a && archive.has(a.linkedFile)).toBe(true);
      });

      it('makes the project a journal holding its posts, and work outside projects posts of the catch-all journal', () => {
        const m = read(generation);
        const journal = m.landings.get(id(project));
        expect(journal).toMatchObject({ as: 'journal', title: project.title, tags: expect.arrayContaining(['Biologia', 'Fysiikka']) as unknown });
        expect(journal?.as === 'journal' ? [...journal.posts].sort() : []).toEqual([id(essay), id(multi)].sort());
        expect(m.landings.get(id(essay))).toMatchObject({ as: 'post', journal: id(project) });
        expect(m.landings.get(id(loose))).toMatchObject({ as: 'post', journal: 'catch-all journal' });
        // Nothing lost: every entry lands somewhere.
        expect([...m.landings].filter(([, l]) => l.as === 'not imported')).toEqual([]);
      });

      it('carries competences as tags on their evidence; the competence entries become no journal posts', () => {
        const m = read(generation);
        expect(m.landings.get(id(multi))).toMatchObject({ tags: expect.arrayContaining(['Fysiikka', 'Monilukutaito']) as unknown });
        expect(m.landings.get(id(photoWork))).toMatchObject({ tags: ['Monilukutaito'] });
        const competence = m.landings.get('urn:polku:competence:basic%3AL4');
        expect(competence).toEqual({ as: 'resume', type: null });
        expect(m.claims.get('urn:polku:competence:basic%3AL4')?.[0]).toMatchObject({ plugin: 'resume', strategy: 'ability', score: 100 });
      });

      it('resolves links between artefacts to the imported work; a link to work not in the file is no link', () => {
        const m = read(generation);
        const refs = m.references.filter((r) => r.in === id(essay));
        expect(refs).toEqual([
          { in: id(essay), href: id(photoWork), resolves: true },
          { in: id(essay), href: id(project), resolves: true },
        ]);
        expect(archive.get(ARCHIVE_PATHS.leap2a)?.toString('utf8')).not.toContain('/artefacts/');
      });
    });
  }

  it('makes a showcase a page in Mahara, its work in the order chosen (issue 12 §3)', () => {
    for (const generation of ['current', '22.04'] as const) {
      const m = read(generation);
      expect(m.landings.get(`urn:uuid:${showcaseId}`)).toMatchObject({ as: 'view' });
      expect(m.claims.get(`urn:uuid:${showcaseId}`)?.[0]).toMatchObject({ plugin: 'core', score: 100 });
      // Its work still lands as before: the page takes nothing away from the journal.
      expect(m.landings.get(id(essay))).toMatchObject({ as: 'post', journal: id(project) });
    }
    const xml = archive.get(ARCHIVE_PATHS.leap2a)?.toString('utf8') ?? '';
    const entry = xml.slice(xml.indexOf(`<id>urn:uuid:${showcaseId}</id>`));
    const parts = [...entry.slice(0, entry.indexOf('</entry>')).matchAll(/rel="leap2:has_part" href="urn:uuid:([^"]+)" leap2:display_order="(\d+)"/g)];
    expect(parts.map((p) => [p[1], p[2]])).toEqual([
      [essay.id, '1'],
      [photoWork.id, '2'],
    ]);
  });

  it('writes the showcase into portfolio.json (format 4) and as a page of the offline site, in order', () => {
    const doc = portfolioDocumentSchema.parse(JSON.parse(archive.get(ARCHIVE_PATHS.document)?.toString('utf8') ?? '{}'));
    expect(doc.version).toBe(4);
    expect(doc.showcases).toEqual([
      expect.objectContaining({
        id: showcaseId,
        title: 'Parhaat työni',
        visibility: 'private',
        items: [
          { artefactId: essay.id, heading: '', bodyHtml: '<p>Opin pohtimaan.</p>' },
          { artefactId: null, heading: 'Välisanat', bodyHtml: '<p>Tekstilohko.</p>' },
          { artefactId: photoWork.id, heading: '', bodyHtml: '<p>Kuva onnistui.</p>' },
        ],
      }),
    ]);
    const page = archive.get(`site/showcase-${showcaseId}.html`)?.toString('utf8') ?? '';
    const order = ['Pohdinta', 'Opin pohtimaan.', 'Välisanat', 'Tekstilohko.', 'Jääkoe', 'Kuva onnistui.'].map((text) => page.indexOf(text));
    expect(order.every((at) => at > 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(page).toContain(`href="artefact-${essay.id}.html"`);
    expect(archive.get('index.html')?.toString('utf8')).toContain(`href="site/showcase-${showcaseId}.html"`);
  });

  it('links between artefacts in the offline site are relative pages of the site', () => {
    const page = archive.get(`site/artefact-${essay.id}.html`)?.toString('utf8') ?? '';
    expect(page).toContain(`<a href="artefact-${photoWork.id}.html">kuva</a>`);
    expect(page).toContain(`<a href="project-${project.id}.html">projekti</a>`);
    expect(page).toContain('<a>poistettu</a>');
    expect(page).not.toContain('/artefacts/');
    expect(page).not.toContain('/projects/');
    expect(archive.has(`site/artefact-${photoWork.id}.html`)).toBe(true);
  });
});
