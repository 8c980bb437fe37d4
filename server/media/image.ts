import path from 'node:path';
import sharp, { type Metadata, type Sharp } from 'sharp';
import { BadRequest, HttpError, PayloadTooLarge } from '../http/errors.ts';
import { type ImageFormat, UnsupportedMediaType } from './sniff.ts';

// The only module that imports sharp (STYLE.md). Defence in depth for untrusted input: every libvips
// loader is blocked except the file loaders of the formats we accept, so bytes that slip past sniffing
// never reach librsvg (SVG), TIFF, FITS, matrix/CSV or the raw .v loader. It is process-wide, which is
// right exactly because nothing else uses sharp.
sharp.block({ operation: ['VipsForeignLoad'] });
sharp.unblock({
  operation: ['VipsForeignLoadJpegFile', 'VipsForeignLoadPngFile', 'VipsForeignLoadWebpFile', 'VipsForeignLoadNsgifFile', 'VipsForeignLoadHeifFile'],
});

export const DISPLAY_MAX_PX = 1600;
export const THUMB_MAX_PX = 400;
/** sharp's default `limitInputPixels` (0x3FFF²). We keep the default; this copy only words the 413. */
const DEFAULT_PIXEL_LIMIT = 0x3fff * 0x3fff;

export interface ImageFile {
  path: string;
  mime: string;
  size: number;
}

export interface ImageResult {
  /** Dimensions after EXIF rotation (one frame, for animations). */
  width: number;
  height: number;
  /** Full size, metadata-free, same format family as the input; absent when not asked for. */
  original?: ImageFile;
  display: ImageFile;
  thumb: ImageFile;
}

export interface ImageOptions {
  /** Write a full-size copy too (uploads: yes; video posters: no, the display size is the poster). */
  keepOriginal: boolean;
  /** File-name prefix inside `outDir`, so several results can share a folder. */
  prefix?: string;
}

/** sharp's name for each accepted format (AVIF is HEIF with AV1 inside). */
const SHARP_FORMAT: Record<ImageFormat, { format: string; compression?: string }> = {
  jpeg: { format: 'jpeg' },
  png: { format: 'png' },
  webp: { format: 'webp' },
  gif: { format: 'gif' },
  avif: { format: 'heif', compression: 'av1' },
};

const ORIGINAL_ENCODING: Record<ImageFormat, { ext: string; mime: string; encode: (s: Sharp) => Sharp }> = {
  jpeg: { ext: 'jpg', mime: 'image/jpeg', encode: (s) => s.jpeg({ quality: 90 }) },
  png: { ext: 'png', mime: 'image/png', encode: (s) => s.png() },
  webp: { ext: 'webp', mime: 'image/webp', encode: (s) => s.webp({ quality: 90 }) },
  // GIF stays GIF so that animations survive.
  gif: { ext: 'gif', mime: 'image/gif', encode: (s) => s.gif() },
  avif: { ext: 'avif', mime: 'image/avif', encode: (s) => s.avif({ quality: 70 }) },
};

/**
 * Decodes an uploaded image once, applies its EXIF orientation, and writes the variants from that one
 * pipeline. sharp writes no EXIF, XMP, IPTC or ICC unless `keepMetadata`/`withMetadata`/`keepExif` …
 * is called (none is, anywhere), and converts to sRGB, so every variant is metadata-free.
 */
