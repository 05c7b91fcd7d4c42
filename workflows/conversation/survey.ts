import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../../activities';
import { QUICK_ACTIVITY_OPTIONS } from '../activity-options';
import type { InboundMessage } from './contract';
import { csatQuestion, say } from './replies';
import type { ConversationRuntime } from './runtime';

const acts = proxyActivities<Activities>(QUICK_ACTIVITY_OPTIONS);

/**
 * After an agent resolved a handoff: the 1–5 satisfaction question, when the client turned the
 * survey on (`csat.enabled`, as of the customer's last message) and the customer has not opted out.
 * It goes through the one send path, so outside the 24-hour window it needs the `csat_survey`
 * template or is refused; a refused question leaves no survey waiting for an answer.
 */
export async function askSatisfaction(
  rt: ConversationRuntime,
  agent: string | undefined,
  since: string | undefined,
): Promise<void> {
  if (!agent || !since || !rt.settings.csat || rt.state.mode === 'opted_out') return;
  rt.dialogue.state.survey = { agent, handoff: `${rt.ref}:${since}` };
  const sent = await rt.send(`csat:${since}`, csatQuestion(rt.lang), {
    sentBy: 'system',
    fallback: 'csat_survey',
  });
  if (sent.status !== 'sent') rt.dialogue.state.survey = undefined;
}

/**
 * The customer tapped a score: recorded once for the survey waiting for it (the insight is keyed
 * by the handoff, so a redelivered tap or a second tap counts once), then thanked.
 */
export async function answerSatisfaction(
  rt: ConversationRuntime,
  message: InboundMessage,
  score: number,
): Promise<void> {
  const survey = rt.dialogue.state.survey;
  rt.dialogue.state.survey = undefined;
  if (survey)
    await acts.recordSatisfaction({
      clientId: rt.input.clientId,
      ...survey,
      score,
      ref: rt.ref,
      subjectHash: rt.input.subjectHash,
    });
  await rt.speak(`reply:${message.messageId}`, say(rt.lang, 'csatThanks'));
}
