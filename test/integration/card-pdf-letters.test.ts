import { decodePDFRawStream, PDFArray, PDFDict, PDFDocument, PDFName, type PDFRawStream, type PDFRef } from 'pdf-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMember, makeGroup, makeSchool, makeUser } from '../helpers/factories.ts';
import { startTestApp, type TestApp } from '../helpers/test-app.ts';

/** Issue 11 §3: a card's PDF prints every pupil's name as it is written, Sámi letters included. */
let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(async () => app?.close());

/**
 * The text a PDF page shows, read as a PDF reader reads it: each text-showing operator's glyph codes
 * through its font's ToUnicode map (pdf-lib writes embedded fonts' text as hex glyph ids, standard
 * fonts' as literal strings).
 */
async function pageText(bytes: Uint8Array): Promise<string> {
  const doc = await PDFDocument.load(bytes);
  const page = doc.getPages()[0];
  if (!page) throw new Error('no page');
  const stream = (obj: unknown) => new TextDecoder('latin1').decode(decodePDFRawStream(obj as PDFRawStream).decode());
  const fonts = page.node.Resources()?.lookup(PDFName.of('Font'), PDFDict);
  // Per font: its ToUnicode map, or null for a standard font (one byte a letter, in WinAnsi).
  const maps = new Map<string, Map<number, string> | null>();
  for (const [name, ref] of fonts?.entries() ?? []) {
    const font = doc.context.lookup(ref as PDFRef, PDFDict);
    const toUnicode = font.lookup(PDFName.of('ToUnicode'));
    if (!toUnicode) {
      maps.set(name.asString(), null);
      continue;
    }
    const map = new Map<number, string>();
    for (const [, gid, hex] of stream(toUnicode).matchAll(/<([0-9a-f]+)> <([0-9a-f]+)>/gi)) {
      const units = (hex ?? '').match(/.{4}/g)?.map((u) => parseInt(u, 16)) ?? [];
      map.set(parseInt(gid ?? '', 16), String.fromCharCode(...units));
    }
    maps.set(name.asString(), map);
  }
  const contents = page.node.Contents();
  const parts = contents instanceof PDFArray ? contents.asArray().map((r) => doc.context.lookup(r)) : [contents];
  let text = '';
  let current: Map<number, string> | null = null;
  const winAnsi = new TextDecoder('windows-1252');
  for (const part of parts) {
    for (const op of stream(part).matchAll(/(\/\S+) [\d.]+ Tf|<([0-9a-fA-F]*)> Tj|\((.*?)\) Tj/g)) {
      if (op[1]) current = maps.has(op[1]) ? (maps.get(op[1]) ?? null) : new Map<number, string>();
      else if (op[2] !== undefined && current === null) text += `${winAnsi.decode(Uint8Array.from(op[2].match(/.{2}/g) ?? [], (b) => parseInt(b, 16)))}\n`;
      else if (op[2] !== undefined) text += `${(op[2].match(/.{4}/g) ?? []).map((g) => current?.get(parseInt(g, 16)) ?? '\uFFFD').join('')}\n`;
      else text += `${op[3] ?? ''}\n`;
    }
  }
  return text;
}

describe('sign-in card PDF', () => {
  it('prints Sámi letters (Á Ŋ Č Đ Š Ž Ŧ) in names and the school name, not question marks', async () => {
    const db = app.database.db;
    const school = await makeSchool(db, 'Ohcejoga skuvla Čáhcegeađgi');
    const group = await makeGroup(db, school.id);
    const teacher = await makeUser(db, { role: 'teacher', schoolId: school.id });
    const names = ['Áilu Ŋ Čč Đđ Šš Žž Ŧŧ', 'Máret Ánde-Ŋánnja'];
    for (const displayName of names) {
      const pupil = await makeUser(db, { role: 'pupil', schoolId: school.id, displayName });
      await addMember(db, group.id, pupil.id, 'pupil');
    }
    await addMember(db, group.id, teacher.id, 'teacher');
    const client = await app.as(teacher.username);
    const res = await fetch(`${app.url}/api/groups/${group.id}/sign-in-cards`, {
      method: 'POST',
      headers: { cookie: client.cookieHeader, 'content-type': 'application/json' },
      body: JSON.stringify({ format: 'pdf' }),
    });
    expect(res.status).toBe(201);
    expect(res.headers.get('content-type')).toBe('application/pdf');
    const text = await pageText(new Uint8Array(await res.arrayBuffer()));
    for (const name of names) expect(text).toContain(name);
    expect(text).toContain('Ohcejoga skuvla Čáhcegeađgi');
    expect(text).not.toContain('?');
    expect(text).not.toContain('\uFFFD');
  });
});
