import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { seesawZip } from '../fixtures/foreign-archives.ts';
import { schoolState } from '../fixtures/hostile/import-harness.ts';
import { foreignImportBench } from '../helpers/foreign-import.ts';

// Issue 9, item 16: a Seesaw journal download (index page, a page per month, media) becomes the
// pupil's work: captions, dates, photos and files, comments from name-only imported people.
// Fixtures: test/fixtures/seesaw (HTML) + media made in foreign-archives.ts.

const bench = foreignImportBench('seesaw', seesawZip, 'createdAt');
const { archive, newPupil, preview, apply, line, artefactsOf } = bench;

/** A month page with the given posts' inner HTML. */
const page = (...posts: string[]) => Buffer.from(`<!DOCTYPE html><html><body>${posts.map((p) => `<div class="post">${p}</div>`).join('')}</body></html>`);

describe('Seesaw journal import', () => {
  it('previews the posts with their files and comments, and a line for each part it does not import', async () => {
    const pupil = await newPupil();
    const p = await preview(await archive(), pupil.id);
    expect(p.format).toBe('seesaw');
    expect(p.pupilName).toBe('Aino Oppilas');
    expect(line(p, 'ps-1f2e3d4c')).toMatchObject({ type: 'artefact', title: 'Rakensin sillan & testasin sen kestävyyden!', action: 'create' });
    expect(line(p, 'media/ps-1f2e3d4c-1.jpg')).toMatchObject({ type: 'media', action: 'create' });
    expect(line(p, 'ps-0a1b2c3d')).toMatchObject({ action: 'create', reasonCode: 'date-unreadable', reasonParams: { value: '31.10.2023' } });
    expect(line(p, 'index.html')).toMatchObject({ action: 'unmapped', reasonCode: 'archive-viewer' });
    expect(line(p, 'css/journal.css')).toMatchObject({ action: 'unmapped', reasonCode: 'archive-viewer' });
    expect(line(p, 'extra/backup.dat')).toMatchObject({ action: 'unmapped', reasonCode: 'foreign-part-unknown' });
    // The <img src=x> smuggled into a caption names no file of the download.
    expect(line(p, 'x')).toMatchObject({ type: 'media', action: 'unmapped', reasonCode: 'media-missing' });
    expect(p.items.filter((i) => i.type === 'feedback').map((i) => i.reasonParams?.author)).toEqual([
      'Opettaja Virtanen',
      'Äiti (Oppilas)',
      'Opettaja Virtanen',
    ]);
    expect(p.counts.create).toBe(4 + 3 + 3);
  });

  it('imports captions, dates, media and comments from name-only imported people; scripts never get through', async () => {
    const pupil = await newPupil();
    const report = await apply(await archive(), pupil.id);
    expect(report.created).toEqual({ projects: 0, artefacts: 4, media: 3, feedback: 3 });
    const work = await artefactsOf(pupil.id);
    expect(work.map((a) => [a.origin?.id, a.kind, a.media.length, a.feedback.length])).toEqual([
      ['ps-1f2e3d4c', 'image', 1, 2],
      ['ps-5a6b7c8d', 'file', 1, 0],
      ['ps-9e8d7c6b', 'image', 1, 1],
      // The unreadable date: the time of the import, so last.
      ['ps-0a1b2c3d', 'text', 0, 0],
    ]);
    const [bridge, diploma, drawing, poem] = work;
    expect(bridge?.createdAt.toISOString()).toBe('2023-09-14T07:22:00.000Z');
    expect(bridge?.bodyHtml).toBe('<p>Rakensin sillan &amp; testasin sen kestävyyden!</p>');
    expect(bridge?.media[0]).toMatchObject({ kind: 'image', originalName: 'ps-1f2e3d4c-1.jpg' });
    expect(bridge?.feedback.map((f) => [f.authorId, f.importedAuthor?.displayName, f.importedAuthor?.imported, f.body, f.createdAt.toISOString()])).toEqual([
      [null, 'Opettaja Virtanen', true, 'Hieno silta! Kuinka paljon se kesti?', '2023-09-14T09:00:00.000Z'],
      [null, 'Äiti (Oppilas)', true, 'Olemme ylpeitä!', '2023-09-14T15:30:00.000Z'],
    ]);
    expect(diploma?.media[0]?.mime).toBe('application/pdf');
    expect(drawing?.title).toBe('Piirsin syksyn lehtiä. Katso myös syksy.');
    expect(drawing?.bodyHtml).toBe('<p>Piirsin syksyn lehtiä. Katso myös syksy.</p>');
    expect(drawing?.links).toEqual([{ url: 'https://fi.wikipedia.org/wiki/Syksy' }]);
    expect(drawing?.feedback[0]).toMatchObject({ authorId: null, body: 'Kauniit värit !', importedAuthor: { displayName: 'Opettaja Virtanen' } });
    expect(JSON.stringify(work)).not.toMatch(/alert|evil\.example|onerror/);
    expect(Math.abs((poem?.createdAt.getTime() ?? 0) - Date.now())).toBeLessThan(10 * 60_000);
  });

  it('a second import changes nothing', async () => {
    const pupil = await newPupil();
    const file = await archive();
    await apply(file, pupil.id);
    const before = await schoolState(bench.db, bench.schoolId);
    const again = await preview(file, pupil.id);
    expect(again.items.filter((i) => i.type === 'artefact').map((i) => i.reasonCode)).toEqual(Array(4).fill('imported-before'));
    expect((await apply(file, pupil.id)).created).toEqual({ projects: 0, artefacts: 0, media: 0, feedback: 0 });
    expect({ ...(await schoolState(bench.db, bench.schoolId)), audit: before.audit }).toEqual(before);
  });

  it('hostile pages: too large, deeply nested, too many comments, files outside the download; the rest imports', async () => {
    const pupil = await newPupil();
    const many = Array.from(
      { length: 250 },
      (_, i) => `<div class="comment"><span class="comment-author">K${i}</span><p class="comment-text">${i}</p></div>`,
    ).join('');
    const file = await archive({
      add: [
        // Random text: it does not compress, so the archive's ratio check lets it through to the page limit.
        { name: '2023-11.html', data: Buffer.from(`<div class="post"><div class="caption">${randomBytes(4.5 * 1024 * 1024).toString('hex')}</div></div>`) },
        {
          name: '2023-12.html',
          data: page(
            `<time datetime="2023-12-01T10:00:00Z"></time><div class="caption">${'<div>'.repeat(60_000)}Syvällä${'</div>'.repeat(60_000)}</div>`,
            `<time datetime="2023-12-02T10:00:00Z"></time><div class="caption">Paljon kommentteja</div>${many}`,
            `<time datetime="2023-12-03T10:00:00Z"></time><img src="../../../etc/passwd"><img src="/etc/shadow"><img src="%2e%2e/%2e%2e/secret.jpg"><div class="caption">Ulos</div>`,
          ),
        },
        // A post whose only file is of a type Polku refuses: reported with its comment, not an empty artefact.
        { name: 'media/ohjelma.exe', data: Buffer.concat([Buffer.from('MZ'), Buffer.alloc(200)]) },
        {
          name: '2024-01.html',
          data: Buffer.from(
            '<div class="post" data-post-id="ps-exe"><time datetime="2024-01-09T10:00:00Z"></time><a href="media/ohjelma.exe">ohjelma</a><div class="comment"><span class="comment-author">Opettaja</span><div class="comment-text">Mikä tämä on?</div></div></div>',
          ),
        },
      ],
    });
    const p = await preview(file, pupil.id);
    expect(line(p, 'ps-exe')).toMatchObject({ action: 'unmapped', reasonCode: 'no-usable-file' });
    expect(line(p, 'media/ohjelma.exe')).toMatchObject({ action: 'unmapped', reasonCode: 'media-unsupported' });
    expect(p.items.filter((i) => i.sourceId === 'ps-exe' && i.type === 'feedback')).toEqual([
      expect.objectContaining({ action: 'unmapped', reasonCode: 'comment-on-unimported' }),
    ]);
    expect(line(p, '2023-11.html')).toMatchObject({ action: 'unmapped', reasonCode: 'page-unreadable' });
    expect(line(p, '2023-12.html')).toMatchObject({ action: 'unmapped', reasonCode: 'page-truncated' });
    for (const ref of ['../../../etc/passwd', '/etc/shadow', '%2e%2e/%2e%2e/secret.jpg']) expect(line(p, ref)).toMatchObject({ reasonCode: 'media-missing' });
    const report = await apply(file, pupil.id);
    expect(report.created.artefacts).toBe(4 + 3);
    const work = await artefactsOf(pupil.id);
    expect(work.find((a) => a.title === 'Syvällä')?.bodyHtml).toBe('<p>Syvällä</p>');
    expect(work.find((a) => a.title === 'Paljon kommentteja')?.feedback).toHaveLength(200);
    expect(work.find((a) => a.title === 'Ulos')?.media).toEqual([]);
  });
});
