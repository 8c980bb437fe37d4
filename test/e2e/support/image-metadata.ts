/**
 * What metadata an image file carries, read from its container structure (not by trusting any
 * code under test): JPEG APPn segments, PNG chunks, WebP RIFF chunks.
 */
export interface ImageMetadata {
  format: 'jpeg' | 'png' | 'webp' | 'gif' | 'unknown';
  /** Names of the metadata blocks found, e.g. `APP1:Exif`, `APP1:XMP`, `eXIf`, `EXIF`, `XMP `. */
  blocks: string[];
  /** The EXIF header `Exif\0\0` anywhere in the bytes. */
  exifMarker: boolean;
  /** "GPS" inside any metadata block (EXIF GPS tags are binary; XMP spells `GPSLatitude`). */
  gpsInMetadata: boolean;
}

const EXIF_HEADER = Buffer.from('Exif\0\0', 'latin1');
const GPS = Buffer.from('GPS', 'latin1');

export function imageMetadata(bytes: Buffer): ImageMetadata {
  const blocks: Array<{ name: string; data: Buffer }> = [];
  let format: ImageMetadata['format'] = 'unknown';
  if (bytes[0] === 0xff && bytes[1] === 0xd8) {
    format = 'jpeg';
    blocks.push(...jpegSegments(bytes));
  } else if (bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) {
    format = 'png';
    blocks.push(...pngChunks(bytes));
  } else if (bytes.toString('latin1', 0, 4) === 'RIFF' && bytes.toString('latin1', 8, 12) === 'WEBP') {
    format = 'webp';
    blocks.push(...webpChunks(bytes));
  } else if (bytes.toString('latin1', 0, 3) === 'GIF') {
    format = 'gif';
  }
  return {
    format,
    blocks: blocks.map((b) => b.name),
    exifMarker: bytes.includes(EXIF_HEADER),
    gpsInMetadata: blocks.some((b) => b.data.includes(GPS)),
  };
}

/** APP1 (EXIF, XMP), APP13 (IPTC) … up to the start of the image data. */
function jpegSegments(bytes: Buffer): Array<{ name: string; data: Buffer }> {
  const out: Array<{ name: string; data: Buffer }> = [];
  let i = 2;
  while (i + 4 <= bytes.length && bytes[i] === 0xff) {
    const marker = bytes[i + 1] ?? 0;
    if (marker === 0xda || marker === 0xd9) break; // start of scan / end of image
    const length = bytes.readUInt16BE(i + 2);
    const data = bytes.subarray(i + 4, i + 2 + length);
    if (marker >= 0xe1 && marker <= 0xef) {
      const id =
        data.toString('latin1', 0, 4) === 'Exif'
          ? 'Exif'
          : data.toString('latin1', 0, 28).includes('adobe')
            ? 'XMP'
            : data.toString('latin1', 0, 12).replace(/\0.*$/s, '');
      out.push({ name: `APP${marker - 0xe0}:${id}`, data });
    }
    i += 2 + length;
  }
  return out;
}

const PNG_METADATA = new Set(['eXIf', 'iTXt', 'tEXt', 'zTXt']);
function pngChunks(bytes: Buffer): Array<{ name: string; data: Buffer }> {
  const out: Array<{ name: string; data: Buffer }> = [];
  let i = 8;
  while (i + 8 <= bytes.length) {
    const length = bytes.readUInt32BE(i);
    const type = bytes.toString('latin1', i + 4, i + 8);
    if (PNG_METADATA.has(type)) out.push({ name: type, data: bytes.subarray(i + 8, i + 8 + length) });
    i += 12 + length;
  }
  return out;
}

function webpChunks(bytes: Buffer): Array<{ name: string; data: Buffer }> {
  const out: Array<{ name: string; data: Buffer }> = [];
  let i = 12;
  while (i + 8 <= bytes.length) {
    const type = bytes.toString('latin1', i, i + 4);
    const length = bytes.readUInt32LE(i + 4);
    if (type === 'EXIF' || type === 'XMP ') out.push({ name: type, data: bytes.subarray(i + 8, i + 8 + length) });
    i += 8 + length + (length % 2);
  }
  return out;
}
