export { codeSpan, escapeHtml, escapeMd, escapeSlack, escapeTeams, fit, safeUrl } from './escape';
export {
  buildMessage,
  type DeployMessage,
  defaultTitle,
  facts,
  type MessageInput,
  type NotifyStatus,
  STATUSES,
} from './message';
export {
  CHANNELS,
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
export { commentMarker, isOwnComment, renderPrComment } from './render/github';
export { renderSlack } from './render/slack';
export { renderTeams } from './render/teams';
export {
  renderWebhook,
  WEBHOOK_SCHEMA,
  type WebhookPayload,
  webhookJsonSchema,
  webhookPayloadSchema,
} from './render/webhook';
export { notifySummary, reportResults } from './report';
export { parseSmtpUrl, type SmtpTarget, sendEmail, smtpHint } from './send/email';
export { postJson, signBody } from './send/http';
