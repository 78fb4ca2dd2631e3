import { recordDeployment } from '../send/github';
import { missingInput } from './missing';
import type { Channel } from './types';

interface DeploymentConfig {
  enabled?: boolean;
  deploymentId?: number;
}

export const noToken = () => missingInput('github-token', 'GitHub deployments and PR comments need a token');

/** The run as a GitHub deployment: the record auto-rollback reads as last known good. */
export const githubDeployment: Channel<DeploymentConfig> = {
  name: 'github-deployment',
  wanted: (configs) => {
    const c = configs.githubDeployment;
    return c?.enabled || c?.deploymentId !== undefined ? c : undefined;
  },
  async send(message, config, context) {
    const client = context.github();
    if (!client) throw noToken();
    const r = await recordDeployment(client, message, {
      runId: context.run.runId,
      repoName: context.run.repo,
      deploymentId: config.deploymentId,
    });
    return { outcome: r.skipped ? 'skipped' : 'sent', detail: r.detail, attempts: 1, deploymentId: r.deploymentId };
  },
};
