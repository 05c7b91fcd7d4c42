import {
  ActivityFailure,
  ApplicationFailure,
  allHandlersFinished,
  log,
  condition,
  continueAsNew,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { clientIdAttribute, modeAttribute, subjectAttribute } from '../../temporal/search-attributes';
import {
  agentMessageUpdate,
  agentSendKey,
  assignAgentUpdate,
  CONVERSATION_VERSION,
  conversationRef,
  getConversationQuery,
  inboundMessageSignal,
  releaseHeldSignal,
  resolveUpdate,
  type ConversationInput,
} from './contract';
import { DeadlineTimer } from './deadline-timer';
import { activityFailedForGood, ConversationRuntime } from './runtime';
import { ConversationState, type Refusal } from './state';

/**
 * One conversation between a business number and an end-user. Fed by `inboundMessageSignal` via
 * signal-with-start; handles messages one at a time in Meta's timestamp order, each exactly once;
 * sleeps durably until the next deadline (handoff SLA, maximum wait, idle agent, retention); and
 * continues as new (carrying unhandled messages, seen ids and the mode) when the server suggests it.
 * It completes when the conversation has been idle for the client's transcript retention period:
 * nothing is left for it to do, and the next message starts a fresh one.
 */
export async function conversationWorkflow(input: ConversationInput): Promise<void> {
  const state = new ConversationState(input.carried);
  // Runs started before version 2 replay the steps they recorded (see CONVERSATION_VERSION).
  const lean = (input.version ?? 1) >= 2;
  const rt = new ConversationRuntime(
    input,
    state,
    conversationRef(input.phoneNumberId, input.subjectHash),
    lean,
  );
  let changed = false;
  setHandler(inboundMessageSignal, (message) => void state.accept(message));
  setHandler(getConversationQuery, () => state.view(rt.ref));
  if (input.heldFor && !(await heldUntilErased(state))) return;
  registerAgentUpdates(rt, () => (changed = true));
  if (!lean)
    upsertSearchAttributes([
      { key: clientIdAttribute, value: input.clientId },
      { key: subjectAttribute, value: input.subjectHash },
      { key: modeAttribute, value: state.mode },
    ]);
  // A lean run that starts with a message reads the settings with that message's turn.
  if (!lean || !state.hasPending()) await rt.beginTurn();
  let settingsFresh = true;
  const timer = new DeadlineTimer();

  for (;;) {
    const wake = () => changed || state.hasPending() || workflowInfo().continueAsNewSuggested;
    const deadline = rt.ready ? state.nextDeadline(rt.settings) : undefined;
    if (lean) await timer.until(deadline, wake);
    else if (deadline === undefined) await condition(wake);
    else await condition(wake, Math.max(1, deadline - Date.now()));
    changed = false;
    if (workflowInfo().continueAsNewSuggested) {
      await condition(allHandlersFinished);
      // The next run carries this one's search attributes and takes the current version's steps.
      return continueAsNew<typeof conversationWorkflow>({
        ...input,
        version: CONVERSATION_VERSION,
        heldFor: undefined,
        carried: state.carry(),
      });
    }
    const message = state.next();
    if (message) {
      const opened = lean ? await rt.openTurn(message) : undefined;
      if (!lean && !settingsFresh) await rt.beginTurn();
      settingsFresh = false;
      await handleSafely(() => rt.handleMessage(message, opened));
      state.handled += 1;
      continue;
    }
    settingsFresh = false;
    const due = state.due(Date.now(), rt.settings);
    if (due === 'retention') {
      await condition(allHandlersFinished);
      if (!state.hasPending()) return;
    } else if (due === 'sla_expired') await handleSafely(() => rt.slaExpired());
    else if (due === 'max_wait') await handleSafely(() => rt.maxWait());
    else if (due === 'agent_idle') await handleSafely(() => rt.agentIdle());
  }
}

/**
 * A run an erasure holds: collects inbound messages (the signal handler is set) and waits for the
 * erasure's release. False when released empty before the erasure completed: the run ends, and the
 * erasure deletes it.
 */
async function heldUntilErased(state: ConversationState): Promise<boolean> {
  let released = false;
  setHandler(releaseHeldSignal, ({ onlyIfEmpty }) => {
    if (!onlyIfEmpty || !state.hasPending()) released = true;
  });
  await condition(() => released);
  return state.hasPending();
}

/**
 * A step whose activity failed for good (retries are unlimited for transient faults, so only
 * non-retryable ones get here: content limits, a deleted client …) must not end the conversation:
 * the failure is logged by type only (no PII) and the next message is handled as usual.
 */
async function handleSafely(step: () => Promise<void>): Promise<void> {
  try {
    await step();
  } catch (err) {
    if (!activityFailedForGood(err)) throw err;
    const failure = err instanceof ActivityFailure ? err.cause : err;
    const type = failure instanceof ApplicationFailure ? failure.type : undefined;
    const activity = err instanceof ActivityFailure ? err.activityType : 'local';
    log.warn('conversation step failed', { activity, type: type ?? 'unknown' });
  }
}

/** Assign/accept, agent messages and resolve: validators refuse before anything is recorded. */
function registerAgentUpdates(rt: ConversationRuntime, onChange: () => void): void {
  const { state } = rt;
  // Refused before anything is recorded, typed and with the owner as a detail (never parsed from text).
  const refuse = (refusal: Refusal | undefined) => {
    if (refusal)
      throw ApplicationFailure.create({
        type: refusal.type,
        message: refusal.message,
        details: refusal.owner ? [{ owner: refusal.owner }] : [],
        nonRetryable: true,
      });
  };
  setHandler(
    assignAgentUpdate,
    async (req) => {
      const already = state.mode === 'agent';
      state.assign(req.agentId, Date.now());
      onChange();
      if (!already) await rt.agentJoined();
      return state.view(rt.ref);
    },
    { validator: (req) => refuse(state.assignRefusal(req)) },
  );
  setHandler(
    agentMessageUpdate,
    async (req) => {
      state.agentActed(Date.now());
      onChange();
      const result = await rt.send(agentSendKey(req.clientMessageId), req.content, {
        sentBy: req.agentId,
        fallback: 'handoff_update',
      });
      return result.status === 'sent'
        ? { status: 'sent' as const, viaTemplate: result.viaTemplate }
        : { status: 'refused' as const, reason: result.reason };
    },
    { validator: (req) => refuse(state.ownerRefusal(req.agentId)) },
  );
  setHandler(
    resolveUpdate,
    async () => {
      const since = state.agent?.since;
      onChange();
      await rt.resolved(since);
      return state.view(rt.ref);
    },
    { validator: (req) => refuse(state.ownerRefusal(req.agentId)) },
  );
}
