import { spawn } from 'node:child_process';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';

// The only module that runs ffmpeg or ffprobe. Always spawn with argument arrays (no shell), with the
// demuxer forced to the container the sniffer accepted and only the `file` protocol allowed: ffmpeg
// otherwise probes formats itself, and playlist-like formats (HLS, concat) can open other files or URLs.

/** ffmpeg or ffprobe is not installed or not executable at the configured path. */
export class ToolUnavailable extends Error {
  constructor(readonly tool: string) {
    super(`${tool} cannot be run`);
    this.name = 'ToolUnavailable';
  }
}

/** ffmpeg or ffprobe ran longer than allowed and was killed. */
export class ToolTimeout extends Error {
  constructor(
    readonly tool: string,
    readonly timeoutMs: number,
  ) {
    super(`${tool} took longer than ${timeoutMs / 1000} s`);
    this.name = 'ToolTimeout';
  }
}

/** ffmpeg could run but refused the input: the upload is damaged or not what it claims to be. */
export class MediaUnreadable extends Error {
  constructor(readonly stderr: string) {
    super(`ffmpeg could not read the input: ${stderr.trim().split('\n').slice(-3).join(' | ')}`);
    this.name = 'MediaUnreadable';
  }
}

/** Per accepted container: the demuxer that must read it and the muxer that writes it back. */
const CONTAINERS: Readonly<Record<string, { demuxer: string; muxer: string }>> = {
  mp3: { demuxer: 'mp3', muxer: 'mp3' },
  m4a: { demuxer: 'mov', muxer: 'ipod' },
  aac: { demuxer: 'aac', muxer: 'adts' },
  ogg: { demuxer: 'ogg', muxer: 'ogg' },
  opus: { demuxer: 'ogg', muxer: 'opus' },
  wav: { demuxer: 'wav', muxer: 'wav' },
  webm: { demuxer: 'matroska', muxer: 'webm' },
  mp4: { demuxer: 'mov', muxer: 'mp4' },
  mov: { demuxer: 'mov', muxer: 'mov' },
  // Read only, never written: these are always transcoded (see transcode and pipeline.ts).
  '3gp': { demuxer: 'mov', muxer: 'mp4' },
  mkv: { demuxer: 'matroska', muxer: 'matroska' },
  amr: { demuxer: 'amr', muxer: 'amr' },
  ogv: { demuxer: 'ogg', muxer: 'ogg' },
  flac: { demuxer: 'flac', muxer: 'flac' },
};

export interface AvInfo {
  durationMs: number | null;
  /** A real video stream; cover art in audio files (attached pictures) does not count. */
  hasVideo: boolean;
  /** At least one audio stream. */
  hasAudio: boolean;
  /** As displayed, i.e. after the rotation phones record in the display matrix. */
  width: number | null;
  height: number | null;
  /** ffprobe's codec names of the first real video and audio stream (null when absent). */
  videoCodec: string | null;
  audioCodec: string | null;
}

const probeSchema = z.object({
  format: z.object({ duration: z.string().optional() }).optional(),
  streams: z
    .array(
      z.object({
        codec_type: z.string().optional(),
        codec_name: z.string().optional(),
        width: z.number().optional(),
        height: z.number().optional(),
        disposition: z.object({ attached_pic: z.number().optional() }).optional(),
        side_data_list: z.array(z.object({ rotation: z.number().optional() })).optional(),
        tags: z.object({ rotate: z.string().optional() }).optional(),
      }),
    )
    .default([]),
});

export async function probe(ffmpegPath: string, input: string, container: string): Promise<AvInfo> {
  const args = ['-v', 'error', ...inputArgs(input, container), '-print_format', 'json', '-show_format', '-show_streams'];
  const result = await run(ffprobePathFor(ffmpegPath), args, 60_000);
  if (result.code !== 0) throw new MediaUnreadable(result.stderr);
  const parsed = probeSchema.safeParse(JSON.parse(result.stdout || '{}'));
  if (!parsed.success) throw new MediaUnreadable('unexpected ffprobe output');
  const video = parsed.data.streams.find((s) => s.codec_type === 'video' && s.disposition?.attached_pic !== 1);
  const seconds = Number(parsed.data.format?.duration);
  const rotation = video?.side_data_list?.find((d) => d.rotation !== undefined)?.rotation ?? Number(video?.tags?.rotate ?? 0);
  const sideways = Math.abs(rotation) % 180 === 90;
  const width = video?.width ?? null;
  const height = video?.height ?? null;
  return {
    durationMs: Number.isFinite(seconds) && seconds >= 0 ? Math.round(seconds * 1000) : null,
    hasVideo: video !== undefined,
    hasAudio: parsed.data.streams.some((s) => s.codec_type === 'audio'),
    videoCodec: video?.codec_name ?? null,
    audioCodec: parsed.data.streams.find((s) => s.codec_type === 'audio')?.codec_name ?? null,
    width: sideways ? height : width,
    height: sideways ? width : height,
  };
}