export async function processImage(input: string, format: ImageFormat, outDir: string, options: ImageOptions): Promise<ImageResult> {
  try {
    // failOn 'error': truncated or corrupt data is refused, harmless warnings (common in phone JPEGs) are not.
    // limitInputPixels is deliberately left at sharp's default for untrusted input.
    const animated = format === 'gif' || format === 'webp';
    const source = sharp(input, { failOn: 'error', animated });
    const meta = await source.metadata();
    checkFormat(meta, format);
    const decoded = source.rotate();
    const prefix = options.prefix ?? '';
    const original = ORIGINAL_ENCODING[format];
    const jobs: Array<Promise<ImageFile>> = [
      write(resized(decoded, DISPLAY_MAX_PX).webp({ quality: 82 }), path.join(outDir, `${prefix}display.webp`), 'image/webp'),
      write(resized(decoded, THUMB_MAX_PX).webp({ quality: 75 }), path.join(outDir, `${prefix}thumb.webp`), 'image/webp'),
    ];
    if (options.keepOriginal) {
      jobs.push(write(original.encode(decoded.clone()), path.join(outDir, `${prefix}original.${original.ext}`), original.mime));
    }
    // allSettled: on failure no encoder may still be writing when the caller removes the folder.
    const results = await Promise.allSettled(jobs);
    const failed = results.find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
    const [display, thumb, full] = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    if (!display || !thumb) throw new Error('sharp produced no output');
    return { ...orientedSize(meta), ...(full ? { original: full } : {}), display, thumb };
  } catch (err) {
    throw asUploadError(err);
  }
}

/**
 * For imports that want to keep a file byte for byte (a Polku archive's own, already cleaned
 * original): true when the image still carries EXIF, XMP or IPTC and must go through processImage.
 * Refuses, like processImage, a file that libvips reads as another format than the sniffer saw.
 */
export async function imageCarriesMetadata(input: string, format: ImageFormat): Promise<boolean> {
  try {
    const meta = await sharp(input, { failOn: 'error' }).metadata();
    checkFormat(meta, format);
    return Boolean(meta.exif ?? meta.xmp ?? meta.iptc);
  } catch (err) {
    throw asUploadError(err);
  }
}

function resized(decoded: Sharp, max: number): Sharp {
  return decoded.clone().resize({ width: max, height: max, fit: 'inside', withoutEnlargement: true });
}

async function write(pipeline: Sharp, file: string, mime: string): Promise<ImageFile> {
  const info = await pipeline.toFile(file);
  return { path: file, mime, size: info.size };
}

/** Guards against polyglots: libvips must see the same format the sniffer accepted. */
function checkFormat(meta: Metadata, format: ImageFormat): void {
  const expected = SHARP_FORMAT[format];
  if (meta.format === expected.format && (!expected.compression || meta.compression === expected.compression)) return;
  throw new UnsupportedMediaType(`The image could not be read as ${format.toUpperCase()}.`);
}

/** EXIF orientations 5–8 turn the picture by 90°, so width and height trade places. */
function orientedSize(meta: Metadata): { width: number; height: number } {
  const height = meta.pageHeight ?? meta.height;
  return (meta.orientation ?? 1) >= 5 ? { width: height, height: meta.width } : { width: meta.width, height };
}

/**
 * libvips reports bad input as plain errors; Node's own file-system errors (disk full, permissions)
 * carry a `code` and are our problem, not the uploader's, so they pass through as 500s.
 */
function asUploadError(err: unknown): unknown {
  if (err instanceof HttpError) return err;
  if (err instanceof Error && 'code' in err) return err;
  // sharp checks the limit already when reading the header (metadata()), before any pixel is decoded.
  // Its errors have no code, so this one is recognised by its (long-stable) message.
  if (err instanceof Error && err.message.includes('exceeds pixel limit')) {
    return new PayloadTooLarge(`The image has too many pixels: the limit is ${Math.floor(DEFAULT_PIXEL_LIMIT / 1e6)} megapixels.`);
  }
  return new BadRequest('The image could not be read: it may be damaged or incomplete.');
}

/** A photo-like JPEG (sky, ground, coloured shapes) for the demo portfolio; no decoder is involved. */
export async function drawPicture(file: string, sky: string, ground: string, spots: readonly string[]): Promise<void> {
  const width = 1600;
  const height = 1200;
  await sharp({ create: { width, height, channels: 3, background: sky } })
    .composite([
      { input: { create: { width, height: height / 2, channels: 3, background: ground } }, top: height / 2, left: 0 },
      ...spots.map((colour, i) => ({
        input: { create: { width: 180, height: 180, channels: 3 as const, background: colour } },
        top: 420 + (i % 2) * 160,
        left: 200 + i * 300,
      })),
    ])
    .jpeg({ quality: 85 })
    .toFile(file);
}
