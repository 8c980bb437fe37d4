/**
 * What an upload may be (recordings browsers cannot play, such as 3GP, MKV, AMR or HEVC, are
 * accepted and converted to MP4 or M4A on the server), one list for both sides: the client's file picker (its `accept` attribute
 * and the hint under it) and the server's refusal message. The server still decides from the bytes
 * (server/media/sniff.ts); a test keeps its allow-list and this one the same.
 */
export type AcceptedKind = 'image' | 'audio' | 'video' | 'document';

export interface AcceptedFormat {
  /** How people know it, as shown in the hint and in error messages. */
  readonly name: string;
  /** File name extensions, with the dot. */
  readonly extensions: readonly string[];
  readonly mime: string;
}

export const ACCEPTED_MEDIA: Readonly<Record<AcceptedKind, readonly AcceptedFormat[]>> = {
  image: [
    { name: 'JPEG', extensions: ['.jpg', '.jpeg'], mime: 'image/jpeg' },
    { name: 'PNG', extensions: ['.png'], mime: 'image/png' },
    { name: 'WebP', extensions: ['.webp'], mime: 'image/webp' },
    { name: 'GIF', extensions: ['.gif'], mime: 'image/gif' },
    { name: 'AVIF', extensions: ['.avif'], mime: 'image/avif' },
  ],
  audio: [
    { name: 'MP3', extensions: ['.mp3'], mime: 'audio/mpeg' },
    { name: 'M4A/AAC', extensions: ['.m4a', '.aac'], mime: 'audio/mp4' },
    { name: 'Ogg/Opus', extensions: ['.ogg', '.oga', '.opus'], mime: 'audio/ogg' },
    { name: 'WAV', extensions: ['.wav'], mime: 'audio/wav' },
    { name: 'WebM', extensions: ['.weba'], mime: 'audio/webm' },
    { name: 'AMR', extensions: ['.amr'], mime: 'audio/amr' },
    { name: 'FLAC', extensions: ['.flac'], mime: 'audio/flac' },
  ],
  video: [
    { name: 'MP4', extensions: ['.mp4', '.m4v'], mime: 'video/mp4' },
    { name: 'WebM', extensions: ['.webm'], mime: 'video/webm' },
    { name: 'MOV', extensions: ['.mov'], mime: 'video/quicktime' },
    { name: '3GP', extensions: ['.3gp', '.3g2'], mime: 'video/3gpp' },
    { name: 'MKV', extensions: ['.mkv'], mime: 'video/x-matroska' },
    { name: 'Ogg video', extensions: ['.ogv'], mime: 'video/ogg' },
  ],
  document: [
    { name: 'PDF', extensions: ['.pdf'], mime: 'application/pdf' },
    { name: 'Word (.docx)', extensions: ['.docx'], mime: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document' },
    { name: 'Excel (.xlsx)', extensions: ['.xlsx'], mime: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' },
    { name: 'PowerPoint (.pptx)', extensions: ['.pptx'], mime: 'application/vnd.openxmlformats-officedocument.presentationml.presentation' },
    { name: 'OpenDocument text (.odt)', extensions: ['.odt'], mime: 'application/vnd.oasis.opendocument.text' },
    { name: 'OpenDocument spreadsheet (.ods)', extensions: ['.ods'], mime: 'application/vnd.oasis.opendocument.spreadsheet' },
    { name: 'OpenDocument presentation (.odp)', extensions: ['.odp'], mime: 'application/vnd.oasis.opendocument.presentation' },
    { name: 'RTF', extensions: ['.rtf'], mime: 'application/rtf' },
    { name: 'Text (.txt, .csv, .md)', extensions: ['.txt', '.csv', '.md'], mime: 'text/plain' },
  ],
};

/** The names of one kind's formats, comma-separated ("JPEG, PNG, …"). */
export function acceptedNames(kind: AcceptedKind): string {
  return ACCEPTED_MEDIA[kind].map((f) => f.name).join(', ');
}

/** Every accepted extension, without the dot. */
export function acceptedExtensions(): string[] {
  return Object.values(ACCEPTED_MEDIA).flatMap((formats) => formats.flatMap((f) => f.extensions.map((e) => e.slice(1))));
}

/** The file input's `accept` attribute: every MIME type and extension above. */
export const ACCEPT_ATTRIBUTE = Object.values(ACCEPTED_MEDIA)
  .flatMap((formats) => formats.flatMap((f) => [f.mime, ...f.extensions]))
  .join(',');

/** The server's sentence naming what is accepted (error messages are English; the client has its own words). */
export const ACCEPTED_SUMMARY =
  `Accepted are images (${acceptedNames('image')}), audio (${acceptedNames('audio')}), video (${acceptedNames('video')}) ` +
  `and documents (${acceptedNames('document')}).`;
