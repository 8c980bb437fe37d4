/**
 * A Mahara-shaped LEAP2A export for the import benchmark, written straight into a ZIP: the layout
 * Mahara 22.10+ writes (htdocs/export/leap/lib.php and its templates: leap2a.xml at the root, files
 * under export_info/files/<id>-<name>, `portfolio:artefactN` ids, the web.archive LEAP namespaces,
 * `mahara:artefactplugin` on every entry). Journals (selection_type#Blog) with their posts, files
 * attached to posts (`related`) and shown in them (`<img rel="leap2:has_part">`), teacher comments
 * (`leap2:reflects_on`), tags. Media are valid files of the kinds a school has: JPEG photos (each
 * distinct) and PDFs (random pages), generated as the ZIP is written, so nothing else touches disk.
 */
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import sharp from 'sharp';
import ZipStream from 'zip-stream';

export interface MaharaFeedShape {
  entries: number;
  mediaBytes: number;
}

export interface MaharaFeedStats {
  entries: number;
  files: number;
  images: number;
  pdfs: number;
  mediaBytes: number;
  posts: number;
  comments: number;
  journals: number;
}

const JOURNALS = 20;
const IMAGE_SHARE = 0.25; // of the media bytes; the rest are PDFs
const PDF_BYTES = 4 * 1024 * 1024;

const esc = (s: string) => s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('"', '&quot;');

/** A small PDF whose one stream is `size` random bytes: a valid file by its header and trailer. */
function pdf(size: number): Buffer {
  const head = Buffer.from(`%PDF-1.4\n1 0 obj\n<< /Length ${size} >>\nstream\n`);
  const tail = Buffer.from('\nendstream\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n');
  return Buffer.concat([head, randomBytes(size), tail]);
}

