export { escapeHtml, escapeMd, escapeSlack, escapeTeams, fit, safeUrl } from './escape';
export {
  buildMessage,
  type DeployMessage,
  facts,
  type MessageInput,
  type NotifyStatus,
} from './message';
export {
  type ChannelName,
  type ChannelResult,
  type NotifyEnvironment,
  type NotifyInputs,
  type NotifyResult,
  notify,
  STARTED_AT_ENV,
  startedAtFromEnv,
} from './notify';
export { renderDiscord } from './render/discord';
export { type RenderedEmail, renderEmail } from './render/email';
export { renderPrComment } from './render/github';
export { renderSlack } from './render/slack';
export { renderTeams } from './render/teams';
export {
  renderWebhook,
  type WebhookPayload,
  webhookJsonSchema,
  webhookPayloadSchema,
} from './render/webhook';
export { notifySummary, reportResults } from './report';
export { parseSmtpUrl, type SmtpTarget, smtpHint } from './send/email';
export { signBody } from './send/http';