/**
 * Rewrites the container without re-encoding and without any metadata: no global or stream tags
 * (GPS `location`, Apple's `com.apple.quicktime.location.ISO6709`, device names), no chapters, and no
 * data streams or attachments (iPhones record location in timed-metadata tracks; cover art can carry
 * EXIF). Only real video, audio and subtitle streams are kept. The display matrix (rotation) is not a
 * tag and survives, so portrait phone videos still play upright.
 */
export async function remuxWithoutMetadata(ffmpegPath: string, input: string, container: string, output: string, kind: 'audio' | 'video'): Promise<void> {
  const { muxer } = containerOf(container);
  const maps = kind === 'video' ? ['-map', '0:V?', '-map', '0:a?', '-map', '0:s?'] : ['-map', '0:a'];
  const args = [
    '-nostdin',
    '-v',
    'error',
    ...inputArgs(input, container),
    ...maps,
    '-map_metadata',
    '-1',
    '-map_chapters',
    '-1',
    '-c',
    'copy',
    // bitexact: no "Lavf…" encoder tag, no timestamps of our own.
    '-fflags',
    '+bitexact',
    // faststart puts the index first so playback can begin before the whole file is fetched.
    ...(['mp4', 'mov', 'ipod'].includes(muxer) ? ['-movflags', '+faststart'] : []),
    '-f',
    muxer,
    '-n',
    fileUrl(output),
  ];
  const result = await run(ffmpegPath, args, 30 * 60_000);
  if (result.code !== 0) throw new MediaUnreadable(result.stderr);
}

/** What a transcode writes: H.264/AAC in MP4 for video, AAC in M4A for audio, both playable in every browser. */
export const TRANSCODED = {
  video: { ext: 'mp4', mime: 'video/mp4' },
  audio: { ext: 'm4a', mime: 'audio/mp4' },
} as const;

/** Longest side of a transcoded video: phone 4K becomes 1080p, which is plenty for a portfolio and far cheaper to encode. */
const TRANSCODE_MAX_SIDE = 1920;

/**
 * Re-encodes a recording browsers cannot play (AMR, HEVC, MPEG-4 part 2, Theora …) into H.264/AAC
 * MP4 or AAC M4A, without metadata, as remuxWithoutMetadata does. CPU-heavy: at most one transcode
 * runs at a time in this process (the rest wait their turn), each with two encoder threads, and
 * one that takes longer than `timeoutMs` is killed (its partial output is the caller's temp file).
 * The encoder stops after `maxSeconds` of output whatever the container claims: the duration ffprobe
 * reads is the sender's word (a FLAC header saying 1 s over hours of sound), so the caller must check
 * the output's length, not only the probed one.
 */
export const DEFAULT_MAX_WAITING_TRANSCODES = 4;

export async function transcode(
  ffmpegPath: string,
  input: string,
  container: string,
  output: string,
  kind: 'audio' | 'video',
  timeoutMs: number,
  maxSeconds: number,
  maxWaiting = DEFAULT_MAX_WAITING_TRANSCODES,
): Promise<void> {
  const video = [
    '-map',
    '0:V:0',
    '-map',
    '0:a:0?',
    '-c:v',
    'libx264',
    '-preset',
    'veryfast',
    '-crf',
    '26',
    '-pix_fmt',
    'yuv420p',
    // Within the cap, even sides (yuv420p needs them), never enlarged.
    '-vf',
    `scale='if(gte(iw,ih),min(iw,${TRANSCODE_MAX_SIDE}),-2)':'if(gte(iw,ih),-2,min(ih,${TRANSCODE_MAX_SIDE}))',scale=trunc(iw/2)*2:trunc(ih/2)*2`,
  ];
  const args = [
    '-nostdin',
    '-v',
    'error',
    ...inputArgs(input, container),
    ...(kind === 'video' ? video : ['-map', '0:a:0', '-vn']),
    // A second past the cap: the caller then sees an output over it and refuses the file.
    '-t',
    String(maxSeconds + 1),
    '-c:a',
    'aac',
    '-b:a',
    '128k',
    '-ac',
    '2',
    '-threads',
    '2',
    '-map_metadata',
    '-1',
    '-map_chapters',
    '-1',
    '-fflags',
    '+bitexact',
    '-flags:v',
    '+bitexact',
    '-flags:a',
    '+bitexact',
    '-movflags',
    '+faststart',
    '-f',
    kind === 'video' ? 'mp4' : 'ipod',
    '-n',
    fileUrl(output),
  ];
  const result = await transcodeSlot.run(() => run(ffmpegPath, args, timeoutMs), maxWaiting);
  if (result.code !== 0) throw new MediaUnreadable(result.stderr);
}

