/** What the tests upload to /api/artefacts: the multipart body and a sound made without any tool. */

/** The artefact create/update form: the JSON fields in `data`, each file in `files`. */
export function artefactForm(fields: Record<string, unknown>, files: Array<{ name: string; type: string; bytes: Buffer }> = []): FormData {
  const data = new FormData();
  data.append('data', JSON.stringify(fields));
  for (const file of files) data.append('files', new Blob([new Uint8Array(file.bytes)], { type: file.type }), file.name);
  return data;
}

/** A short mono 16-bit WAV tone (440 Hz). */
export function wavTone(seconds = 0.5, rate = 8000): Buffer {
  const samples = Math.floor(seconds * rate);
  const data = Buffer.alloc(samples * 2);
  for (let i = 0; i < samples; i++) data.writeInt16LE(Math.round(Math.sin((2 * Math.PI * 440 * i) / rate) * 8000), i * 2);
  const header = Buffer.alloc(44);
  header.write('RIFF', 0);
  header.writeUInt32LE(36 + data.length, 4);
  header.write('WAVEfmt ', 8);
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(1, 22);
  header.writeUInt32LE(rate, 24);
  header.writeUInt32LE(rate * 2, 28);
  header.writeUInt16LE(2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36);
  header.writeUInt32LE(data.length, 40);
  return Buffer.concat([header, data]);
}
