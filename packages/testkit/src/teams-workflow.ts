/**
 * A Microsoft Teams Workflows webhook: a Power Automate flow started by "When a Teams webhook request
 * is received" that posts each Adaptive Card of the payload to a channel (the "Send webhook alerts to a
 * channel" template). What the caller can see is modelled apart from what happens next:
 *
 * - The trigger answers `202 Accepted` as soon as the request is taken, before the flow runs: a request
 *   trigger without a Response action "immediately returns 202 ACCEPTED"
 *   (https://learn.microsoft.com/en-us/azure/connectors/connectors-native-reqres). A body that is not JSON
 *   is refused with 400 there and then.
 * - The flow then fails, out of the caller's sight, when the message is over about 28 KB ("the action
 *   fails with error: Request Entity too large", https://learn.microsoft.com/en-us/connectors/teams/
 *   #known-issues-and-limitations-with-actions), or when the payload holds no Adaptive Card: "Workflows
 *   support Adaptive Cards only" (https://learn.microsoft.com/en-us/microsoftteams/platform/
 *   webhooks-and-connectors/how-to/connectors-using). Such a request is recorded `posted: false`.
 */
import type { Service, ServiceAnswer } from './http-sink';

/** "approximately 28 KB": taken as 28,000 bytes of the request, the stricter reading. */
export const TEAMS_MESSAGE_LIMIT_BYTES = 28_000;

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * What makes the card action fail: the card itself, per the Adaptive Card schema
 * (https://adaptivecards.io/explorer/AdaptiveCard.html): `type: AdaptiveCard` and a `version`; TextBlock
 * needs `text`, FactSet `facts` of `{title, value}` strings, Action.OpenUrl a `url`. Teams renders
 * versions up to 1.5 (https://learn.microsoft.com/en-us/microsoftteams/platform/task-modules-and-cards/
 * cards/cards-reference#adaptive-card).
 */
function cardProblem(card: unknown): string | undefined {
  if (!isObject(card) || card.type !== 'AdaptiveCard') return 'the attachment content is not an AdaptiveCard';
  if (typeof card.version !== 'string' || !/^1\.[0-5]$/.test(card.version)) {
    return `card version ${JSON.stringify(card.version)} is not one Teams renders (1.0 to 1.5)`;
  }
  const body = card.body ?? [];
  if (!Array.isArray(body)) return 'card body is not an array';
  for (const [i, element] of body.entries()) {
    if (!isObject(element)) return `body/${i} is not an element`;
    if (element.type === 'TextBlock' && typeof element.text !== 'string') return `body/${i} TextBlock has no text`;
    if (element.type === 'FactSet') {
      const facts = element.facts;
      if (!Array.isArray(facts)) return `body/${i} FactSet has no facts`;
      const bad = facts.findIndex((f) => !isObject(f) || typeof f.title !== 'string' || typeof f.value !== 'string');
      if (bad >= 0) return `body/${i}/facts/${bad} needs a title and a value`;
    }
  }
  const actions = card.actions ?? [];
  if (!Array.isArray(actions)) return 'card actions is not an array';
  for (const [i, action] of actions.entries()) {
    if (isObject(action) && action.type === 'Action.OpenUrl' && typeof action.url !== 'string') {
      return `actions/${i} Action.OpenUrl has no url`;
    }
  }
  return undefined;
}

function flowProblem(payload: Json, bytes: number): string | undefined {
  if (bytes > TEAMS_MESSAGE_LIMIT_BYTES) {
    return `Request Entity too large: ${bytes} bytes, over the ~28 KB a Teams message may hold`;
  }
  const attachments = payload.attachments;
  if (!Array.isArray(attachments) || attachments.length === 0)
    return 'no attachments: Workflows post Adaptive Cards only';
  for (const [i, attachment] of attachments.entries()) {
    if (!isObject(attachment) || attachment.contentType !== 'application/vnd.microsoft.card.adaptive') {
      return `attachments/${i} is not an Adaptive Card (contentType application/vnd.microsoft.card.adaptive)`;
    }
    const problem = cardProblem(attachment.content);
    if (problem) return `attachments/${i}: ${problem}`;
  }
  return undefined;
}

/** A Teams Workflows webhook (`POST https://….logic.azure.com/workflows/…/triggers/manual/paths/invoke?…&sig=…`). */
export const teamsWorkflow: Service = (request): ServiceAnswer => {
  let payload: unknown;
  try {
    payload = JSON.parse(request.body);
  } catch {
    // The trigger parses a JSON body before it accepts the request.
    return {
      status: 400,
      body: { error: { code: 'InvalidRequestContent', message: 'The request content is not valid JSON.' } },
      posted: false,
      problem: 'not JSON',
    };
  }
  const problem = isObject(payload)
    ? flowProblem(payload, Buffer.byteLength(request.body))
    : 'the body is not a JSON object';
  return { status: 202, posted: problem === undefined, problem };
};
