/** Checks of what a deploy did to the world outside the workflow, shared by the scenarios. */
import { createHmac } from 'node:crypto';
import type { ScenarioContext } from '../scenario';
import { WEBHOOK_SECRET } from '../stage';

/** The mails received so far, waiting briefly for `count` of them. */
export async function mails(s: ScenarioContext, count: number) {
  try {
    return await s.stage.smtp.waitForMails(count, 5_000);
  } catch {
    return s.stage.smtp.mails;
  }
}

/** The last mail's subject and text, for content checks. */
export async function lastMail(s: ScenarioContext, count: number): Promise<string> {
  const received = await mails(s, count);
  s.expect('mails received', received.length, count);
  const mail = received.at(-1);
  return mail ? `${mail.parsed.subject ?? ''}\n${mail.parsed.text ?? ''}` : '';
}

/** The webhook deliveries so far; each must carry a valid HMAC-SHA256 signature of its delivery id,
 * timestamp and body (the scheme the notify README documents for receivers). */
export function webhooks(s: ScenarioContext, count: number): string[] {
  const requests = s.stage.hooks.requestsTo('/deploys');
  s.expect('webhooks received', requests.length, count);
  const signed = requests.every((r) => {
    const delivery = r.headers['x-deploy-delivery'];
    const timestamp = r.headers['x-deploy-timestamp'];
    const signedText = `${delivery}.${timestamp}.${r.body}`;
    const expected = `sha256=${createHmac('sha256', WEBHOOK_SECRET).update(signedText).digest('hex')}`;
    return r.headers['x-deploy-signature'] === expected;
  });
  s.check('every webhook is signed with WEBHOOK_SECRET', signed && requests.length > 0);
  return requests.map((r) => r.body);
}

/** The newest GitHub deployment of `environment` and its latest status. */
export function latestDeployment(s: ScenarioContext, environment: string) {
  const deployments = s.stage.api.state.deployments.filter((d) => d.environment === environment);
  const newest = deployments.sort((a, b) => b.id - a.id)[0];
  return {
    count: deployments.length,
    deployment: newest,
    state: newest ? s.stage.api.latestStatus(newest.id)?.state : undefined,
  };
}
