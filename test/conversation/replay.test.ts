import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { dataConverter } from '../../temporal/connection';
import { TEST_ADMIN_TOKEN } from '../support/env';
import { startStack, workflowBundle, type Stack } from '../support/stack';
import { provisionTestClient } from '../support/whatsapp';
import { endUser } from './helpers';

const EventType = temporal.api.enums.v1.EventType;

describe('conversation engine: histories stay replayable', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack();
  });
  after(async () => {
    await stack?.close();
  });

  it('when a conversation runs on the current code, then the send is its only remote activity per message and its history replays', async () => {
    const client = await provisionTestClient(stack.apiUrl, TEST_ADMIN_TOKEN);
    const u = endUser(stack, client, '5511955500001');
    await u.says('hello');
    await u.waitForReplies(1);
    await u.says('purple elephants');
    await u.waitForReplies(2);
    const history = await u.handle().fetchHistory();
    const remote = (history.events ?? []).flatMap((e) =>
      e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED
        ? [e.activityTaskScheduledEventAttributes?.activityType?.name]
        : [],
    );
    assert.deepEqual(remote, ['sendMessage', 'sendMessage'], 'record, read receipt and NLU ran locally');
    await Worker.runReplayHistory(
      { workflowBundle: await workflowBundle(), dataConverter: dataConverter(stack.config) },
      history,
    );
  });
});
