/**
 * Models of the chat services' webhook endpoints, for `HttpSink.serve`: each checks a payload against
 * the service's documented limits and answers as the service does (each rule cites its documentation
 * in its own file).
 *
 *   const sink = await startHttpSink();
 *   sink.serve('/slack', slackWebhook);      // 200 ok, or 400 invalid_blocks / no_text / ...
 *   sink.serve('/discord', discordWebhook);  // 204, or 400 {"embeds": ["0"]} (v8+: code 50035 with the field path)
 *   sink.serve('/teams', teamsWorkflow);     // 202 always for JSON; `posted: false` when the flow would fail
 */
export { discordWebhook } from './discord-webhook';
export { slackWebhook } from './slack-webhook';
export { TEAMS_MESSAGE_LIMIT_BYTES, teamsWorkflow } from './teams-workflow';
