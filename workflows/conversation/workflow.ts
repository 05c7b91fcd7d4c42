import {
  ActivityFailure,
  ApplicationFailure,
  allHandlersFinished,
  log,
  condition,
  continueAsNew,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import {
  agentMessageUpdate,
  agentSendKey,
  assignAgentUpdate,
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
  const rt = new ConversationRuntime(input, state, conversationRef(input.phoneNumberId, input.subjectHash));
  let changed = false;
  setHandler(inboundMessageSignal, (message) => void state.accept(message));
  setHandler(getConversationQuery, () => state.view(rt.ref));
  if (input.heldFor && !(await heldUntilErased(state))) return;
  registerAgentUpdates(rt, () => (changed = true));
  // A run that starts with a message reads the settings with that message's turn.
  if (!state.hasPending()) await rt.beginTurn();
  const timer = new DeadlineTimer();

  for (;;) {
    const wake = () => changed || state.hasPending() || workflowInfo().continueAsNewSuggested;
    const deadline = rt.ready ? state.nextDeadline(rt.settings) : undefined;
    await timer.until(deadline, wake);
    changed = false;
    if (workflowInfo().continueAsNewSuggested) {
      await condition(allHandlersFinished);
      // The next run carries this one's search attributes.
      return continueAsNew<typeof conversationWorkflow>({
        ...input,
        heldFor: undefined,
        carried: state.carry(),
      });
    }
    const message = state.next();
    if (message) {
      const recorded = await rt.openTurn(message);
      await handleSafely(() => rt.handleMessage(message, recorded));
      state.handled += 1;
      continue;
    }
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
