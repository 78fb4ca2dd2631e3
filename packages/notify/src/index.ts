export { CHANNELS, type Channel, type ChannelConfigs, type ChannelName } from './channels';
export { escapeHtml, escapeMd, escapeSlack, escapeTeams, fit, safeUrl } from './escape';
export {
  buildMessage,
  type DeployMessage,
  facts,
  type MessageFields,
  type NotifyStatus,
  STATUSES,
} from './message';
export {
  type ChannelResult,
  type NotifyEnvironment,
  type NotifyOptions,
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
