import { describe, expect, it } from 'vitest';
import { takeoutZip } from '../fixtures/foreign-archives.ts';
import { schoolState } from '../fixtures/hostile/import-harness.ts';
import { makeUser } from '../helpers/factories.ts';
import { foreignImportBench } from '../helpers/foreign-import.ts';

// Issue 9, item 16: a Google Takeout of a pupil's Drive and Classroom becomes their work, with dates,
// descriptions, attached files and teachers' comments (name-only), through the same preview → apply
// → report as the other formats. Fixtures: test/fixtures/takeout (JSON) + binaries made in foreign-archives.ts.

const bench = foreignImportBench('takeout', takeoutZip, 'title');
const { archive, newPupil, preview, apply, line, artefactsOf } = bench;

const C = 'Takeout/Classroom/7B Biologia';

describe('Google Takeout import (Drive and Classroom)', () => {
  it('previews every part: work, files, comments, and a line for each part it does not import', async () => {
    const pupil = await newPupil();
    const p = await preview(await archive(), pupil.id);
    expect(p.format).toBe('takeout');
    expect(p.pupilNameCode).toBe('unknown-learner');
    expect(line(p, `${C}/Kasvien kasvu - palautus.json`)).toMatchObject({ type: 'artefact', title: 'Kasvien kasvu', action: 'create' });
    expect(line(p, `${C}/kasvukaavio.png`)).toMatchObject({ type: 'media', action: 'create' });
    expect(line(p, `${C}/Havainnot.pdf`)).toMatchObject({ type: 'media', action: 'create' });
    expect(line(p, 'mittaukset.xlsx')).toMatchObject({ type: 'media', action: 'unmapped', reasonCode: 'media-missing' });
    expect(line(p, `${C}/Pohdinta viikolta 46.json`)).toMatchObject({
      action: 'create',
      reasonCode: 'date-unreadable',
      reasonParams: { value: '2023-11-31T09:00:00Z' },
    });
    expect(line(p, `${C}/Luokan tiedot.json`)).toMatchObject({ action: 'unmapped', reasonCode: 'foreign-part-unknown' });
    expect(line(p, 'Takeout/Mail/')).toMatchObject({ action: 'unmapped', reasonCode: 'foreign-part-unknown' });
    expect(line(p, 'Takeout/archive_browser.html')).toMatchObject({ action: 'unmapped', reasonCode: 'archive-viewer' });
    expect(line(p, 'Takeout/Drive/Äidinkieli/Essee ilmastonmuutoksesta.docx')).toMatchObject({ type: 'artefact', title: 'Essee ilmastonmuutoksesta' });
    expect(p.items.filter((i) => i.type === 'feedback').map((i) => [i.reasonCode, i.reasonParams])).toEqual([
      ['feedback-imported', { author: 'Opettaja Virtanen' }],
      ['feedback-imported', { author: 'Aino Oppilas' }],
    ]);
    expect(p.items.filter((i) => i.type === 'artefact' && i.action === 'create')).toHaveLength(5);
  });

  it('imports work with its dates, descriptions, files and comments from name-only imported people', async () => {
    const pupil = await newPupil();
    // A real teacher here with the commenter's name: names never find accounts.
    await makeUser(bench.db, { role: 'teacher', schoolId: bench.schoolId, displayName: 'Opettaja Virtanen' });
    const report = await apply(await archive(), pupil.id);
    expect(report.created).toEqual({ projects: 0, artefacts: 5, media: 5, feedback: 2 });
    const work = await artefactsOf(pupil.id);
    expect(work.map((a) => [a.title, a.kind, a.media.length, a.feedback.length])).toEqual([
      ['Essee ilmastonmuutoksesta', 'file', 1, 0],
      ['Kasvien kasvu', 'image', 2, 2],
      ['Pohdinta viikolta 46', 'text', 0, 0],
      ['Raportti', 'file', 1, 0],
      ['silta', 'image', 1, 0],
    ]);
    const [essee, kasvu, pohdinta, raportti, silta] = work;
    expect(essee?.createdAt.toISOString()).toBe('2023-10-02T08:15:00.000Z');
    expect(essee?.bodyHtml).toBe('<p>Äidinkielen essee, syksy 2023.</p><p>Opettaja pyysi vähintään kaksi lähdettä.</p>');
    expect(essee?.media[0]).toMatchObject({
      mime: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
      originalName: 'Essee ilmastonmuutoksesta.docx',
    });
    expect(silta?.createdAt.toISOString()).toBe('2023-10-10T09:15:00.000Z');
    expect(silta?.bodyHtml).toBe('<p>Jäätelötikkusilta kestää 2 kg</p>');
    expect(raportti?.media[0]?.mime).toBe('application/pdf');
    expect(kasvu?.createdAt.toISOString()).toBe('2023-11-06T10:00:00.000Z');
    expect(kasvu?.media.map((m) => m.originalName)).toEqual(['kasvukaavio.png', 'Havainnot.pdf']);
    expect(kasvu?.links).toEqual([{ url: 'https://fi.wikipedia.org/wiki/Papu', title: 'Papu – Wikipedia' }]);
    expect(kasvu?.origin).toEqual({ source: 'takeout', id: `${C}/Kasvien kasvu - palautus.json` });
    // Comments: nobody's account (not even the pupil's, whose name the archive only claims), kept as imported names.
    expect(kasvu?.feedback.map((f) => [f.authorId, f.importedAuthor, f.body, f.createdAt.toISOString()])).toEqual([
      [
        null,
        { id: null, displayName: 'Opettaja Virtanen', role: null, imported: true },
        'Hienot mittaukset! Lisää vielä johtopäätös.',
        '2023-11-10T14:03:00.000Z',
      ],
      [null, { id: null, displayName: 'Aino Oppilas', role: null, imported: true }, 'Lisäsin johtopäätöksen.', '2023-11-12T16:20:00.000Z'],
    ]);
    // An impossible date (31 November) is reported and the work kept with the time of the import.
    expect(Math.abs((pohdinta?.createdAt.getTime() ?? 0) - Date.now())).toBeLessThan(10 * 60_000);
    expect(pohdinta?.bodyHtml).toBe('<p>Opin, että valo vaikuttaa kasvuun enemmän kuin luulin.</p>');
    // Nothing of the e-mail addresses, user ids or grades in the JSON reaches a row.
    expect(JSON.stringify(work)).not.toMatch(/koulu\.example\.fi|112233445566778899000|assignedGrade/);
  });

  it('a second import changes nothing; the same download into another pupil is imported for them', async () => {
    const pupil = await newPupil();
    const file = await archive();
    await apply(file, pupil.id);
    const before = await schoolState(bench.db, bench.schoolId);
    const again = await preview(file, pupil.id);
    expect(again.items.filter((i) => i.type === 'artefact').map((i) => i.action)).toEqual(['skip', 'skip', 'skip', 'skip', 'skip']);
    expect(again.items.filter((i) => i.type === 'feedback').map((i) => i.reasonCode)).toEqual(['comment-work-imported-before', 'comment-work-imported-before']);
    const report = await apply(file, pupil.id);
    expect(report.created).toEqual({ projects: 0, artefacts: 0, media: 0, feedback: 0 });
    const after = await schoolState(bench.db, bench.schoolId);
    expect({ ...after, audit: before.audit }).toEqual(before);
    // Origins count per pupil: a classmate's import of the same download is theirs, not "imported before".
    const other = await newPupil();
    expect((await apply(file, other.id)).created.artefacts).toBe(5);
  });

  it('refuses or neutralises hostile JSON: huge and deeply nested sidecars, wrong types, script in a description', async () => {
    const pupil = await newPupil();
    const huge = Buffer.from(JSON.stringify({ title: 'x', description: 'a'.repeat(600 * 1024) }));
    const deep = Buffer.from(`${'['.repeat(100_000)}${']'.repeat(100_000)}`);
    const deepObject = Buffer.from(`{"title":"syvä","x":${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}}`);
    const file = await archive({
      add: [
        { name: 'Takeout/Drive/Äidinkieli/Essee ilmastonmuutoksesta.docx.json', data: huge },
        { name: 'Takeout/Drive/Kuvat/silta.jpg.supplemental-metadata.json', data: deep },
        { name: `${C}/Syvä.json`, data: deepObject },
        { name: `${C}/Väärä tyyppi.json`, data: Buffer.from(JSON.stringify({ title: 123, comments: 'ei lista' })) },
        { name: `${C}/Ei JSONia.json`, data: Buffer.from('{"title": "kesken') },
        {
          name: `${C}/Skripti.json`,
          data: Buffer.from(
            JSON.stringify({
              title: '<img src=x onerror=alert(1)>Otsikko',
              description: '<script>alert(document.cookie)</script><a href="javascript:alert(1)">linkki</a>',
              creationTime: '2023-12-01T08:00:00Z',
              materials: [{ link: { url: 'javascript:alert(1)', title: 'paha' } }],
              comments: [{ creator: { name: { fullName: '<b onmouseover=alert(1)>Opettaja</b>' } }, text: '<script>x()</script>Hyvä' }],
            }),
          ),
        },
      ],
    });
    const p = await preview(file, pupil.id);
    for (const name of [
      'Takeout/Drive/Äidinkieli/Essee ilmastonmuutoksesta.docx.json',
      'Takeout/Drive/Kuvat/silta.jpg.supplemental-metadata.json',
      `${C}/Syvä.json`,
      `${C}/Väärä tyyppi.json`,
      `${C}/Ei JSONia.json`,
    ])
      expect(line(p, name)).toMatchObject({ action: 'unmapped', reasonCode: 'sidecar-unreadable' });
    const report = await apply(file, pupil.id);
    // The files whose details were unreadable are still imported, named by their file names.
    expect(report.created.artefacts).toBe(6);
    const work = await artefactsOf(pupil.id);
    expect(work.map((a) => a.title)).toEqual(expect.arrayContaining(['Essee ilmastonmuutoksesta', 'silta']));
    const essee = work.find((a) => a.title === 'Essee ilmastonmuutoksesta');
    expect(essee?.bodyHtml).toBe('');
    const hostile = work.find((a) => a.title.endsWith('Otsikko'));
    // Takeout's descriptions are plain text: markup in them stays visible text, never an element.
    expect(hostile?.bodyHtml).not.toMatch(/<(?!\/?p>)/i);
    expect(hostile?.bodyHtml).toContain('&lt;script&gt;alert(document.cookie)&lt;/script&gt;');
    expect(hostile?.links).toEqual([]);
    expect(hostile?.feedback[0]).toMatchObject({ authorId: null, body: '<script>x()</script>Hyvä' });
    expect(hostile?.feedback[0]?.importedAuthor?.displayName).toBe('<b onmouseover=alert(1)>Opettaja</b>');
  });
});