/** Thrown at once, instead of waiting, when enough transcodes already wait for the slot. */
export class TranscodeQueueFull extends Error {
  constructor(readonly waiting: number) {
    super(`${waiting} transcodes are already waiting`);
    this.name = 'TranscodeQueueFull';
  }
}

/**
 * A queue of one: transcodes wait for each other so that uploads cannot take every core at once.
 * The queue is bounded: each waiting upload holds a request and its file on disk, and one long
 * recording can keep the slot for many minutes, so past `maxWaiting` a transcode is refused at once.
 */
class Slot {
  private tail: Promise<unknown> = Promise.resolve();
  /** Running and waiting jobs. */
  private pending = 0;

  run<T>(job: () => Promise<T>, maxWaiting: number): Promise<T> {
    if (this.pending > maxWaiting) return Promise.reject(new TranscodeQueueFull(this.pending - 1));
    this.pending += 1;
    const done = () => {
      this.pending -= 1;
    };
    const result = this.tail.then(job, job);
    void result.then(done, done);
    this.tail = result.catch(() => undefined);
    return result;
  }
}

const transcodeSlot = new Slot();

/** One decoded frame as PNG (ffmpeg applies the rotation). False when no frame could be taken. */
export async function extractFrame(ffmpegPath: string, input: string, container: string, output: string, atSeconds: number): Promise<boolean> {
  const args = [
    '-nostdin',
    '-v',
    'error',
    '-ss',
    atSeconds.toFixed(3),
    ...inputArgs(input, container),
    '-map',
    '0:V:0',
    '-frames:v',
    '1',
    '-map_metadata',
    '-1',
    '-c:v',
    'png',
    '-f',
    'image2',
    '-y',
    fileUrl(output),
  ];
  const result = await run(ffmpegPath, args, 120_000);
  if (result.code !== 0) return false;
  const size = await stat(output).then(
    (s) => s.size,
    () => 0,
  );
  return size > 0;
}

function containerOf(container: string): { demuxer: string; muxer: string } {
  const found = CONTAINERS[container];
  if (!found) throw new Error(`No ffmpeg container for ${container}`);
  return found;
}

function inputArgs(input: string, container: string): string[] {
  // Fixed probing limits (ffmpeg's defaults, stated so that a change of default cannot widen them).
  return ['-protocol_whitelist', 'file', '-probesize', '5000000', '-analyzeduration', '5000000', '-f', containerOf(container).demuxer, '-i', fileUrl(input)];
}

/** Whether ffmpeg and ffprobe can be run at all (checked at start, to warn the operator). */
export async function toolsAvailable(ffmpegPath: string): Promise<boolean> {
  try {
    const [ffmpeg, ffprobe] = await Promise.all([run(ffmpegPath, ['-version'], 10_000), run(ffprobePathFor(ffmpegPath), ['-version'], 10_000)]);
    return ffmpeg.code === 0 && ffprobe.code === 0;
  } catch {
    return false;
  }
}

/** `file:` stops ffmpeg from reading a protocol (or an option) out of the path. */
function fileUrl(file: string): string {
  return `file:${path.resolve(file)}`;
}

/** ffprobe sits beside ffmpeg: `/opt/ff/bin/ffmpeg` → `/opt/ff/bin/ffprobe`, `ffmpeg` → `ffprobe` (PATH). */
export function ffprobePathFor(ffmpegPath: string): string {
  const base = path.basename(ffmpegPath);
  const probeName = /ffmpeg/i.test(base) ? base.replace(/ffmpeg/i, 'ffprobe') : 'ffprobe';
  if (base === ffmpegPath) return probeName;
  return path.join(path.dirname(ffmpegPath), probeName);
}

interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

const MAX_STDOUT = 4 * 1024 * 1024;
const STDERR_TAIL = 8 * 1024;

function run(command: string, args: string[], timeoutMs: number): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const stdout: Buffer[] = [];
    let stdoutBytes = 0;
    let stderr = '';
    let settled = false;
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      fn();
    };
    // A stuck or hostile input must not hold a request (and a process) forever.
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      finish(() => reject(new ToolTimeout(path.basename(command), timeoutMs)));
    }, timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => {
      stdoutBytes += chunk.length;
      if (stdoutBytes > MAX_STDOUT) {
        child.kill('SIGKILL');
        finish(() => reject(new Error(`${path.basename(command)} wrote more output than expected`)));
        return;
      }
      stdout.push(chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString('utf8')).slice(-STDERR_TAIL);
    });
    child.on('error', (err: NodeJS.ErrnoException) => {
      const missing = err.code === 'ENOENT' || err.code === 'EACCES';
      finish(() => reject(missing ? new ToolUnavailable(path.basename(command)) : err));
    });
    child.on('close', (code) => finish(() => resolve({ code, stdout: Buffer.concat(stdout).toString('utf8'), stderr })));
  });
}
