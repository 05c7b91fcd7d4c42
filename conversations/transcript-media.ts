import type { Subject, SubjectVault } from '../crypto/vault';
import { nluResultsOf } from '../db/conversations';
import { mediaOfMessages, type MediaFileRow } from '../db/media';
import type { Queryable } from '../db/pool';
import { MEDIA_TYPES, type MediaType } from '../whatsapp/message-types';

/**
 * The `media` object of a transcript message that carries a file (the console renders it and
 * fetches the bytes from `GET /v1/conversations/:id/media/:mediaId`).
 */
export interface TranscriptMedia {
  mediaId: string;
  kind: MediaType;
  voice?: boolean;
  mimeType: string | null;
  fileName?: string;
  size?: number;
  /** `pending` while the worker is still downloading it. */
  status: 'stored' | 'pending' | 'failed';
  /** What Dialogflow heard in a voice note, when it gave a transcript. */
  transcript?: string;
}

interface Described {
  mediaId: string;
  kind: MediaType;
  mimeType?: string;
  fileName?: string;
  voice?: boolean;
}

const isMediaType = (v: unknown): v is MediaType => (MEDIA_TYPES as readonly unknown[]).includes(v);
const str = (v: unknown) => (typeof v === 'string' && v ? v : undefined);

/** What a message's (opened) content says about its file: Meta's payload inbound, ours outbound. */
export function describedMedia(
  direction: 'in' | 'out',
  type: string,
  content: unknown,
): Described | undefined {
  const c = (content ?? {}) as Record<string, unknown>;
  if (direction === 'in') {
    const p = (c.payload ?? {}) as Record<string, unknown>;
    const mediaId = str(p.id);
    if (!isMediaType(type) || !mediaId) return undefined;
    return {
      mediaId,
      kind: type,
      mimeType: str(p.mime_type),
      fileName: str(p.filename),
      ...(type === 'audio' ? { voice: p.voice === true } : {}),
    };
  }
  const mediaId = str(c.stored);
  if (c.type !== 'media' || !mediaId || !isMediaType(c.kind)) return undefined;
  return { mediaId, kind: c.kind, fileName: str(c.filename) };
}

function viewOf(d: Described, row: MediaFileRow | undefined, transcript?: string): TranscriptMedia {
  return {
    mediaId: row?.mediaId ?? d.mediaId,
    kind: d.kind,
    ...(d.voice !== undefined ? { voice: d.voice } : {}),
    mimeType: row?.mimeType ?? d.mimeType ?? null,
    ...(d.fileName ? { fileName: d.fileName } : {}),
    ...(row?.sizeBytes != null ? { size: row.sizeBytes } : {}),
    status: row?.status ?? 'pending',
    ...(transcript ? { transcript } : {}),
  };
}

/**
 * The media objects of a transcript's messages, by message id: two queries for the whole
 * transcript (media rows, and NLU results for voice notes), whatever its length.
 */
export async function transcriptMedia(
  db: Queryable,
  vault: SubjectVault,
  subject: Subject,
  messages: { id: string; direction: 'in' | 'out'; type: string; content: unknown }[],
): Promise<Map<string, TranscriptMedia>> {
  const described = new Map<string, Described>();
  for (const m of messages) {
    const d = describedMedia(m.direction, m.type, m.content);
    if (d) described.set(m.id, d);
  }
  const ids = [...described.keys()];
  const rows = await mediaOfMessages(db, subject.clientId, subject.subjectHash, ids);
  const voiceIds = ids.filter((id) => described.get(id)!.kind === 'audio');
  const results = await nluResultsOf(db, subject.clientId, voiceIds);
  const views = new Map<string, TranscriptMedia>();
  for (const [id, d] of described) {
    const sealed = results.get(id);
    const heard = sealed
      ? ((JSON.parse(await vault.openText(subject, 'nlu_result.result', sealed)) as { transcript?: unknown })
          .transcript as string | undefined)
      : undefined;
    views.set(id, viewOf(d, rows.get(id), typeof heard === 'string' ? heard : undefined));
  }
  return views;
}
