import { z } from 'zod';
import { keyedHash } from '../crypto/keys';
import type { Subject, SubjectVault } from '../crypto/vault';
import { agentLabels } from '../db/clients';
import { listLabels, listNotes } from '../db/notes';
import type { Queryable } from '../db/pool';

/** Field names the note and label texts are sealed under (the export opens `<table>.<column>`). */
export const NOTE_FIELD = 'contact_notes.body';
export const LABEL_FIELD = 'conversation_labels.label';

export const noteBody = z.strictObject({ text: z.string().trim().min(1).max(2000) });
export const labelText = z
  .string()
  .trim()
  .min(1)
  .max(40)
  .regex(/^[\p{L}\p{N}\p{P}\p{S} ]+$/u, 'must be letters, digits, punctuation, symbols and spaces');
export const labelBody = z.strictObject({ label: labelText });

/** One note as the card shows it: the author by key id and by its label. */
export interface CardNote {
  id: string;
  text: string;
  author: string;
  authorLabel: string | null;
  createdAt: string;
}

export interface CardLabel {
  id: string;
  label: string;
  addedBy: string;
  createdAt: string;
}

/**
 * The keyed hash (blind index, per client) the list filters labels by: case and runs of spaces do
 * not matter, so "VIP" and " vip " are one label.
 */
export function labelHash(indexKey: Buffer, clientId: string, label: string): string {
  return keyedHash(indexKey, clientId, 'conversation-label', label.trim().replace(/\s+/g, ' ').toLowerCase());
}

/** The subject's notes, newest first, unsealed, each author with its key's label. */
export async function openNotes(db: Queryable, vault: SubjectVault, subject: Subject): Promise<CardNote[]> {
  const rows = await listNotes(db, subject);
  const labels = await agentLabels(
    db,
    subject.clientId,
    rows.map((r) => r.author),
  );
  return Promise.all(
    rows.map(async (r) => ({
      id: r.id,
      text: await vault.openText(subject, NOTE_FIELD, r.bodyEnc),
      author: r.author,
      authorLabel: labels.get(r.author) ?? null,
      createdAt: r.createdAt.toISOString(),
    })),
  );
}

/** The conversation's labels, oldest first, unsealed. */
export async function openLabels(
  db: Queryable,
  vault: SubjectVault,
  subject: Subject,
  ref: string,
): Promise<CardLabel[]> {
  const rows = await listLabels(db, subject.clientId, ref);
  return Promise.all(
    rows.map(async (r) => ({
      id: r.id,
      label: await vault.openText(subject, LABEL_FIELD, r.labelEnc),
      addedBy: r.addedBy,
      createdAt: r.createdAt.toISOString(),
    })),
  );
}
