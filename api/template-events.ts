import type { Client } from '@temporalio/client';
import type { Db } from '../db/pool';
import { applyTemplateUpdate, clientIdByWaba, type TemplateUpdate } from '../db/templates';
import type { Logger } from '../logging';
import {
  statusAfterEvent,
  templateChangeSchema,
  type TemplateChange,
  type TemplateField,
} from '../whatsapp/templates';
import { TEMPLATE_SYNC_WORKFLOW_TYPE, templateSyncWorkflowId } from '../workflows/templates/contract';
import type { templateSyncWorkflow } from '../workflows/templates/workflow';

/** A template webhook change, as the notification carried it. */
export interface TemplateEvent {
  wabaId: string;
  field: TemplateField;
  value: unknown;
  /** `entry.time` (Unix seconds), when Meta gave it. */
  time?: number;
}

export interface TemplateEventDeps {
  db: Db;
  temporal: Client;
  taskQueue: string;
  log: Logger;
}

/** What a change sets on the stored template; components come only from a sync. */
function updateOf(field: TemplateField, v: TemplateChange, at: Date): TemplateUpdate {
  const named = {
    templateId: v.message_template_id,
    name: v.message_template_name,
    language: v.message_template_language,
    at,
  };
  if (field === 'message_template_status_update' && v.event)
    return { ...named, status: statusAfterEvent(v.event) };
  if (field === 'message_template_quality_update' && v.new_quality_score)
    return { ...named, quality: v.new_quality_score.toUpperCase() };
  if (field === 'template_category_update' && v.new_category)
    return { ...named, category: v.new_category.toUpperCase() };
  return named;
}

/**
 * Applies Meta's template webhooks (`message_template_status_update`, `…_quality_update`,
 * `…_components_update`, `template_category_update`) to the account's stored templates, newest fact
 * winning (`entry.time`). A components change, or a change to a template we have not synced yet,
 * starts the client's sync (joined when one runs): Meta's list is the only full source of components.
 * Resolves when all of it is durable (rows written, syncs started); rejects otherwise, so the webhook
 * answers 503 and Meta redelivers. Returns the changes that named no client's account.
 */
export async function applyTemplateEvents(
  deps: TemplateEventDeps,
  events: readonly TemplateEvent[],
): Promise<TemplateEvent[]> {
  const unknown: TemplateEvent[] = [];
  const resync = new Set<string>();
  for (const e of events) {
    const clientId = await clientIdByWaba(deps.db, e.wabaId);
    if (!clientId) {
      unknown.push(e);
      continue;
    }
    const value = templateChangeSchema.safeParse(e.value);
    const at = e.time ? new Date(e.time * 1000) : new Date();
    const update = value.success ? updateOf(e.field, value.data, at) : undefined;
    const known =
      update && (update.templateId || update.name) && (await applyTemplateUpdate(deps.db, clientId, update));
    if (!known || e.field === 'message_template_components_update') resync.add(clientId);
    deps.log.info('template webhook applied', { clientId, field: e.field, known: Boolean(known) });
  }
  for (const clientId of resync)
    await deps.temporal.workflow.start(TEMPLATE_SYNC_WORKFLOW_TYPE, {
      workflowId: templateSyncWorkflowId(clientId),
      taskQueue: deps.taskQueue,
      args: [{ clientId }] satisfies Parameters<typeof templateSyncWorkflow>,
      workflowIdConflictPolicy: 'USE_EXISTING',
    });
  return unknown;
}
