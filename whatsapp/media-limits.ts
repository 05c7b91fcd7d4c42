/**
 * The files an agent may send, by MIME type, with WhatsApp's limit for each (Cloud API "supported
 * media types"): JPEG and PNG images up to 5 MB, documents up to 100 MB. `extension` names the part
 * of the upload to Meta, which wants one that matches the type.
 */
export interface SendableMedia {
  kind: 'image' | 'document';
  maxBytes: number;
  extension: string;
}

const MB = 1024 * 1024;
const image = (extension: string): SendableMedia => ({ kind: 'image', maxBytes: 5 * MB, extension });
const document = (extension: string): SendableMedia => ({ kind: 'document', maxBytes: 100 * MB, extension });

export const SENDABLE_MEDIA: Readonly<Record<string, SendableMedia>> = {
  'image/jpeg': image('jpg'),
  'image/png': image('png'),
  'application/pdf': document('pdf'),
  'text/plain': document('txt'),
  'application/msword': document('doc'),
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': document('docx'),
  'application/vnd.ms-excel': document('xls'),
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': document('xlsx'),
  'application/vnd.ms-powerpoint': document('ppt'),
  'application/vnd.openxmlformats-officedocument.presentationml.presentation': document('pptx'),
};

/** The sendable type of a declared MIME type (parameters such as `; charset=` ignored). */
export function sendableMedia(mimeType: string): SendableMedia | undefined {
  const base = mimeType.split(';')[0]!.trim().toLowerCase();
  return Object.hasOwn(SENDABLE_MEDIA, base) ? SENDABLE_MEDIA[base] : undefined;
}
