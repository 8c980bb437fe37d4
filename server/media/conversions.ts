import { createReadStream, createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { AvInfo } from './av.ts';
import type { TextEncoding } from './sniff.ts';

// What the pipeline changes besides metadata: which recordings are converted, text re-encoded to
// UTF-8, and the name a converted file gets.

/**
 * Codecs every current browser plays in each container we keep (Safari included: no Ogg video,
 * no Matroska, no HEVC outside Apple). Anything else is transcoded; 3GP, Matroska, AMR, Ogg video
 * and FLAC are not listed and always are.
 */
const PLAYABLE: Readonly<Record<string, { video: readonly string[]; audio: readonly string[] }>> = {
  mp4: { video: ['h264', 'av1'], audio: ['aac', 'mp3'] },
  mov: { video: ['h264'], audio: ['aac', 'mp3'] },
  webm: { video: ['vp8', 'vp9', 'av1'], audio: ['opus', 'vorbis'] },
  m4a: { video: [], audio: ['aac'] },
  aac: { video: [], audio: ['aac'] },
  mp3: { video: [], audio: ['mp3'] },
  ogg: { video: [], audio: ['vorbis', 'opus'] },
  opus: { video: [], audio: ['opus'] },
  wav: { video: [], audio: ['pcm_s16le', 'pcm_u8', 'pcm_s24le', 'pcm_f32le'] },
};

export function playsInBrowsers(container: string, info: AvInfo): boolean {
  const playable = PLAYABLE[container];
  if (!playable) return false;
  if (info.videoCodec && !playable.video.includes(info.videoCodec)) return false;
  return !info.audioCodec || playable.audio.includes(info.audioCodec);
}

/** Single-byte text becomes UTF-8, so that every stored text file is served with one charset. */
export async function toUtf8(input: string, encoding: TextEncoding, workDir: string): Promise<{ path: string; size: number }> {
  const output = path.join(workDir, 'original.txt');
  const decoder = new TextDecoder(encoding);
  await pipeline(
    createReadStream(input),
    new Transform({
      transform(chunk: Buffer, _enc, done) {
        done(null, Buffer.from(decoder.decode(chunk, { stream: true }), 'utf8'));
      },
      flush(done) {
        done(null, Buffer.from(decoder.decode(), 'utf8'));
      },
    }),
    createWriteStream(output, { flags: 'wx', mode: 0o600 }),
  );
  return { path: output, size: (await stat(output)).size };
}

/** A converted file's name with the extension of what it now is: "VID_0001.3gp" → "VID_0001.mp4". */
export function withExtension(name: string | null, ext: string | undefined): string | null {
  if (!name || !ext) return name;
  const dot = name.lastIndexOf('.');
  return `${dot > 0 ? name.slice(0, dot) : name}.${ext}`;
}