export async function writeMaharaExport(file: string, shape: MaharaFeedShape): Promise<MaharaFeedStats> {
  // Sixteen different photos; each file is one of them with bytes of its own after the end of the
  // image (decoders stop at EOI), so that no two files are the same to a content hash.
  const photos = await Promise.all(
    Array.from({ length: 16 }, (_, i) =>
      sharp({
        create: { width: 800, height: 600, channels: 3, background: { r: i * 15, g: 120, b: 200 - i * 10 }, noise: { type: 'gaussian', mean: 0, sigma: 40 } },
      })
        .jpeg({ quality: 80 })
        .toBuffer(),
    ),
  );
  const photoBytes = photos.reduce((s, p) => s + p.length, 0) / photos.length;
  const pdfBytes = Math.min(PDF_BYTES, Math.max(64 * 1024, Math.floor(shape.mediaBytes / 64)));
  const images = Math.max(1, Math.round((shape.mediaBytes * IMAGE_SHARE) / photoBytes));
  const pdfs = Math.max(1, Math.round((shape.mediaBytes * (1 - IMAGE_SHARE)) / pdfBytes));
  const files = images + pdfs;
  const rest = shape.entries - 1 - JOURNALS - files;
  if (rest < 10) throw new Error(`${shape.entries} entries cannot hold ${files} files: raise ENTRIES or lower MEDIA_MB`);
  const comments = Math.floor(rest / 5);
  const posts = rest - comments;

  const zip = new ZipStream({ zlib: { level: 6 } });
  const written = pipeline(zip, createWriteStream(file));
  const add = (data: Buffer, name: string, store: boolean) =>
    new Promise<void>((resolve, reject) => zip.entry(data, { name, store }, (err) => (err ? reject(err) : resolve())));

  let next = 1;
  const id = () => `portfolio:artefact${next++}`;
  const day = (i: number) => `2023-${String((i % 9) + 1).padStart(2, '0')}-${String((i % 28) + 1).padStart(2, '0')}T09:00:00+02:00`;
  const xml: string[] = [
    '<?xml version="1.0" encoding="utf-8"?>',
    '<feed xmlns="http://www.w3.org/2005/Atom" xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"' +
      ' xmlns:leap2="https://web.archive.org/web/20100503000634/http://terms.leapspecs.org"' +
      ' xmlns:categories="https://web.archive.org/web/20120819100914/http://wiki.leapspecs.org:80/2A/categories"' +
      ' xmlns:portfolio="https://mahara.example/export/leap/7/1700000000/"' +
      ' xmlns:mahara="https://wiki.mahara.org/wiki/Developer_Area/Import//Export/LEAP_Extensions">',
    '<leap2:version>http://www.leapspecs.org/2010-07/2A/</leap2:version><id>https://mahara.example/export/7/1700000000</id>',
    '<title>Mahara Leap2A Export for Aino Virtanen</title><updated>2023-11-14T10:00:00+02:00</updated><generator uri="https://mahara.org/" version="2023041700">Mahara</generator>',
    '<author><name>Aino Virtanen</name><email>aino@example.org</email><uri>portfolio:artefactinternal</uri></author>',
    '<entry><title>Aino Virtanen</title><id>portfolio:artefactinternal</id><updated>2023-11-14T10:00:00+02:00</updated><content></content>' +
      '<rdf:type rdf:resource="leap2:person"/><mahara:artefactplugin mahara:type="firstname" mahara:plugin="internal"/>' +
      '<leap2:persondata mahara:artefactplugin="internal" mahara:artefacttype="firstname" leap2:field="legal_given_name" leap2:label="First name">Aino</leap2:persondata>' +
      '<leap2:persondata mahara:artefactplugin="internal" mahara:artefacttype="lastname" leap2:field="legal_family_name" leap2:label="Last name">Virtanen</leap2:persondata></entry>',
  ];

  // Files first in the ZIP, as Mahara's exporter copies them (create_zip_archive of export_info/files/).
  const fileIds: string[] = [];
  let mediaBytes = 0;
  for (let i = 0; i < files; i++) {
    const fid = id();
    fileIds.push(fid);
    const image = i < images;
    const name = image ? `kuva-${i}.jpg` : `raportti-${i}.pdf`;
    const mime = image ? 'image/jpeg' : 'application/pdf';
    const bytes = image ? Buffer.concat([photos[i % photos.length] as Buffer, randomBytes(32)]) : pdf(pdfBytes);
    mediaBytes += bytes.length;
    const stored = `export_info/files/${fid.slice('portfolio:artefact'.length)}-${name}`;
    await add(bytes, stored, true);
    xml.push(
      `<entry><title>${name}</title><id>${fid}</id><updated>${day(i)}</updated><published>${day(i)}</published><summary>Liite ${i}</summary><content></content>` +
        `<rdf:type rdf:resource="leap2:resource"/><mahara:artefactplugin mahara:type="${image ? 'image' : 'file'}" mahara:plugin="file"/>` +
        `<link rel="enclosure" type="${mime}" href="${stored}"/><category term="Offline" scheme="categories:resource_type#" label="File"/></entry>`,
    );
  }

  const journalIds = Array.from({ length: JOURNALS }, id);
  const postIds = Array.from({ length: posts }, id);
  journalIds.forEach((jid, j) => {
    const parts = postIds.filter((_, p) => p % JOURNALS === j).map((pid) => `<link rel="leap2:has_part" href="${pid}"/>`);
    xml.push(
      `<entry><title>Oppimispäiväkirja ${j + 1}</title><id>${jid}</id><updated>${day(j)}</updated><published>${day(j)}</published>` +
        `<content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p>Kurssin ${j + 1} merkinnät</p></div></content>` +
        `<rdf:type rdf:resource="leap2:selection"/><mahara:artefactplugin mahara:type="blog" mahara:plugin="blog"/>${parts.join('')}` +
        `<category term="Blog" scheme="categories:selection_type#"/></entry>`,
    );
  });
  postIds.forEach((pid, p) => {
    const file = fileIds[p % fileIds.length] ?? '';
    const shown = p % 3 === 0 ? `<p><img rel="leap2:has_part" src="${file}" alt="kuva"/></p>` : '';
    xml.push(
      `<entry><title>Merkintä ${p}</title><id>${pid}</id><updated>${day(p)}</updated><published>${day(p)}</published>` +
        `<content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p>Tänään opin ${esc('<asian>')} numero ${p}.&#160;Hyvä päivä.</p>${shown}</div></content>` +
        `<rdf:type rdf:resource="leap2:entry"/><mahara:artefactplugin mahara:type="blogpost" mahara:plugin="blog"/>` +
        `<link rel="leap2:is_part_of" href="${journalIds[p % JOURNALS] ?? ''}"/>${p % 4 === 0 ? `<link rel="related" href="${file}"/>` : ''}` +
        `<category term="kemia" label="Kemia"/><category term="ryhmatyo" label="Ryhmätyö"/></entry>`,
    );
  });
  for (let c = 0; c < comments; c++) {
    const on = postIds[(c * 7) % postIds.length] ?? '';
    xml.push(
      `<entry><title>Palaute ${c}</title><id>${id()}</id><author><name>Opettaja ${c % 5}</name></author><updated>${day(c)}</updated><published>${day(c)}</published>` +
        `<content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p>Hienoa työtä, mieti vielä kohtaa ${c}.</p></div></content>` +
        `<rdf:type rdf:resource="leap2:entry"/><mahara:artefactplugin mahara:type="comment" mahara:plugin="comment"/>` +
        `<link rel="leap2:reflects_on" href="${on}"/></entry>`,
    );
  }
  xml.push('</feed>');
  await add(Buffer.from(xml.join('\n'), 'utf8'), 'leap2a.xml', false);
  zip.finish();
  await written;
  return { entries: shape.entries, files, images, pdfs, mediaBytes, posts, comments, journals: JOURNALS };
}
