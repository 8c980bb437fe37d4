import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ALLOWED, TEXT_EXTENSIONS, sniff } from '../server/media/sniff.ts';
import en from '../client/src/i18n/en.json' with { type: 'json' };
import fi from '../client/src/i18n/fi.json' with { type: 'json' };
import sv from '../client/src/i18n/sv.json' with { type: 'json' };
import { ACCEPT_ATTRIBUTE, ACCEPTED_MEDIA, acceptedExtensions, acceptedNames } from './media-types.ts';

/** Issue 8, D17: the accepted-types hint lists office documents too, from one list shared with the server. */
const OFFICE = ['.docx', '.xlsx', '.pptx', '.odt', '.ods', '.odp', '.pdf', '.rtf', '.txt', '.csv', '.md'];

describe('the accepted media types', () => {
  it('name the office documents, and the file picker accepts them', () => {
    const documents = ACCEPTED_MEDIA.document.flatMap((f) => f.extensions);
    expect([...documents].sort()).toEqual([...OFFICE].sort());
    for (const ext of OFFICE) expect(ACCEPT_ATTRIBUTE.split(',')).toContain(ext);
    expect(acceptedNames('document')).toMatch(/Word.*Excel.*PowerPoint.*OpenDocument/);
  });

  it("are the server's allow-list: nothing more, nothing less", () => {
    const shared = new Set(acceptedExtensions());
    for (const ext of Object.keys(ALLOWED)) expect(shared, `.${ext} is accepted by the server`).toContain(ext);
    // Plain text has no signature: the sniffer knows it by its name and its bytes (TEXT_EXTENSIONS).
    const known = [...Object.keys(ALLOWED), ...[...TEXT_EXTENSIONS].map((e) => e.slice(1))];
    for (const ext of ACCEPTED_MEDIA.document.flatMap((f) => f.extensions)) expect(known).toContain(ext.slice(1));
    for (const ext of TEXT_EXTENSIONS) expect(shared).toContain(ext.slice(1));
  });

  it.each([
    ['fi', fi],
    ['sv', sv],
    ['en', en],
  ] as const)('are listed in the %s hint, documents included', (_lng, messages) => {
    const text = messages.media.accepted;
    for (const name of ['images', 'audio', 'video', 'documents']) expect(text).toContain(`{{${name}}}`);
  });

  it("name the office documents in the server's refusal", async () => {
    const file = path.join(import.meta.dirname, 'media-types.test.ts');
    expect((await readFile(file)).length).toBeGreaterThan(0);
    const refusal = await sniff(file, 'notes.exe').then(
      () => 'accepted',
      (err: Error) => err.message,
    );
    expect(refusal).toContain('Cannot upload "notes.exe"');
    for (const name of ACCEPTED_MEDIA.document.map((f) => f.name)) expect(refusal).toContain(name);
  });
});
